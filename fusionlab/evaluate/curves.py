"""Learning curves by training-set size, scored on one fixed held-out set, and the training loss
of a boosted ensemble round by round.

Used in chapter 2 (which model family wins depends on how much data there is; every model
family minimises a training loss).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from .._validation import check_int, check_random_state, check_X_y, error_message


def _stratified_subset(y, size, rng):
    """Indices of ``size`` samples with the class proportions of ``y`` (at least one per class)."""
    classes, y_index = np.unique(y, return_inverse=True)
    counts = np.bincount(y_index)
    quota = np.maximum(1, np.floor(counts / len(y) * size).astype(int))
    quota = np.minimum(quota, counts)
    while quota.sum() < size:  # hand the remainder to the classes with most samples left
        quota[np.argmax(counts - quota)] += 1
    return np.concatenate([rng.choice(np.flatnonzero(y_index == c), q, replace=False) for c, q in enumerate(quota)])


def learning_curve_by_size(estimator, X_train, y_train, X_test, y_test, train_sizes: Sequence[int], *,
                           n_repeats: int = 1, random_state=0) -> dict:
    """Fit a fresh copy of ``estimator`` on stratified subsets of growing size; score each on the test set.

    Parameters
    ----------
    estimator : scikit-learn compatible estimator
        Cloned for every fit (``sklearn.base.clone``), so it is never modified.
    X_train, y_train : arrays of shape (n_train, n_features), (n_train,)
    X_test, y_test : arrays
        The fixed held-out set every model is scored on.
    train_sizes : sequence of int
        Each in [n_classes, n_train].
    n_repeats : int, default=1
        Different random subsets per size; scores are averaged.
    random_state : int, Generator or None
        Seeds the subsets.

    Returns
    -------
    curve : dict of ndarray
        ``train_size``, ``train_score``, ``test_score`` (means over repeats), ``test_score_std``
        and ``fit_time_s``.

    See Also
    --------
    sklearn.model_selection.learning_curve : the cross-validated version.
    """
    from sklearn.base import clone

    X_train, y_train = check_X_y(X_train, y_train, X_name="X_train", y_name="y_train")
    X_test, y_test = check_X_y(X_test, y_test, X_name="X_test", y_name="y_test")
    n_repeats = check_int(n_repeats, "n_repeats", low=1)
    n_classes = len(np.unique(y_train))
    sizes = [check_int(s, f"train_sizes[{i}]", low=n_classes, high=len(y_train), fix="Every class needs a sample; no more than the training set.") for i, s in enumerate(train_sizes)]
    if not sizes:
        raise ValueError(error_message("train_sizes", "a non-empty sequence of ints", list(train_sizes), "Pass e.g. [50, 100, 200]."))
    rng = check_random_state(random_state)
    curve = {"train_size": [], "train_score": [], "test_score": [], "test_score_std": [], "fit_time_s": []}
    for size in sizes:
        train_scores, test_scores, seconds = [], [], []
        for _ in range(n_repeats):
            subset = _stratified_subset(y_train, size, rng)
            model = clone(estimator)
            start = time.perf_counter()
            model.fit(X_train[subset], y_train[subset])
            seconds.append(time.perf_counter() - start)
            train_scores.append(model.score(X_train[subset], y_train[subset]))
            test_scores.append(model.score(X_test, y_test))
        curve["train_size"].append(size)
        curve["train_score"].append(np.mean(train_scores))
        curve["test_score"].append(np.mean(test_scores))
        curve["test_score_std"].append(np.std(test_scores))
        curve["fit_time_s"].append(np.mean(seconds))
    return {key: np.asarray(value, dtype=float) for key, value in curve.items()}


def staged_log_loss(model, X, y) -> np.ndarray:
    """Training cross-entropy of a fitted boosted ensemble after each boosting iteration.

    Parameters
    ----------
    model : fitted estimator with ``staged_predict_proba`` and ``classes_``
        e.g. ``sklearn.ensemble.HistGradientBoostingClassifier``.
    X, y : arrays

    Returns
    -------
    loss : ndarray of shape (n_iterations,)
        Mean log loss (natural log) after 1, 2, ... boosting iterations.

    See Also
    --------
    sklearn.metrics.log_loss : the reference for one iteration.
    """
    X, y = check_X_y(X, y)
    if not hasattr(model, "staged_predict_proba"):
        raise TypeError(error_message("model", "a fitted boosted classifier with staged_predict_proba", type(model).__name__, "Use HistGradientBoostingClassifier."))
    y_index = np.searchsorted(model.classes_, y)
    rows = np.arange(len(y))
    return np.array([-np.mean(np.log(np.clip(p[rows, y_index], 1e-15, None))) for p in model.staged_predict_proba(X)])


__all__ = ["learning_curve_by_size", "staged_log_loss"]
