"""Checking a hand-written gradient: central finite differences, and the relative errors that compare two gradients."""

from __future__ import annotations

import numpy as np

from .._validation import check_float
from .network import _check_data, _flat, loss_and_gradients


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


__all__ = ["numerical_gradient", "max_relative_difference", "gradient_check"]
