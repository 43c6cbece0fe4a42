"""Synthetic tabular problems with known answers."""

from __future__ import annotations

import numpy as np

from .._validation import check_float, check_int, check_random_state


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
