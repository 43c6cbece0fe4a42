"""A multi-layer network from scratch in NumPy: dense layers, forward and backward passes,
softmax cross-entropy with L2, a numerical gradient check, and a mini-batch classifier.

No TensorFlow here: ``tests/test_nn.py`` writes the same network with TensorFlow ops and checks
that :func:`loss_and_gradients` returns the same numbers as ``tf.GradientTape`` in float64.

Parameters are a list of layers, each a dict ``{"W": (n_in, n_out), "b": (n_out,)}``. Every
hidden layer applies the same activation; the last layer gives the logits.

Used in chapters 2 and 3.1.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from threadpoolctl import threadpool_limits

from ._validation import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_X_y,
    error_message,
)
from .history import History
from .optim import get_optimizer


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|


#: name -> (function, derivative written in terms of the pre-activation z)
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
}


def _check_activation(activation):
    return check_choice(activation, "activation", list(ACTIVATIONS), fix="Use 'relu' unless you have a reason not to.")


def init_params(layer_sizes: Sequence[int], *, activation: str = "relu", random_state=None) -> list[dict]:
    """Random weights and zero biases for a network with the given layer widths.

    He-normal weights for ReLU, Glorot-normal otherwise, so the signal neither dies nor explodes
    through the layers.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, hidden_1, ..., n_outputs)``; at least two entries.
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
    random_state : int, Generator or None

    Returns
    -------
    params : list of dict
        One ``{"W": ndarray (n_in, n_out), "b": ndarray (n_out,)}`` per layer.
    """
    _check_activation(activation)
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(error_message("layer_sizes", "at least two widths (inputs and outputs)", sizes, "Pass e.g. (64, 32, 10)."))
    for index, width in enumerate(sizes):
        check_int(width, f"layer_sizes[{index}]", low=1, fix="Every layer needs at least one unit.")
    rng = check_random_state(random_state)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        scale = np.sqrt(2.0 / n_in) if activation == "relu" else np.sqrt(2.0 / (n_in + n_out))
        params.append({"W": rng.normal(0.0, scale, size=(n_in, n_out)), "b": np.zeros(n_out)})
    return params


def _check_params(params, n_features):
    if not isinstance(params, list) or not params or not all(isinstance(p, dict) and {"W", "b"} <= set(p) for p in params):
        raise TypeError(error_message("params", "a non-empty list of {'W', 'b'} dicts", type(params).__name__, "Create them with init_params(...)."))
    expected = n_features
    for index, layer in enumerate(params):
        W, b = layer["W"], layer["b"]
        if W.ndim != 2 or W.shape[0] != expected or b.shape != (W.shape[1],):
            raise ValueError(error_message(
                f"params[{index}]", f"W of shape ({expected}, k) and b of shape (k,)",
                f"W {W.shape}, b {b.shape}", "The first layer's W needs one row per feature of X; each layer's rows match the previous width.",
            ))
        expected = W.shape[1]


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so ``exp`` never overflows."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def forward(params: list[dict], X: np.ndarray, *, activation: str = "relu"):
    """Logits of the network for ``X``, and the cache the backward pass needs.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_outputs)
    cache : list of (inputs, pre_activations) per layer
    """
    function, _ = ACTIVATIONS[_check_activation(activation)]
    cache = []
    a = X  # (n_samples, n_features)
    for index, layer in enumerate(params):
        z = a @ layer["W"] + layer["b"]  # (n_samples, n_out)
        cache.append((a, z))
        a = z if index == len(params) - 1 else function(z)
    return a, cache


def _penalty(params, l2):
    return 0.5 * l2 * sum(float(np.sum(layer["W"] ** 2)) for layer in params)


def backward(params: list[dict], cache, probabilities: np.ndarray, y: np.ndarray, *, activation: str = "relu", l2: float = 0.0) -> list[dict]:
    """Backpropagation: gradients of the mean cross-entropy plus L2 penalty, layer by layer.

    The error at the logits is :math:`(p - \\mathrm{onehot}(y)) / n`; each layer turns the error
    at its output into gradients for its ``W`` (inputs transposed times error, plus ``l2 * W``)
    and ``b`` (summed error), and into the error at its input (error times ``W`` transposed,
    times the activation's derivative).

    Returns
    -------
    grads : list of dict
        Same structure and shapes as ``params``.
    """
    _, derivative = ACTIVATIONS[_check_activation(activation)]
    n = len(y)
    delta = probabilities.copy()  # (n, n_outputs)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = [None] * len(params)
    for index in range(len(params) - 1, -1, -1):
        a, _ = cache[index]
        W = params[index]["W"]
        grads[index] = {"W": a.T @ delta + l2 * W, "b": delta.sum(axis=0)}
        if index > 0:
            _, z_below = cache[index - 1]
            delta = (delta @ W.T) * derivative(z_below)  # (n, n_in)
    return grads


def _check_data(params, X, y):
    X, y = check_X_y(X, y, y_dtype=np.int64)
    _check_params(params, X.shape[1])
    n_outputs = params[-1]["W"].shape[1]
    if y.min() < 0 or y.max() >= n_outputs:
        raise ValueError(error_message("y", f"integer labels in [0, {n_outputs})", f"labels in [{y.min()}, {y.max()}]", "Encode labels as 0..n_classes-1, one output unit each."))
    return X, y


def loss_and_gradients(params: list[dict], X, y, *, activation: str = "relu", l2: float = 0.0):
    """Mean softmax cross-entropy plus :math:`\\frac{\\lambda}{2}\\sum\\lVert W\\rVert^2`, and its gradients.

    Parameters
    ----------
    params : list of dict
        From :func:`init_params`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Integer labels in ``[0, n_outputs)``.
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
    l2 : float, default=0.0
        :math:`\\lambda \\ge 0`. Note the 1/2: Keras' ``L2(l2)`` regulariser has none.

    Returns
    -------
    loss : float
    grads : list of dict
        Same structure as ``params``.

    See Also
    --------
    tf.GradientTape : the reference the tests compare against.
    """
    X, y = _check_data(params, X, y)
    l2 = check_float(l2, "l2", low=0.0)
    logits, cache = forward(params, X, activation=activation)
    probabilities = softmax(logits)
    picked = probabilities[np.arange(len(y)), y]
    loss = float(-np.mean(np.log(np.maximum(picked, 1e-300)))) + _penalty(params, l2)
    return loss, backward(params, cache, probabilities, y, activation=activation, l2=l2)


def numerical_gradient(params: list[dict], X, y, *, activation: str = "relu", l2: float = 0.0, epsilon: float = 1e-6) -> list[dict]:
    """Central finite differences :math:`(L(\\theta + \\epsilon e_i) - L(\\theta - \\epsilon e_i)) / 2\\epsilon`, entry by entry.

    Slow (two forward passes per parameter): use small networks and batches.
    """
    epsilon = check_float(epsilon, "epsilon", low=0.0, low_inclusive=False, fix="Use about 1e-6 in float64.")
    X, y = _check_data(params, X, y)
    grads = []
    for layer in params:
        layer_grads = {}
        for key in ("W", "b"):
            array = layer[key]
            estimate = np.zeros_like(array)
            for position in np.ndindex(array.shape):
                original = array[position]
                array[position] = original + epsilon
                plus, _ = loss_and_gradients(params, X, y, activation=activation, l2=l2)
                array[position] = original - epsilon
                minus, _ = loss_and_gradients(params, X, y, activation=activation, l2=l2)
                array[position] = original
                estimate[position] = (plus - minus) / (2 * epsilon)
            layer_grads[key] = estimate
        grads.append(layer_grads)
    return grads


def max_relative_difference(grads_a: list[dict], grads_b: list[dict], *, floor: float = 1e-12) -> float:
    """Largest ``|a - b| / max(|a|, |b|, floor)`` over every entry of two gradient lists."""
    worst = 0.0
    for layer_a, layer_b in zip(grads_a, grads_b, strict=True):
        for key in ("W", "b"):
            a, b = np.asarray(layer_a[key]), np.asarray(layer_b[key])
            scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
            worst = max(worst, float(np.max(np.abs(a - b) / scale)))
    return worst


def gradient_check(params: list[dict], X, y, *, activation: str = "relu", l2: float = 0.0, epsilon: float = 1e-5) -> float:
    """Relative error :math:`\\lVert g - \\hat g\\rVert / (\\lVert g\\rVert + \\lVert \\hat g\\rVert)` between backprop and :func:`numerical_gradient`.

    Both gradients are flattened into one vector. A norm-based error is the usual check because
    entry by entry, tiny gradients (zero pixels, dead ReLUs) are swamped by the finite
    differences' own rounding error. About 1e-8 or less when backprop is right; a bug gives
    something near 1e-2 or more.
    """
    _, analytic = loss_and_gradients(params, X, y, activation=activation, l2=l2)
    numeric = numerical_gradient(params, X, y, activation=activation, l2=l2, epsilon=epsilon)
    a = np.concatenate([array.ravel() for array in _flat(analytic)])
    b = np.concatenate([array.ravel() for array in _flat(numeric)])
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def _flat(params_or_grads):
    return [layer[key] for layer in params_or_grads for key in ("W", "b")]


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


__all__ = [
    "ACTIVATIONS", "init_params", "softmax", "forward", "backward", "loss_and_gradients",
    "numerical_gradient", "gradient_check", "max_relative_difference", "MLPClassifier",
]
