"""A mini-batch classifier around the from-scratch network, in scikit-learn's estimator style."""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from threadpoolctl import threadpool_limits

from .._validation import check_array, check_float, check_int, check_random_state, check_X_y, error_message
from ..history import History
from ..optim import get_optimizer
from .network import _check_activation, _check_params, _flat, _penalty, backward, forward, init_params, softmax


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A from-scratch multi-layer perceptron trained with mini-batches by a :mod:`fusionlab.optim` optimiser.

    Parameters
    ----------
    hidden_units : sequence of int, default=(64,)
        Widths of the hidden layers; ``()`` is softmax regression.
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
    l2 : float, default=1e-4
        L2 penalty :math:`\\frac{\\lambda}{2}\\sum\\lVert W\\rVert^2`.
    optimizer : {"sgd", "momentum", "nesterov", "adam"} or Optimizer, default="adam"
    learning_rate : float or schedule, default=1e-3
        Ignored when ``optimizer`` is an instance.
    batch_size : int, default=32
    n_epochs : int, default=20
    random_state : int, Generator or None
        Seeds the initial weights and the shuffling.
    verbose : bool, default=False
        Show a progress bar over epochs (tqdm).

    Attributes
    ----------
    params_ : list of dict
    classes_ : ndarray of shape (n_classes,)
    history_ : fusionlab.history.History
        A record before training and after each epoch: ``epoch``, ``step``, ``elapsed_s``
        (training seconds, evaluation excluded), ``n_samples_seen``, and the metrics ``"loss"``
        (full training loss), ``"learning_rate"`` and, with ``validation_data``, ``"val_accuracy"``.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's version; fusionlab.models.build_mlp : Keras.
    """

    def __init__(self, hidden_units=(64,), *, activation="relu", l2=1e-4, optimizer="adam", learning_rate=1e-3,
                 batch_size=32, n_epochs=20, random_state=None, verbose=False):
        self.hidden_units, self.activation, self.l2, self.optimizer = hidden_units, activation, l2, optimizer
        self.learning_rate, self.batch_size, self.n_epochs, self.random_state = learning_rate, batch_size, n_epochs, random_state
        self.verbose = verbose

    def fit(self, X, y, *, validation_data=None):
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,); return ``self``."""
        X, y = check_X_y(X, y)
        _check_activation(self.activation)
        l2 = check_float(self.l2, "l2", low=0.0)
        batch_size = check_int(self.batch_size, "batch_size", low=1, fix="Try 32.")
        n_epochs = check_int(self.n_epochs, "n_epochs", low=1)
        units = [check_int(width, f"hidden_units[{i}]", low=1) for i, width in enumerate(self.hidden_units)]
        optimizer = get_optimizer(self.optimizer, None if not isinstance(self.optimizer, str) else self.learning_rate)
        optimizer.reset()
        rng = check_random_state(self.random_state)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(error_message("y", "labels of at least two classes", f"{len(self.classes_)} class", "Check the labels."))
        self.params_ = init_params([X.shape[1], *units, len(self.classes_)], activation=self.activation, random_state=rng)
        flat_params = _flat(self.params_)
        self.history_ = History()
        with threadpool_limits(limits=1, user_api="blas"):
            self._record(X, y_index, 0, 0, 0.0, float("nan"), validation_data)
        epochs = range(1, n_epochs + 1)
        if self.verbose:
            from tqdm.auto import tqdm

            epochs = tqdm(epochs, desc="epochs")
        # Small matrices: BLAS threads cost more to wake than the work they share (25x slower
        # on a busy 2-core machine), so the loop runs single-threaded.
        with threadpool_limits(limits=1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
            self._train(X, y_index, l2, batch_size, epochs, optimizer, flat_params, rng, validation_data)
        return self

    def _train(self, X, y_index, l2, batch_size, epochs, optimizer, flat_params, rng, validation_data):
        n, seconds, seen, rate = len(y_index), 0.0, 0, float("nan")
        for epoch in epochs:
            start = time.perf_counter()
            order = rng.permutation(n)
            for first in range(0, n, batch_size):
                batch = order[first : first + batch_size]
                _, grads = self._loss_and_gradients(X[batch], y_index[batch], l2)
                rate = optimizer.apply(flat_params, _flat(grads))
            seconds += time.perf_counter() - start
            seen += n
            if not all(np.all(np.isfinite(p)) for p in flat_params):
                raise FloatingPointError(f"learning_rate={optimizer.learning_rate} made the weights diverge in epoch {epoch}; lower the learning rate.")
            self._record(X, y_index, optimizer.iterations, seen, seconds, rate, validation_data)

    def _loss_and_gradients(self, X, y_index, l2):
        logits, cache = forward(self.params_, X, activation=self.activation)
        probabilities = softmax(logits)
        loss = float(-np.mean(np.log(np.maximum(probabilities[np.arange(len(y_index)), y_index], 1e-300)))) + _penalty(self.params_, l2)
        return loss, backward(self.params_, cache, probabilities, y_index, activation=self.activation, l2=l2)

    def _record(self, X, y_index, step, seen, seconds, rate, validation_data):
        logits, _ = forward(self.params_, X, activation=self.activation)
        picked = softmax(logits)[np.arange(len(y_index)), y_index]
        loss = float(-np.mean(np.log(np.maximum(picked, 1e-300)))) + _penalty(self.params_, self.l2)
        metrics = {}
        if validation_data is not None:
            metrics["val_accuracy"] = self.score(*validation_data)
        self.history_.record(epoch=seen / len(y_index), step=step, elapsed_s=seconds, n_samples_seen=seen, loss=loss, learning_rate=rate, **metrics)

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise RuntimeError("This MLPClassifier is not fitted yet; call fit(X, y) first.")

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        self._check_fitted()
        X = check_array(X, "X", ndim=2)
        _check_params(self.params_, X.shape[1])
        logits, _ = forward(self.params_, X, activation=self.activation)
        return softmax(logits)

    def predict(self, X) -> np.ndarray:
        """Most probable class for each row of ``X``."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]

    def score(self, X, y) -> float:
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


__all__ = ["MLPClassifier"]
