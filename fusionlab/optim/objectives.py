"""Objectives for the from-scratch optimisers: least squares and softmax (multinomial logistic) regression.

An *objective* is anything with ``n_samples``, ``n_features``, ``loss(w)`` and
``gradient(w, indices=None)``; ``indices`` selects the samples a stochastic step reads.
:class:`LeastSquares` is the one the course starts from, because its minimiser has a closed form
to check against.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_array,
    check_float,
    check_int,
    check_X_y,
    error_message,
)


class _AverageOverRows:
    """What every objective here shares: an average of per-sample losses over the rows of ``X``."""

    X: np.ndarray

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]


class LeastSquares(_AverageOverRows):
    r"""Mean squared error of a linear model, with optional L2 penalty.

    .. math:: L(w) = \frac{1}{2n}\lVert Xw - y\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l2 : float, default=0.0
        The penalty :math:`\lambda \ge 0`.

    See Also
    --------
    numpy.linalg.lstsq : the closed-form reference used by :meth:`solution`.
    """

    def __init__(self, X, y, l2: float = 0.0):
        self.X, self.y = check_X_y(X, y, y_dtype=np.float64)
        self.l2 = check_float(l2, "l2", low=0.0)

    @property
    def n_parameters(self) -> int:
        """Length of ``w``."""
        return self.X.shape[1]

    def _check_weights(self, w) -> np.ndarray:
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (self.n_features,):
            raise ValueError(
                error_message("w", f"an array of shape ({self.n_features},)", f"shape {w.shape}", "Start from np.zeros(X.shape[1]).")
            )
        return w

    def loss(self, w) -> float:
        """Objective value at ``w`` over all samples."""
        w = self._check_weights(w)
        residual = self.X @ w - self.y  # (n_samples,)
        return float(0.5 * np.mean(residual**2) + 0.5 * self.l2 * w @ w)

    def gradient(self, w, indices=None) -> np.ndarray:
        """Gradient at ``w``, averaged over all samples or over ``indices`` only.

        Returns
        -------
        gradient : ndarray of shape (n_features,)
        """
        w = self._check_weights(w)
        X, y = (self.X, self.y) if indices is None else (self.X[indices], self.y[indices])
        residual = X @ w - y  # (batch,)
        return X.T @ residual / len(y) + self.l2 * w

    def solution(self) -> np.ndarray:
        """The exact minimiser, from the normal equations."""
        n = self.n_samples
        A = self.X.T @ self.X / n + self.l2 * np.eye(self.n_features)
        return np.linalg.solve(A, self.X.T @ self.y / n)

    def hessian(self) -> np.ndarray:
        """The Hessian :math:`X^\\top X / n + \\lambda I`, of shape (n_features, n_features) (constant in ``w``)."""
        return self.X.T @ self.X / self.n_samples + self.l2 * np.eye(self.n_features)

    def smoothness(self) -> float:
        """The gradient's Lipschitz constant :math:`L` (largest eigenvalue of the Hessian).

        Gradient descent converges for learning rates below :math:`2/L`; :math:`1/L` is the
        textbook choice.
        """
        return float(np.linalg.eigvalsh(self.hessian())[-1])

    def strong_convexity(self) -> float:
        """The smallest eigenvalue :math:`\\mu` of the Hessian; :math:`L/\\mu` is the condition number."""
        return float(np.linalg.eigvalsh(self.hessian())[0])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


class SoftmaxRegression(_AverageOverRows):
    r"""Mean cross-entropy of a linear softmax classifier (multinomial logistic regression).

    .. math:: L(W, b) = -\frac{1}{n}\sum_i \log \operatorname{softmax}(x_i W + b)_{y_i}
              + \frac{\lambda}{2}\lVert W\rVert^2

    The parameters are one flat vector ``w`` of length ``(n_features + 1) * n_classes``: the
    weights ``W`` (row-major, shape ``(n_features, n_classes)``) then the intercepts ``b``.
    Use :meth:`unpack` to split it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Integer labels in ``[0, n_classes)``.
    n_classes : int or None, default=None
        Inferred as ``max(y) + 1`` when None.
    l2 : float, default=0.0
        The penalty :math:`\lambda \ge 0` on ``W`` (not on the intercepts).

    See Also
    --------
    sklearn.linear_model.LogisticRegression : the same loss (its ``C`` is :math:`1/(n\lambda)`).
    """

    def __init__(self, X, y, *, n_classes: int | None = None, l2: float = 0.0):
        self.X, y = check_X_y(X, y)
        if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
            raise TypeError(error_message("y", "integer class labels", f"dtype {y.dtype}", "Encode labels with np.unique(y, return_inverse=True)."))
        self.y = y.astype(np.int64)
        inferred = int(self.y.max()) + 1
        self.n_classes = inferred if n_classes is None else check_int(n_classes, "n_classes", low=max(2, inferred))
        if self.y.min() < 0:
            raise ValueError(error_message("y", f"labels in [0, {self.n_classes})", int(self.y.min()), "Encode labels as 0, 1, 2, ..."))
        self.l2 = check_float(l2, "l2", low=0.0)

    @property
    def n_parameters(self) -> int:
        """Length of ``w``: ``(n_features + 1) * n_classes``."""
        return (self.n_features + 1) * self.n_classes

    def unpack(self, w):
        """Split ``w`` into ``W`` of shape (n_features, n_classes) and ``b`` of shape (n_classes,)."""
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (self.n_parameters,):
            raise ValueError(
                error_message("w", f"an array of shape ({self.n_parameters},)", f"shape {w.shape}", "Start from np.zeros(objective.n_parameters).")
            )
        split = self.n_features * self.n_classes
        return w[:split].reshape(self.n_features, self.n_classes), w[split:]

    def predict_proba(self, w, X=None) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), for ``X`` (default: the training data)."""
        W, b = self.unpack(w)
        X = self.X if X is None else check_array(X, "X", ndim=2)
        return _softmax(X @ W + b)

    def loss(self, w) -> float:
        """Mean cross-entropy plus penalty over all samples."""
        W, _ = self.unpack(w)
        probabilities = self.predict_proba(w)  # (n_samples, n_classes)
        picked = probabilities[np.arange(self.n_samples), self.y]
        return float(-np.mean(np.log(np.maximum(picked, 1e-300))) + 0.5 * self.l2 * np.sum(W * W))

    def gradient(self, w, indices=None) -> np.ndarray:
        """Gradient at ``w``, averaged over all samples or over ``indices``; shape (n_parameters,)."""
        W, b = self.unpack(w)
        X, y = (self.X, self.y) if indices is None else (self.X[indices], self.y[indices])
        delta = _softmax(X @ W + b)  # (batch, n_classes)
        delta[np.arange(len(y)), y] -= 1.0
        delta /= len(y)
        grad_W = X.T @ delta + self.l2 * W  # (n_features, n_classes)
        return np.concatenate([grad_W.ravel(), delta.sum(axis=0)])
