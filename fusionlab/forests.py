"""Random forests through scikit-learn (no re-implementation): what bagging and feature
subsampling buy, what they cost a single tree, how averaging trees lowers the variance,
accuracy against the number of trees, the out-of-bag estimate against a held-out score, and the
parallel speed-up with ``n_jobs`` on the machine at hand.

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


def _check_train_test(X_train, y_train, X_test, y_test):
    """Both splits as checked arrays (``check_X_y`` on each, naming its own parameters)."""
    return (*check_X_y(X_train, y_train, X_name="X_train", y_name="y_train"), *check_X_y(X_test, y_test, X_name="X_test", y_name="y_test"))


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

    X_train, y_train, X_test, y_test = _check_train_test(X_train, y_train, X_test, y_test)
    n_estimators = check_int(n_estimators, "n_estimators", low=1)
    models = {
        "one tree": DecisionTreeClassifier(random_state=random_state),
        "bagged trees": RandomForestClassifier(n_estimators, max_features=None, random_state=random_state),
        "random forest": RandomForestClassifier(n_estimators, max_features="sqrt", random_state=random_state),
    }
    return {name: float(model.fit(X_train, y_train).score(X_test, y_test)) for name, model in models.items()}


def one_tree_variants(X_train, y_train, X_test, y_test, *, n_repeats: int = 10, max_features="sqrt", random_state=0) -> dict:
    """Held-out accuracy of one decision tree grown four ways: the two randomisations of a forest, alone and together.

    A random forest's tree differs from a plain tree in two ways: it is grown on a bootstrap
    sample (about 63% of the distinct training samples) and each split looks at only
    ``max_features`` features. Each of the four variants is grown ``n_repeats`` times with
    different seeds and its accuracies averaged: one tree is a noisy thing.

    Returns
    -------
    scores : dict
        ``{"full data, all features": acc, "bootstrap sample": acc, "feature subsampling": acc,
        "both (a forest's tree)": acc}``, each a mean over the repeats.

    See Also
    --------
    sklearn.tree.DecisionTreeClassifier, sklearn.ensemble.RandomForestClassifier
    """
    from sklearn.tree import DecisionTreeClassifier

    X_train, y_train, X_test, y_test = _check_train_test(X_train, y_train, X_test, y_test)
    n_repeats = check_int(n_repeats, "n_repeats", low=1)
    rng = np.random.default_rng(random_state)
    variants = {"full data, all features": (False, None), "bootstrap sample": (True, None),
                "feature subsampling": (False, max_features), "both (a forest's tree)": (True, max_features)}
    scores = {name: [] for name in variants}
    for _ in range(n_repeats):
        seed = int(rng.integers(2**31 - 1))
        bootstrap = np.random.default_rng(seed).integers(0, len(y_train), len(y_train))  # n draws with replacement
        for name, (resample, features) in variants.items():
            rows = bootstrap if resample else slice(None)
            tree = DecisionTreeClassifier(max_features=features, random_state=seed).fit(X_train[rows], y_train[rows])
            scores[name].append(tree.score(X_test, y_test))
    return {name: float(np.mean(values)) for name, values in scores.items()}


def bagging_variance(training_sets, X_test, *, n_estimators: int = 100, max_features=1.0, random_state=0) -> dict:
    """How averaging more trees lowers the variance of a bagged regressor, measured and predicted.

    On each training set one forest of ``n_estimators`` trees is grown; the average of its
    first ``B`` trees is a forest of ``B`` trees. Over the training sets this gives, at each test
    point, the variance of a single tree :math:`\\sigma^2`, the mean correlation :math:`\\rho` between
    two trees of the same forest (they share the training set), and the variance of the average
    of ``B`` trees, which for exchangeable trees is

    .. math:: \\operatorname{Var}\\Big(\\frac{1}{B}\\sum_{b=1}^{B} T_b\\Big) = \\rho\\,\\sigma^2 + \\frac{1 - \\rho}{B}\\,\\sigma^2 .

    Averaging removes the part of the variance the trees do not share; the part they share,
    :math:`\\rho\\sigma^2`, stays whatever ``B`` is (Breiman, 2001).

    Parameters
    ----------
    training_sets : sequence of (X, y)
        Independent draws of the training data, at least two.
    X_test : array-like of shape (n_test, n_features)
    n_estimators : int, default=100
    max_features : int, float, "sqrt" or None, default=1.0
        Features per split; 1.0 (all of them) is plain bagging.
    random_state : int, default=0
        The forest on set ``i`` is seeded with ``random_state + i``.

    Returns
    -------
    result : dict
        ``n_estimators`` (ndarray 1..B), ``variance`` (measured, per ``B``), ``predicted``
        (the formula, per ``B``), ``tree_variance`` (:math:`\\sigma^2`) and ``correlation`` (:math:`\\rho`).
        Variances are averaged over the test points.

    See Also
    --------
    sklearn.ensemble.RandomForestRegressor : the forest; its ``predict`` is the mean of ``estimators_``.
    """
    from sklearn.ensemble import RandomForestRegressor

    from .evaluate.bias_variance import _check_sets

    sets = _check_sets(training_sets)
    X_test = np.asarray(X_test, dtype=np.float64)
    n_estimators = check_int(n_estimators, "n_estimators", low=2)
    per_tree = []  # (n_sets, n_estimators, n_test)
    for index, (X, y) in enumerate(sets):
        forest = RandomForestRegressor(n_estimators, max_features=max_features, random_state=random_state + index).fit(X, y)
        per_tree.append([tree.predict(X_test) for tree in forest.estimators_])
    per_tree = np.asarray(per_tree)
    running_mean = np.cumsum(per_tree, axis=1) / np.arange(1, n_estimators + 1)[None, :, None]  # (n_sets, B, n_test)
    variance = running_mean.var(axis=0).mean(axis=1)  # (B,)
    tree_variance = float(per_tree.var(axis=0).mean())
    B = n_estimators
    mean_covariance = (B**2 * variance[-1] - B * tree_variance) / (B * (B - 1))  # average over pairs of distinct trees
    correlation = mean_covariance / tree_variance
    sizes = np.arange(1, B + 1)
    return {"n_estimators": sizes, "variance": variance, "predicted": tree_variance * (correlation + (1 - correlation) / sizes),
            "tree_variance": tree_variance, "correlation": float(correlation)}


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

    X_train, y_train, X_test, y_test = _check_train_test(X_train, y_train, X_test, y_test)
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


__all__ = ["usable_cores", "compare_tree_ensembles", "one_tree_variants", "bagging_variance", "accuracy_vs_n_estimators",
           "fit_time_vs_n_jobs"]
