"""Deep and hybrid classifiers for the fusion pipeline (chapter 3.3).

* ``make_deep_classifier``: the small Keras network of :func:`fusionlab.models.build_mlp`,
  wrapped with scikeras so that it is a scikit-learn estimator.
* ``HybridClassifier``: the same network trained on the labels, then cut below its softmax
  layer; its last hidden layer's activations (the *embeddings*) feed a classical learner.
  This is the fusion the article describes, as one estimator: it works in ``Pipeline``,
  ``cross_validate`` and ``RandomizedSearchCV``, and the network's and the learner's
  hyper-parameters are searched together (``hidden_units``, ``clf__C``).

TensorFlow is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._validation import check_array, check_classification_data, check_int, error_message
from ..history import History

#: Rows per forward pass when computing embeddings.
_CHUNK = 4096


def mlp_model(meta, hidden_units=(64, 32), activation="relu", dropout=0.0, learning_rate=1e-2):
    """Model function for scikeras: :func:`fusionlab.models.build_mlp` sized from the data.

    scikeras calls it at fit time with ``meta`` (``n_features_in_``, ``n_classes_`` …) and the
    wrapper's parameters of the same names.
    """
    from ..models import build_mlp

    return build_mlp(
        int(meta["n_features_in_"]),
        int(meta["n_classes_"]),
        hidden_units=tuple(hidden_units),
        activation=activation,
        dropout=dropout,
        learning_rate=learning_rate,
    )


def _check_network_parameters(hidden_units, epochs, batch_size, verbose, *, need_hidden: bool):
    if isinstance(hidden_units, str) or not isinstance(hidden_units, Sequence):
        raise TypeError(error_message("hidden_units", "a sequence of ints", hidden_units, "Pass e.g. (64, 32)."))
    if need_hidden and len(hidden_units) == 0:
        raise ValueError(
            error_message("hidden_units", "at least one hidden layer", hidden_units, "The embeddings are the last hidden layer; pass e.g. (64, 32).")
        )
    for index, width in enumerate(hidden_units):
        check_int(width, f"hidden_units[{index}]", low=1, fix="Every hidden layer needs at least one unit.")
    check_int(epochs, "epochs", low=1, fix="Train for at least one epoch, e.g. epochs=15.")
    check_int(batch_size, "batch_size", low=1, fix="Use e.g. batch_size=64.")
    check_int(verbose, "verbose", low=0, high=2, fix="0 is silent, 1 a progress bar, 2 one line per epoch.")


def make_deep_classifier(
    *,
    hidden_units: Sequence[int] = (64, 32),
    activation: str = "relu",
    dropout: float = 0.0,
    learning_rate: float = 1e-2,
    epochs: int = 15,
    batch_size: int = 64,
    random_state: int | None = None,
    verbose: int = 0,
):
    """A Keras multi-layer perceptron as a scikit-learn classifier (scikeras).

    Parameters
    ----------
    hidden_units : sequence of int, default=(64, 32)
        Width of each hidden layer.
    activation : {"relu", "tanh", "sigmoid", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    learning_rate : float, default=1e-2
        Adam's step size.
    epochs : int, default=15
        Passes over the training data.
    batch_size : int, default=64
        Samples per gradient step (mini-batch stochastic gradient descent with Adam).
    random_state : int or None, default=None
        Seeds weight initialisation, dropout and shuffling, so one seed gives one result.
    verbose : int, default=0
        Keras progress output.

    Returns
    -------
    classifier : scikeras.wrappers.KerasClassifier
        Unfitted; its searchable parameters include ``hidden_units``, ``learning_rate``,
        ``dropout``, ``epochs`` and ``batch_size``.

    See Also
    --------
    fusionlab.models.build_mlp : the network.
    sklearn.neural_network.MLPClassifier : scikit-learn's own multi-layer perceptron.
    """
    from scikeras.wrappers import KerasClassifier

    _check_network_parameters(hidden_units, epochs, batch_size, verbose, need_hidden=False)
    if random_state is not None:
        check_int(random_state, "random_state", low=0, high=2**32 - 1, fix="Pass an int seed such as 0, or None.")
    return KerasClassifier(
        model=mlp_model,
        hidden_units=tuple(hidden_units),
        activation=activation,
        dropout=dropout,
        learning_rate=learning_rate,
        epochs=epochs,
        batch_size=batch_size,
        random_state=random_state,
        verbose=verbose,
    )


def _clf_has(attribute):
    def check(self):
        learner = self.clf_ if hasattr(self, "clf_") else (self.clf if self.clf is not None else _default_learner())
        return hasattr(learner, attribute)

    return check


def _default_learner():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000)


class HybridClassifier(ClassifierMixin, BaseEstimator):
    """Neural feature extractor + classical learner, trained as one estimator.

    ``fit`` trains a Keras MLP on the labels (Adam on mini-batches), removes its softmax
    layer, computes the last hidden layer's activations for the training samples and fits
    ``clf`` on them. ``predict`` runs the same two stages.

    Parameters
    ----------
    clf : scikit-learn classifier, default=None
        The classical learner on the embeddings; cloned in ``fit``. ``None`` means
        ``LogisticRegression(max_iter=2000)``. Its parameters are searchable as ``clf__<name>``.
        If it has a ``random_state`` left at ``None``, it receives this estimator's seed.
    hidden_units : sequence of int, default=(64, 32)
        Hidden layers of the network; the embeddings have ``hidden_units[-1]`` dimensions.
    activation : {"relu", "tanh", "sigmoid", "gelu"}, default="relu"
    dropout : float, default=0.0
    learning_rate : float, default=1e-2
    epochs : int, default=15
    batch_size : int, default=64
    random_state : int or None, default=None
        Seeds the network (initialisation, dropout, shuffling) and, see ``clf``, the learner.
    verbose : int, default=0

    Attributes
    ----------
    network_ : scikeras.wrappers.KerasClassifier
        The trained network with its softmax head (its ``history_`` has the loss per epoch).
    embedding_model_ : keras.Model
        Inputs ``(batch, n_features)`` to embeddings ``(batch, hidden_units[-1])``.
    clf_ : classifier
        The fitted classical learner.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    history_ : fusionlab.history.History
        The network's training ``"loss"`` and ``"accuracy"`` per epoch (adapted from Keras's).

    See Also
    --------
    make_deep_classifier : the same network with its own softmax head.
    sklearn.pipeline.Pipeline : how this is used after preprocessing.

    Notes
    -----
    Chapter 3.3 compares this hybrid with the network alone and with classical learners on
    the raw features. The embeddings of the training samples are computed by a network that
    was trained on those samples, so they separate the classes better than they will on new
    data; cross-validation measures the hybrid honestly because both stages are refitted
    inside every fold.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = HybridClassifier(LogisticRegression(C=1.0), hidden_units=(32,), random_state=0)
    >>> sorted(k for k in model.get_params() if k.startswith("clf__"))[:2]
    ['clf__C', 'clf__class_weight']
    """

    def __init__(
        self,
        clf=None,
        *,
        hidden_units=(64, 32),
        activation="relu",
        dropout=0.0,
        learning_rate=1e-2,
        epochs=15,
        batch_size=64,
        random_state=None,
        verbose=0,
    ):
        self.clf, self.hidden_units, self.activation, self.dropout = clf, hidden_units, activation, dropout
        self.learning_rate, self.epochs, self.batch_size, self.random_state = learning_rate, epochs, batch_size, random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Train the network on ``(X, y)``, then the learner on its embeddings of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            At least two classes.

        Returns
        -------
        self : HybridClassifier
        """
        import keras

        X, y = check_classification_data(X, y)
        _check_network_parameters(self.hidden_units, self.epochs, self.batch_size, self.verbose, need_hidden=True)
        if self.clf is not None and not (hasattr(self.clf, "fit") and hasattr(self.clf, "predict")):
            raise TypeError(error_message("clf", "a scikit-learn classifier (with fit and predict)", type(self.clf).__name__, "Pass e.g. LogisticRegression()."))
        self.network_ = make_deep_classifier(
            hidden_units=self.hidden_units,
            activation=self.activation,
            dropout=self.dropout,
            learning_rate=self.learning_rate,
            epochs=self.epochs,
            batch_size=self.batch_size,
            random_state=self.random_state,
            verbose=self.verbose,
        ).fit(X, y)
        network = self.network_.model_
        # Everything up to the last hidden layer: (batch, n_features) -> (batch, hidden_units[-1]).
        self.embedding_model_ = keras.Model(network.inputs[0], network.layers[-2].output, name="embeddings")
        self.n_features_in_ = X.shape[1]
        learner = _default_learner() if self.clf is None else clone(self.clf)
        if self.random_state is not None and "random_state" in learner.get_params() and learner.get_params()["random_state"] is None:
            learner.set_params(random_state=self.random_state)
        self.clf_ = learner.fit(self.transform(X), y)
        self.classes_ = self.clf_.classes_
        self.history_ = History.from_keras(self.network_.history_)
        return self

    def transform(self, X) -> np.ndarray:
        """Embeddings: the network's last hidden layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        embeddings : ndarray of shape (n_samples, hidden_units[-1]), float64
        """
        import keras

        check_is_fitted(self, "embedding_model_")
        X = check_array(X, "X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                error_message("X", f"an array with {self.n_features_in_} features, as in fit", f"array of shape {X.shape}", "Apply the same preprocessing as in fit.")
            )
        chunks = [
            keras.ops.convert_to_numpy(self.embedding_model_(X[start : start + _CHUNK].astype("float32"), training=False))
            for start in range(0, len(X), _CHUNK)
        ]
        return np.concatenate(chunks).astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """Predicted class labels, ndarray of shape (n_samples,)."""
        return self.clf_.predict(self.transform(X))

    @available_if(_clf_has("predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities from the learner, ndarray of shape (n_samples, n_classes)."""
        return self.clf_.predict_proba(self.transform(X))
