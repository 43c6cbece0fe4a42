"""fusionlab.forests: thin helpers over scikit-learn, checked against scikit-learn itself."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from fusionlab.evaluate import staged_log_loss
from fusionlab.forests import accuracy_vs_n_estimators, compare_tree_ensembles, fit_time_vs_n_jobs, usable_cores


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X[:600] / 16.0, y[:600], test_size=0.3, stratify=y[:600], random_state=0)


def test_accuracy_vs_n_estimators_matches_a_forest_fit_from_scratch(digits):
    X_train, X_test, y_train, y_test = digits
    result = accuracy_vs_n_estimators(X_train, y_train, X_test, y_test, [1, 5, 30], random_state=0)
    reference = RandomForestClassifier(30, oob_score=True, random_state=0).fit(X_train, y_train)
    assert result["test_accuracy"][-1] == pytest.approx(reference.score(X_test, y_test))
    assert result["oob_accuracy"][-1] == pytest.approx(reference.oob_score_)
    assert np.isnan(result["oob_accuracy"][0])  # with one tree, the samples it was grown on are never out of bag
    assert result["test_accuracy"][-1] > result["test_accuracy"][0]


def test_ensembles_beat_one_tree(digits):
    X_train, X_test, y_train, y_test = digits
    scores = compare_tree_ensembles(X_train, y_train, X_test, y_test, n_estimators=30, random_state=0)
    assert set(scores) == {"one tree", "bagged trees", "random forest"}
    assert scores["random forest"] > scores["one tree"] and scores["bagged trees"] > scores["one tree"]


def test_fit_time_vs_n_jobs_reports_medians_and_speedup(digits):
    X_train, _, y_train, _ = digits
    result = fit_time_vs_n_jobs(X_train, y_train, [1, 2], n_estimators=5, repeats=3)
    assert result["all_time_s"].shape == (3, 2)
    np.testing.assert_allclose(result["time_s"], np.median(result["all_time_s"], axis=0))
    assert result["speedup"][0] == 1.0 and np.all(result["time_s"] > 0)


def test_fit_time_vs_n_jobs_takes_medians_of_interleaved_runs(digits, monkeypatch):
    import fusionlab.forests

    durations = iter([4.0, 2.0, 6.0, 2.0, 4.0, 3.0])  # repeat by repeat: n_jobs=1, then n_jobs=2
    clock = iter(np.cumsum([0.0] + [d for duration in durations for d in (duration, 1.0)]))
    monkeypatch.setattr(fusionlab.forests.time, "perf_counter", lambda: float(next(clock)))
    result = fit_time_vs_n_jobs(digits[0], digits[2], [1, 2], n_estimators=2, repeats=3)
    np.testing.assert_array_equal(result["all_time_s"], [[4.0, 2.0], [6.0, 2.0], [4.0, 3.0]])
    np.testing.assert_array_equal(result["time_s"], [4.0, 2.0])
    np.testing.assert_array_equal(result["speedup"], [1.0, 2.0])


def test_usable_cores_reads_the_affinity_mask_and_falls_back_to_the_cpu_count(monkeypatch):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert usable_cores() == 3
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    assert usable_cores() == 7


def test_staged_log_loss_equals_sklearn_log_loss(digits):
    X_train, _, y_train, _ = digits
    model = HistGradientBoostingClassifier(max_iter=5, early_stopping=False, random_state=0).fit(X_train, y_train)
    losses = staged_log_loss(model, X_train, y_train)
    assert losses.shape == (5,)
    assert losses[-1] == pytest.approx(log_loss(y_train, model.predict_proba(X_train)), rel=1e-10)
    assert np.all(np.diff(losses) < 0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda d: accuracy_vs_n_estimators(d[0], d[2], d[1], d[3], [5, 1]), ValueError, r"n_estimators_grid must be strictly increasing ints"),
        (lambda d: accuracy_vs_n_estimators(d[0], d[2], d[1], d[3], [0]), ValueError, r"n_estimators_grid\[0\] must be an int in \[1, inf\]; got n_estimators_grid\[0\]=0"),
        (lambda d: accuracy_vs_n_estimators(d[0], d[2][:-1], d[1], d[3], [1]), ValueError, r"X_train, y_train must be arrays with the same number of samples"),
        (lambda d: fit_time_vs_n_jobs(d[0], d[2], []), ValueError, r"n_jobs_grid must be a non-empty sequence"),
        (lambda d: compare_tree_ensembles(np.full_like(d[0], np.nan), d[2], d[1], d[3]), ValueError, r"X_train must be finite values"),
        (lambda d: staged_log_loss(RandomForestClassifier(), d[0], d[2]), TypeError, r"model must be a fitted boosted classifier"),
    ],
)
def test_bad_input_is_named(digits, call, error, match):
    with pytest.raises(error, match=match):
        call(digits)


def test_one_tree_variants_are_trees_grown_with_each_randomisation(digits):
    from sklearn.tree import DecisionTreeClassifier

    from fusionlab.forests import one_tree_variants

    X_train, X_test, y_train, y_test = digits
    scores = one_tree_variants(X_train, y_train, X_test, y_test, n_repeats=1, random_state=4)
    seed = int(np.random.default_rng(4).integers(2**31 - 1))
    rows = np.random.default_rng(seed).integers(0, len(y_train), len(y_train))
    both = DecisionTreeClassifier(max_features="sqrt", random_state=seed).fit(X_train[rows], y_train[rows])
    assert scores["both (a forest's tree)"] == pytest.approx(both.score(X_test, y_test))
    plain = DecisionTreeClassifier(random_state=seed).fit(X_train, y_train)
    assert scores["full data, all features"] == pytest.approx(plain.score(X_test, y_test))
    averaged = one_tree_variants(X_train, y_train, X_test, y_test, n_repeats=8, random_state=0)
    assert averaged["full data, all features"] > averaged["both (a forest's tree)"]  # each randomisation weakens one tree
