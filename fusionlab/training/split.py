"""A seeded, stratified split of training data into training and validation parts."""

from __future__ import annotations

import numpy as np

from .._validation import check_float, check_random_state, check_X_y, error_message


def train_validation_split(X, y, validation_fraction: float = 0.1, *, stratify: bool = True, random_state=0):
    """Split training data into a training part and a validation part, seeded and stratified.

    The validation part is for choices made while training (early stopping, comparing
    settings); the test set stays untouched until the end.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Images or features; kept in their dtype.
    y : array-like of shape (n_samples,)
        Integer class labels.
    validation_fraction : float, default=0.1
        Share of each class (of all samples when ``stratify=False``) put in validation, in (0, 1).
    stratify : bool, default=True
        Keep the class proportions equal in both parts.
    random_state : None, int or numpy.random.Generator, default=0

    Returns
    -------
    X_train, X_validation, y_train, y_validation : ndarray
        In scikit-learn's ``train_test_split`` order; each part keeps the original sample order.

    See Also
    --------
    sklearn.model_selection.train_test_split : the reference implementation.
    """
    X, y = check_X_y(X, y, X_ndim=None, X_dtype=None, min_samples=2)
    validation_fraction = check_float(
        validation_fraction, "validation_fraction", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False,
        fix="Use e.g. 0.1 to keep a tenth of the training data for validation.",
    )
    rng = check_random_state(random_state)
    groups = [np.flatnonzero(y == label) for label in np.unique(y)] if stratify else [np.arange(len(y))]
    chosen = []
    for members in groups:
        n_validation = int(round(validation_fraction * len(members)))
        chosen.append(rng.permutation(members)[:n_validation])
    validation = np.zeros(len(y), dtype=bool)
    validation[np.concatenate(chosen)] = True
    if validation.all() or not validation.any():
        raise ValueError(
            error_message("validation_fraction", "a share leaving both parts non-empty", validation_fraction, f"With {len(y)} samples, pick a fraction between 1/{len(y)} and 1 - 1/{len(y)}.")
        )
    return X[~validation], X[validation], y[~validation], y[validation]
