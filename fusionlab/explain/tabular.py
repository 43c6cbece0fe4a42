"""Explaining tabular models with ``sklearn.inspection`` (and SHAP for trees).

- **Impurity importance** (mean decrease in impurity, MDI) is what a fitted forest reports in
  ``feature_importances_``. It is computed on the *training* data and favours features with
  many distinct values: a random continuous column gets split on again and again, because with
  enough thresholds some split always reduces impurity on the training set (Strobl et al. 2007).
- **Permutation importance** (Breiman 2001; Fisher, Rudin & Dominici 2019) is the drop in a
  held-out score when one column is shuffled, which breaks its link to the target. A random
  column gets about zero.
- **Partial dependence** (Friedman 2001) is the model's average prediction as one feature is
  set to each value of a grid for every row: :func:`sklearn.inspection.partial_dependence`.
- **SHAP values** (Lundberg & Lee 2017) split one prediction into per-feature contributions
  that add up to the prediction minus the average prediction; for trees they are exact and fast
  (Lundberg et al. 2020, TreeSHAP).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_array, check_int, check_random_state, check_X_y, error_message

#: Names of the two columns :func:`add_random_features` appends.
RANDOM_FEATURES = ("random_continuous", "random_categorical")


def add_random_features(X, feature_names, *, n_categories: int = 3, random_state=0):
    """Append two columns unrelated to any target: a continuous one and a low-cardinality one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    feature_names : sequence of str of length n_features
    n_categories : int, default=3
        Values of the categorical column (integers ``0 .. n_categories - 1``).
    random_state : int, default=0

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_features + 2)
        ``random_continuous`` is standard normal (every value distinct), ``random_categorical``
        uniform over the categories.
    names : list of str
    """
    X = check_array(X, "X", ndim=2)
    names = [str(name) for name in feature_names]
    if len(names) != X.shape[1]:
        raise ValueError(error_message("feature_names", f"{X.shape[1]} names, one per column of X", f"{len(names)} names", "Pass e.g. data.feature_names."))
    n_categories = check_int(n_categories, "n_categories", low=2, fix="Use e.g. 3.")
    rng = check_random_state(random_state)
    continuous = rng.standard_normal(len(X))
    categorical = rng.integers(0, n_categories, size=len(X)).astype(np.float64)
    return np.column_stack([X, continuous, categorical]), names + list(RANDOM_FEATURES)


@dataclass
class ImportanceComparison:
    """Impurity and permutation importance of the same fitted forest.

    Attributes
    ----------
    feature_names : list of str
    impurity : ndarray of shape (n_features,)
        ``feature_importances_`` (sums to 1; training data).
    permutation_mean, permutation_std : ndarray of shape (n_features,)
        Mean and standard deviation over repeats of the held-out score drop.
    """

    feature_names: list
    impurity: np.ndarray
    permutation_mean: np.ndarray
    permutation_std: np.ndarray

    def rank(self, feature: str, kind: str = "impurity") -> int:
        """1-based rank of ``feature`` by the given importance (1 = most important)."""
        values = self.impurity if kind == "impurity" else self.permutation_mean
        order = np.argsort(-values, kind="stable")
        return int(np.flatnonzero(np.asarray(self.feature_names)[order] == feature)[0]) + 1

    def table(self, top: int | None = None) -> str:
        """Features sorted by impurity importance, with both importances, as text."""
        order = np.argsort(-self.impurity, kind="stable")[:top]
        width = max(len(name) for name in self.feature_names)
        rows = [f"{'feature':<{width}} {'impurity':>9} {'permutation':>12} {'(std)':>8}"]
        for index in order:
            rows.append(f"{self.feature_names[index]:<{width}} {self.impurity[index]:>9.3f} {self.permutation_mean[index]:>12.3f} {self.permutation_std[index]:>8.3f}")
        return "\n".join(rows)


def compare_importances(forest, X_test, y_test, feature_names, *, n_repeats: int = 10, scoring=None, random_state=0) -> ImportanceComparison:
    """Impurity importance of a fitted forest next to its permutation importance on held-out data.

    Parameters
    ----------
    forest : fitted estimator with ``feature_importances_``
        E.g. ``RandomForestClassifier``.
    X_test, y_test : array-like
        Held-out data (permutation importance on training data would repeat MDI's bias).
    feature_names : sequence of str
    n_repeats : int, default=10
    scoring : str or callable, default=None
        The estimator's default score (accuracy for classifiers).
    random_state : int, default=0

    Returns
    -------
    comparison : ImportanceComparison

    See Also
    --------
    sklearn.inspection.permutation_importance : the implementation called.
    """
    from sklearn.inspection import permutation_importance

    if not hasattr(forest, "feature_importances_"):
        raise TypeError(error_message("forest", "a fitted estimator with feature_importances_", type(forest).__name__, "Fit a RandomForestClassifier first."))
    X_test, y_test = check_X_y(X_test, y_test, X_name="X_test", y_name="y_test")
    names = [str(name) for name in feature_names]
    if len(names) != X_test.shape[1] or len(forest.feature_importances_) != len(names):
        raise ValueError(error_message("feature_names", f"{len(forest.feature_importances_)} names, one per feature", f"{len(names)} names", "Pass the names of the columns the forest was fitted on."))
    n_repeats = check_int(n_repeats, "n_repeats", low=1, fix="Use e.g. 10.")
    result = permutation_importance(forest, X_test, y_test, n_repeats=n_repeats, scoring=scoring, random_state=random_state)
    return ImportanceComparison(names, np.asarray(forest.feature_importances_, dtype=np.float64), result.importances_mean, result.importances_std)


def tree_shap(forest, X, *, class_index: int = 1) -> tuple[np.ndarray, float]:
    """Exact SHAP values of a tree ensemble's predicted probability of one class (TreeSHAP).

    Parameters
    ----------
    forest : fitted scikit-learn tree ensemble (classifier)
    X : array-like of shape (n_samples, n_features)
    class_index : int, default=1
        Which class's probability is explained.

    Returns
    -------
    values : ndarray of shape (n_samples, n_features)
        ``values[i].sum() + expected_value`` equals ``forest.predict_proba(X)[i, class_index]``
        (the *local accuracy* property).
    expected_value : float
        The average prediction over the training data, as stored in the trees.

    See Also
    --------
    shap.TreeExplainer : the implementation called (imported here, not at package import).
    """
    import warnings

    with warnings.catch_warnings():  # shap 0.51 calls colormap setters Matplotlib has scheduled for removal
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        import shap

    X = check_array(X, "X", ndim=2)
    n_classes = len(getattr(forest, "classes_", [0, 1]))
    class_index = check_int(class_index, "class_index", low=0, high=n_classes - 1, fix="Pick one of the forest's classes.")
    explainer = shap.TreeExplainer(forest)
    values = explainer.shap_values(X)
    values = np.asarray(values[class_index]) if isinstance(values, list) else np.asarray(values)[..., class_index]
    return values.astype(np.float64), float(np.atleast_1d(explainer.expected_value)[class_index])


__all__ = ["ImportanceComparison", "RANDOM_FEATURES", "add_random_features", "compare_importances", "tree_shap"]
