"""fusionlab.evaluate.crossval against scikit-learn: same folds, same predictions, same metrics.

Tolerance: 1e-12 (float64; both sides divide the same integer counts)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fusionlab.evaluate import (
    CrossValidationReport,
    compare_models,
    cross_validate_report,
    format_cv_table,
    scores_from_confusion,
)

TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def _model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))


def test_scores_from_confusion_equal_scikit_learn_including_a_class_never_predicted():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 5, size=300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.integers(0, 4, size=300))  # class 4 rarely right
    y_pred[y_pred == 4] = 3  # class 4 is never predicted: its precision is 0/0
    scores = scores_from_confusion(confusion_matrix(y_true, y_pred, labels=range(5)))
    precision, recall, f1, _ = precision_recall_fscore_support(y_true, y_pred, labels=range(5), zero_division=0)
    np.testing.assert_allclose(scores["precision"], precision, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(scores["recall"], recall, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(scores["f1"], f1, rtol=0, atol=TOLERANCE)
    assert scores["precision"][4] == 0.0
    assert scores["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred), abs=TOLERANCE)
    assert scores["precision_macro"] == pytest.approx(precision_score(y_true, y_pred, average="macro", zero_division=0), abs=TOLERANCE)
    assert scores["recall_macro"] == pytest.approx(recall_score(y_true, y_pred, average="macro", zero_division=0), abs=TOLERANCE)
    assert scores["f1_macro"] == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0), abs=TOLERANCE)


def test_report_metrics_equal_scikit_learn_on_the_same_fold_predictions(digits):
    X, y = digits
    report = cross_validate_report(GaussianNB(), X, y, n_splits=4, random_state=3)
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=3)
    for fold, (train, test) in enumerate(folds.split(X, y)):
        predicted = GaussianNB().fit(X[train], y[train]).predict(X[test])
        np.testing.assert_array_equal(report.y_pred[test], predicted)
        for metric, function in [("precision", precision_score), ("recall", recall_score), ("f1", f1_score)]:
            expected = function(y[test], predicted, average="macro", zero_division=0)
            assert report.fold_scores[f"{metric}_macro"][fold] == pytest.approx(expected, abs=TOLERANCE)
            per_class = function(y[test], predicted, average=None, labels=report.labels, zero_division=0)
            np.testing.assert_allclose(report.per_class[metric][fold], per_class, rtol=0, atol=TOLERANCE)
        assert report.fold_scores["accuracy"][fold] == pytest.approx(accuracy_score(y[test], predicted), abs=TOLERANCE)
        np.testing.assert_array_equal(report.fold_confusions[fold], confusion_matrix(y[test], predicted, labels=report.labels))


def test_report_agrees_with_cross_validate_and_cross_val_predict(digits):
    X, y = digits
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    report = cross_validate_report(_model(), X, y, n_splits=3, random_state=0)
    reference = cross_validate(_model(), X, y, cv=folds, scoring=["accuracy", "f1_macro", "precision_macro", "recall_macro"])
    for metric in ("accuracy", "f1_macro", "precision_macro", "recall_macro"):
        np.testing.assert_allclose(report.fold_scores[metric], reference[f"test_{metric}"], rtol=0, atol=TOLERANCE)
    out_of_fold = cross_val_predict(_model(), X, y, cv=folds)
    np.testing.assert_array_equal(report.y_pred, out_of_fold)
    np.testing.assert_array_equal(report.confusion, confusion_matrix(y, out_of_fold))
    assert report.confusion.sum() == len(y)  # every sample predicted exactly once, out of fold
    np.testing.assert_allclose(report.per_class["recall"].mean(axis=1), report.fold_scores["recall_macro"], rtol=0, atol=TOLERANCE)


def test_mean_and_std_over_folds_and_the_summary(digits):
    X, y = digits
    report = cross_validate_report(_model(), X, y, n_splits=3, name="logistic")
    assert isinstance(report, CrossValidationReport) and report.n_splits == 3
    assert report.mean("f1_macro") == pytest.approx(report.fold_scores["f1_macro"].mean())
    assert report.std("f1_macro") == pytest.approx(np.std(report.fold_scores["f1_macro"], ddof=1))
    summary = report.summary()
    assert set(summary) == {"accuracy", "precision_macro", "recall_macro", "f1_macro", "fit_time_s"}
    assert summary["accuracy"][0] > 0.9
    assert report.per_class_mean("recall").shape == (10,)
    assert (report.fit_time_s > 0).all() and (report.predict_time_s > 0).all()
    text = report.per_class_table()
    assert text.count("\n") == 10 and "±" in text


def test_string_labels_and_class_names():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(4, 1, (30, 2))])
    y = np.array(["cat"] * 30 + ["dog"] * 30)
    report = cross_validate_report(LogisticRegression(), X, y, n_splits=3, class_names=["Cat", "Dog"])
    assert report.labels.tolist() == ["cat", "dog"] and report.class_names == ["Cat", "Dog"]
    assert report.mean("accuracy") > 0.9


def test_same_seed_same_folds_and_compare_models_pairs_them(digits):
    X, y = digits
    reports = compare_models({"a": _model(), "b": _model()}, X, y, n_splits=3, random_state=5)
    np.testing.assert_array_equal(reports["a"].fold_scores["accuracy"], reports["b"].fold_scores["accuracy"])
    table = format_cv_table(reports)
    assert table.splitlines()[0].startswith("model") and "a " in table and "±" in table
    other = cross_validate_report(_model(), X, y, n_splits=3, random_state=6)
    assert not np.array_equal(other.y_pred, reports["a"].y_pred)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        (np.zeros((20, 8, 8, 1)), np.arange(20) % 2, {}, ValueError, r"X must be a 2-D array .*got X=.*\(20, 8, 8, 1\).*reshape\(len\(X\), -1\)"),
        (np.zeros(20), np.arange(20) % 2, {}, ValueError, r"X must be a 2-D array"),
        (np.full((20, 2), np.nan), np.arange(20) % 2, {}, ValueError, r"X must be finite values .*2 ?\d* non-finite|X must be finite values"),
        (np.zeros((20, 2)), np.zeros(20), {}, ValueError, r"y must be labels of at least two classes; got y='one class \[0.0\]'"),
        (np.zeros((20, 2)), np.arange(19) % 2, {}, ValueError, r"X, y must be arrays with the same number of samples"),
        (np.zeros((20, 2)), np.r_[np.zeros(18), np.ones(2)], {"n_splits": 3}, ValueError, r"n_splits must be at most the size of the smallest class \(2 samples of class .*1"),
        (np.zeros((20, 2)), np.arange(20) % 2, {"n_splits": 1}, ValueError, r"n_splits must be an int in \[2, inf\]; got n_splits=1"),
        (np.zeros((20, 2)), np.eye(2)[np.arange(20) % 2], {}, ValueError, r"y must be a 1-D array of class labels"),
        (np.zeros((20, 2)), np.r_[np.arange(19) % 2, np.nan], {}, ValueError, r"y must be finite class labels"),
        (np.zeros((20, 2)), np.arange(20) % 2, {"class_names": ["only one"]}, ValueError, r"class_names must be 2 names, one per class; got class_names='1 names'"),
    ],
)
def test_bad_input_gets_a_clear_error(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        cross_validate_report(LogisticRegression(), X, y, **kwargs)


def test_bad_metric_names_and_estimators_dict(digits):
    X, y = digits
    report = cross_validate_report(_model(), X, y, n_splits=3)
    with pytest.raises(ValueError, match=r"metric must be one of \['accuracy'"):
        report.mean("auc")
    with pytest.raises(ValueError, match=r"metric must be one of \['precision', 'recall', 'f1'\]"):
        report.per_class_mean("support")
    with pytest.raises(ValueError, match=r"metrics must be names among"):
        format_cv_table([report], metrics=("auc",))
    with pytest.raises(TypeError, match=r"estimators must be a non-empty dict"):
        compare_models([_model()], X, y)
    with pytest.raises(ValueError, match=r"confusion must be a square matrix"):
        scores_from_confusion(np.ones((2, 3)))
