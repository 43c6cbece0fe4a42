"""The network itself: dense layers, activations, the forward and backward passes, and softmax
cross-entropy with an L2 penalty, on NumPy arrays.

Parameters are a list of layers, each a dict ``{"W": (n_in, n_out), "b": (n_out,)}``. Every
hidden layer applies the same activation; the last layer gives the logits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_choice, check_float, check_int, check_random_state, check_X_y, error_message


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


def _flat(params_or_grads):
    return [layer[key] for layer in params_or_grads for key in ("W", "b")]


__all__ = ["ACTIVATIONS", "init_params", "softmax", "forward", "backward", "loss_and_gradients"]
