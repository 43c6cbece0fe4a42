"""Random forests through scikit-learn (no re-implementation): what bagging and feature
subsampling buy, accuracy against the number of trees, the out-of-bag estimate against a
held-out score, and the parallel speed-up with ``n_jobs`` on the machine at hand.

Used in chapters 2 and 3.2.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence

import numpy as np

from ._validation import check_int, check_X_y, error_message


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask), which can be fewer than ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _check_grid(values, name, low=1):
    values = list(values)
    if not values:
        raise ValueError(error_message(name, "a non-empty sequence of ints", values, "Pass e.g. [1, 10, 100]."))
    return [check_int(v, f"{name}[{i}]", low=low) for i, v in enumerate(values)]


def compare_tree_ensembles(X_train, y_train, X_test, y_test, *, n_estimators: int = 100, random_state=0) -> dict:
    """Held-out accuracy of one tree, bagged trees (all features per split) and a random forest.

    Bagging averages trees grown on bootstrap samples; a random forest also draws a random subset
    of ``sqrt(n_features)`` features at every split, which decorrelates the trees further
    (Breiman, 2001).

    Returns
    -------
    scores : dict
        ``{"one tree": acc, "bagged trees": acc, "random forest": acc}``.

    See Also
    --------
    sklearn.ensemble.RandomForestClassifier, sklearn.ensemble.BaggingClassifier
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    X_train, y_train = check_X_y(X_train, y_train, X_name="X_train", y_name="y_train")
    X_test, y_test = check_X_y(X_test, y_test, X_name="X_test", y_name="y_test")
    n_estimators = check_int(n_estimators, "n_estimators", low=1)
    models = {
        "one tree": DecisionTreeClassifier(random_state=random_state),
        "bagged trees": RandomForestClassifier(n_estimators, max_features=None, random_state=random_state),
        "random forest": RandomForestClassifier(n_estimators, max_features="sqrt", random_state=random_state),
    }
    return {name: float(model.fit(X_train, y_train).score(X_test, y_test)) for name, model in models.items()}


def accuracy_vs_n_estimators(X_train, y_train, X_test, y_test, n_estimators_grid: Sequence[int], *,
                             max_features="sqrt", random_state=0) -> dict:
    """Grow one forest tree by tree (``warm_start``) and score it at each size.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : arrays
    n_estimators_grid : sequence of int
        Forest sizes, increasing (e.g. ``[1, 2, 5, 10, 20, 50, 100, 200]``).
    max_features : {"sqrt", "log2", None} or int or float, default="sqrt"
    random_state : int, default=0

    Returns
    -------
    result : dict of ndarray
        ``n_estimators``, ``test_accuracy``, ``oob_accuracy`` (NaN while some training sample has
        not yet been left out of any tree) and ``train_accuracy``.

    See Also
    --------
    sklearn.ensemble.RandomForestClassifier : the model (``oob_score=True``, ``warm_start=True``).
    """
    from sklearn.ensemble import RandomForestClassifier

    X_train, y_train = check_X_y(X_train, y_train, X_name="X_train", y_name="y_train")
    X_test, y_test = check_X_y(X_test, y_test, X_name="X_test", y_name="y_test")
    grid = _check_grid(n_estimators_grid, "n_estimators_grid")
    if grid != sorted(set(grid)):
        raise ValueError(error_message("n_estimators_grid", "strictly increasing ints", grid, "Sort it and drop repeats."))
    forest = RandomForestClassifier(n_estimators=grid[0], max_features=max_features, oob_score=True, warm_start=True, random_state=random_state)
    result = {"n_estimators": [], "test_accuracy": [], "oob_accuracy": [], "train_accuracy": []}
    for n_estimators in grid:
        forest.set_params(n_estimators=n_estimators)
        with warnings.catch_warnings():  # few trees leave some samples never out of bag: sklearn warns, we report NaN
            warnings.simplefilter("ignore", UserWarning)
            forest.fit(X_train, y_train)
        oob_decision = forest.oob_decision_function_
        complete = not np.any(np.isnan(oob_decision)) and np.all(oob_decision.sum(axis=1) > 0)
        result["n_estimators"].append(n_estimators)
        result["test_accuracy"].append(forest.score(X_test, y_test))
        result["oob_accuracy"].append(float(forest.oob_score_) if complete else float("nan"))
        result["train_accuracy"].append(forest.score(X_train, y_train))
    return {key: np.asarray(value, dtype=float) for key, value in result.items()}


def fit_time_vs_n_jobs(X, y, n_jobs_grid: Sequence[int], *, n_estimators: int = 100, repeats: int = 3, random_state=0) -> dict:
    """Median wall-clock seconds to fit a random forest for each ``n_jobs``, and the speed-up.

    Trees are independent, so a forest parallelises across trees; the speed-up is bounded by
    the cores the process may use (see :func:`usable_cores`) and by whatever else the machine
    is doing. Each setting is timed ``repeats`` times, interleaved, and the median kept.

    Returns
    -------
    result : dict of ndarray
        ``n_jobs``, ``time_s`` (median seconds), ``all_time_s`` (repeats x settings) and ``speedup``
        (``time_s[n_jobs=first] / time_s``).

    See Also
    --------
    sklearn.ensemble.RandomForestClassifier : ``n_jobs`` parallelises tree building with joblib.
    """
    from sklearn.ensemble import RandomForestClassifier

    X, y = check_X_y(X, y)
    grid = _check_grid(n_jobs_grid, "n_jobs_grid")
    n_estimators = check_int(n_estimators, "n_estimators", low=1)
    repeats = check_int(repeats, "repeats", low=1)
    seconds = np.zeros((repeats, len(grid)))
    for repeat in range(repeats):
        for column, n_jobs in enumerate(grid):
            forest = RandomForestClassifier(n_estimators=n_estimators, n_jobs=n_jobs, random_state=random_state)
            start = time.perf_counter()
            forest.fit(X, y)
            seconds[repeat, column] = time.perf_counter() - start
    median = np.median(seconds, axis=0)
    return {"n_jobs": np.asarray(grid), "time_s": median, "all_time_s": seconds, "speedup": median[0] / median}


__all__ = ["usable_cores", "compare_tree_ensembles", "accuracy_vs_n_estimators", "fit_time_vs_n_jobs"]
