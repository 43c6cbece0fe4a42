"""Synthetic tabular problems with known answers."""

from __future__ import annotations

import numpy as np

from .._validation import check_float, check_int, check_random_state, error_message


def make_linear_regression(
    n_samples: int,
    n_features: int = 20,
    *,
    condition_number: float = 1.0,
    noise_std: float = 0.5,
    random_state=0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian features with a chosen conditioning, and ``y = X @ w_true + noise``.

    Feature ``j`` has standard deviation ``condition_number ** (-j / (2 (n_features - 1)))``,
    so the condition number of ``X.T @ X / n`` is close to ``condition_number``: the knob that
    makes gradient descent slow.

    Parameters
    ----------
    n_samples : int
    n_features : int, default=20
    condition_number : float, default=1.0
        At least 1.
    noise_std : float, default=0.5
    random_state : int, Generator or None, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    w_true : ndarray of shape (n_features,)
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    n_features = check_int(n_features, "n_features", low=1)
    condition_number = check_float(condition_number, "condition_number", low=1.0)
    noise_std = check_float(noise_std, "noise_std", low=0.0)
    rng = check_random_state(random_state)
    exponents = np.linspace(0.0, 1.0, n_features) if n_features > 1 else np.zeros(1)
    scales = condition_number ** (-exponents / 2)  # variances span [1/condition_number, 1]
    X = rng.standard_normal((n_samples, n_features)) * scales  # (n_samples, n_features)
    w_true = rng.standard_normal(n_features)
    y = X @ w_true + noise_std * rng.standard_normal(n_samples)
    return X, y, w_true


def wave(X) -> np.ndarray:
    """The noise-free target of :func:`make_wave`: :math:`f(x) = \\sin(4\\pi x)`, two periods on [0, 1].

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)

    Returns
    -------
    f : ndarray of shape (n_samples,)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 1:
        raise ValueError(error_message("X", "an array of shape (n_samples, 1)", f"shape {X.shape}", "Reshape with X.reshape(-1, 1)."))
    return np.sin(4 * np.pi * X[:, 0])


def make_wave(n_samples: int, *, noise_std: float = 0.3, random_state=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A one-feature regression problem: ``x`` uniform on [0, 1], ``y = sin(4 pi x) + noise``.

    Small enough to refit hundreds of times, curved enough that a shallow tree cannot follow it
    and noisy enough that a deep one follows the noise: chapter 3.2 measures bias and variance
    on it.

    Parameters
    ----------
    n_samples : int
    noise_std : float, default=0.3
        Standard deviation of the Gaussian label noise.
    random_state : int, Generator or None, default=0

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
    f : ndarray of shape (n_samples,)
        The noise-free values :func:`wave` ``(X)``.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    noise_std = check_float(noise_std, "noise_std", low=0.0)
    rng = check_random_state(random_state)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 1))  # (n_samples, 1)
    f = wave(X)
    return X, f + noise_std * rng.standard_normal(n_samples), f
