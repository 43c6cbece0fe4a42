"""Preprocessing leakage: fitting a step on all the data before cross-validation (chapter 3.3).

A step that learns from the data, here feature selection by correlation with the labels, must be
fitted on the training folds only. Fitted on all the samples first, it has already seen the
held-out fold's labels, and cross-validation reports skill the model does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_classification_data, check_int, check_random_state, error_message


def make_noise_classification(n_samples: int = 100, n_features: int = 5_000, n_classes: int = 2, *, random_state=None):
    """Features and labels with nothing to learn: every honest estimate is chance.

    Parameters
    ----------
    n_samples : int, default=100
    n_features : int, default=5000
        Independent standard normal features.
    n_classes : int, default=2
        Labels are balanced (as equal as possible) and independent of the features.
    random_state : None, int or numpy.random.Generator, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int64
    """
    n_samples = check_int(n_samples, "n_samples", low=4, fix="Use at least a few samples per class.")
    n_features = check_int(n_features, "n_features", low=1)
    n_classes = check_int(n_classes, "n_classes", low=2, high=n_samples // 2, fix="Keep at least two samples per class.")
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))  # (n_samples, n_features)
    y = rng.permutation(np.arange(n_samples) % n_classes).astype(np.int64)  # (n_samples,)
    return X, y


@dataclass
class LeakageResult:
    """Fold scores of the same model evaluated two ways on the same folds.

    Attributes
    ----------
    leaky_scores : ndarray of shape (n_splits,)
        Preprocessing fitted once on all samples, then cross-validation of the model.
    honest_scores : ndarray of shape (n_splits,)
        Preprocessing and model in one pipeline, refitted on each training fold.
    chance : float
        Accuracy of always predicting the most frequent class.
    """

    leaky_scores: np.ndarray
    honest_scores: np.ndarray
    chance: float

    @property
    def inflation(self) -> float:
        """Mean leaky score minus mean honest score."""
        return float(self.leaky_scores.mean() - self.honest_scores.mean())


def leakage_experiment(X, y, *, preprocessing=None, estimator=None, n_splits: int = 5, random_state: int | None = 0) -> LeakageResult:
    """Cross-validate one model with its preprocessing fitted outside and inside the folds.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    preprocessing : transformer or list of (str, transformer), default=None
        ``None`` means ``SelectKBest(f_classif, k=min(20, n_features))``: keep the 20 features
        most correlated with the labels.
    estimator : classifier, default=None
        ``None`` means ``LogisticRegression(max_iter=2000)``.
    n_splits : int, default=5
    random_state : int or None, default=0
        Seeds the (shared) stratified folds.

    Returns
    -------
    result : LeakageResult
        Accuracy per fold, leaky and honest, on the same folds.

    See Also
    --------
    sklearn.model_selection.cross_val_score : used for both estimates.

    Notes
    -----
    The classic demonstration is Hastie, Tibshirani and Friedman's "wrong way to do
    cross-validation": with pure-noise features, selection on all samples finds features that
    happen to correlate with the labels of every fold, the held-out fold included.
    """
    from sklearn.base import clone
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline

    n_splits = check_int(n_splits, "n_splits", low=2, fix="Use 3 or 5 folds.")
    X, y = check_classification_data(X, y, n_splits=n_splits)
    if preprocessing is None:
        preprocessing = [("select", SelectKBest(f_classif, k=min(20, X.shape[1])))]
    elif not isinstance(preprocessing, list):
        if not hasattr(preprocessing, "fit_transform"):
            raise TypeError(error_message("preprocessing", "a transformer or a list of (name, transformer)", type(preprocessing).__name__))
        preprocessing = [("preprocess", preprocessing)]
    estimator = LogisticRegression(max_iter=2000) if estimator is None else estimator
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)

    leaky_transform = Pipeline([(name, clone(step)) for name, step in preprocessing])
    X_leaky = leaky_transform.fit_transform(X, y)  # fitted on every sample: the mistake
    leaky = cross_val_score(clone(estimator), X_leaky, y, cv=folds, scoring="accuracy")
    honest_pipeline = Pipeline([*[(name, clone(step)) for name, step in preprocessing], ("model", clone(estimator))])
    honest = cross_val_score(honest_pipeline, X, y, cv=folds, scoring="accuracy")
    _, counts = np.unique(y, return_counts=True)
    return LeakageResult(leaky_scores=leaky, honest_scores=honest, chance=float(counts.max() / counts.sum()))
