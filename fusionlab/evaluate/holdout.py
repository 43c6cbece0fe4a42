"""Scores over several random train/test splits, so a comparison is not one lucky split.

Used in chapter 2 (neural network vs random forest on images and on tabular data).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._text import format_rows
from .._validation import check_float, check_int, check_X_y, error_message


@dataclass
class HoldoutScores:
    """What :func:`repeated_holdout_scores` measured, model by model.

    Attributes
    ----------
    scores : dict of str to ndarray of shape (n_splits,)
        Held-out accuracy of each model on each split.
    fit_time_s : dict of str to ndarray of shape (n_splits,)
        Seconds each model took to fit on each split.
    """

    scores: dict
    fit_time_s: dict

    def table(self) -> str:
        """One row per model: accuracy as mean ± standard deviation over the splits, and mean fit seconds."""
        rows = {
            name: {"accuracy": f"{values.mean():.4f} ± {values.std():.4f}", "fit s": float(self.fit_time_s[name].mean())}
            for name, values in self.scores.items()
        }
        return format_rows(rows, formats={"fit s": ".2f"})


def repeated_holdout_scores(models: dict, X, y, *, n_splits: int = 5, test_size: float = 0.25, random_state=0) -> HoldoutScores:
    """Held-out accuracy of every model on the same ``n_splits`` stratified random splits.

    Parameters
    ----------
    models : dict
        ``{name: scikit-learn compatible estimator}``; each is cloned for every split.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    n_splits : int, default=5
    test_size : float, default=0.25
    random_state : int, default=0
        Seeds the splits (the same splits for every model).

    Returns
    -------
    result : HoldoutScores
        ``result.scores[name]`` and ``result.fit_time_s[name]``, arrays of shape (n_splits,).

    See Also
    --------
    sklearn.model_selection.StratifiedShuffleSplit, sklearn.model_selection.cross_val_score
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedShuffleSplit

    if not isinstance(models, dict) or not models:
        raise TypeError(error_message("models", "a non-empty dict {name: estimator}", type(models).__name__, "Pass e.g. {'forest': RandomForestClassifier()}."))
    X, y = check_X_y(X, y)
    n_splits = check_int(n_splits, "n_splits", low=1)
    test_size = check_float(test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    splitter = StratifiedShuffleSplit(n_splits=n_splits, test_size=test_size, random_state=random_state)
    scores = {name: [] for name in models}
    seconds = {name: [] for name in models}
    for train, test in splitter.split(X, y):
        for name, estimator in models.items():
            model = clone(estimator)
            start = time.perf_counter()
            model.fit(X[train], y[train])
            seconds[name].append(time.perf_counter() - start)
            scores[name].append(model.score(X[test], y[test]))
    return HoldoutScores(
        scores={name: np.asarray(values) for name, values in scores.items()},
        fit_time_s={name: np.asarray(values) for name, values in seconds.items()},
    )


__all__ = ["HoldoutScores", "repeated_holdout_scores"]
