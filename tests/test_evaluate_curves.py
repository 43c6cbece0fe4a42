"""fusionlab.evaluate learning curves and repeated hold-out, against hand-rolled scikit-learn loops."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from fusionlab.evaluate import learning_curve_by_size, repeated_holdout_scores
from fusionlab.evaluate.curves import _stratified_subset


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def test_stratified_subset_has_the_size_and_every_class():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    for size in (3, 10, 37, 100):
        subset = _stratified_subset(y, size, np.random.default_rng(0))
        assert len(subset) == size == len(set(subset))
        assert set(y[subset]) == {0, 1, 2}


def test_learning_curve_full_size_equals_a_plain_fit(iris):
    X_train, X_test, y_train, y_test = iris
    model = KNeighborsClassifier(3)
    curve = learning_curve_by_size(model, X_train, y_train, X_test, y_test, [6, 30, len(y_train)], n_repeats=2, random_state=0)
    assert curve["test_score"][-1] == pytest.approx(KNeighborsClassifier(3).fit(X_train, y_train).score(X_test, y_test))
    assert curve["test_score_std"][-1] == 0.0  # the full set is the same subset every time
    assert curve["train_size"].tolist() == [6, 30, len(y_train)] and np.all(curve["fit_time_s"] > 0)
    assert not hasattr(model, "classes_")  # the estimator passed in is never fitted


def test_repeated_holdout_uses_the_same_splits_as_stratified_shuffle_split():
    X, y = load_iris(return_X_y=True)
    result = repeated_holdout_scores({"logistic": LogisticRegression(max_iter=1000)}, X, y, n_splits=3, random_state=1)
    splitter = StratifiedShuffleSplit(n_splits=3, test_size=0.25, random_state=1)
    expected = [LogisticRegression(max_iter=1000).fit(X[a], y[a]).score(X[b], y[b]) for a, b in splitter.split(X, y)]
    np.testing.assert_allclose(result.scores["logistic"], expected)
    assert result.fit_time_s["logistic"].shape == (3,) and np.all(result.fit_time_s["logistic"] > 0)
    header, _, row = result.table().splitlines()  # header, rule, one row
    assert header.split() == ["model", "accuracy", "fit", "s"] and row.startswith("logistic") and f"{np.mean(expected):.4f} ±" in row


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda d: learning_curve_by_size(KNeighborsClassifier(1), d[0], d[2], d[1], d[3], [2]), ValueError, r"train_sizes\[0\] must be an int in \[3, 105\]; got train_sizes\[0\]=2"),
        (lambda d: learning_curve_by_size(KNeighborsClassifier(1), d[0], d[2], d[1], d[3], []), ValueError, r"train_sizes must be a non-empty sequence"),
        (lambda d: repeated_holdout_scores([], d[0], d[2]), TypeError, r"models must be a non-empty dict"),
        (lambda d: repeated_holdout_scores({"k": KNeighborsClassifier()}, d[0], d[2], test_size=1.5), ValueError, r"test_size must be a number in \(0.0, 1.0\)"),
    ],
)
def test_bad_input_is_named(iris, call, error, match):
    with pytest.raises(error, match=match):
        call(iris)
