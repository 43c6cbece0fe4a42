"""Figures of chapter 3.3: each has a title and labelled axes with units, and checks its input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from fusionlab.evaluate import compare_models
from fusionlab.pipeline import LeakageResult
from fusionlab.history import History
from fusionlab.plotting import plot_curves, plot_cv_comparison, plot_heatmap, plot_leakage


@pytest.fixture(scope="module")
def reports():
    X, y = load_digits(return_X_y=True)
    return compare_models({"naive Bayes": GaussianNB(), "logistic": LogisticRegression(max_iter=300)}, X[:300] / 16, y[:300], n_splits=3)


def _labelled(figure):
    ax = figure.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    return ax


def test_cv_comparison_draws_one_error_bar_per_model(reports):
    figure = plot_cv_comparison(reports, metric="f1_macro")
    ax = _labelled(figure)
    assert "(s, log scale)" in ax.get_xlabel() and ax.get_xscale() == "log"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["naive Bayes", "logistic"]
    plt.close(figure)
    with pytest.raises(ValueError, match=r"metric must be one of \['accuracy', 'precision_macro', 'recall_macro', 'f1_macro'\]; got metric='auc'"):
        plot_cv_comparison(reports, metric="auc")
    with pytest.raises(ValueError, match=r"reports must be at least one report"):
        plot_cv_comparison({})


def test_confusion_rows_are_shares_of_the_true_class(reports):
    report = reports["logistic"]
    figure = plot_heatmap(report.confusion, report.class_names, report.class_names, style="confusion", title=report.name)
    ax = _labelled(figure)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    rates = ax.images[0].get_array()
    np.testing.assert_allclose(np.asarray(rates).sum(axis=1), 100.0)  # percent of each true class
    plt.close(figure)


def test_leakage_figure_groups_cases():
    result = LeakageResult(leaky_scores=np.array([0.9, 0.8]), honest_scores=np.array([0.5, 0.4]), chance=0.5)
    figure = plot_leakage({"noise": result, "digits": result})
    ax = _labelled(figure)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["noise", "digits"]
    assert len(ax.patches) == 4
    plt.close(figure)


def test_a_keras_history_is_adapted_and_drawn_per_metric():
    figure = plot_curves(History.from_keras({"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9]}), ["loss", "accuracy"])
    ax = _labelled(figure)
    assert ax.get_ylabel() == "training loss" and len(figure.axes) == 2
    np.testing.assert_array_equal(figure.axes[1].lines[0].get_xdata(), [1, 2, 3])
    plt.close(figure)
    with pytest.raises(TypeError, match=r"history must be a keras History or a dict of per-epoch lists with a 'loss' key; got history='dict'"):
        History.from_keras({"accuracy": [0.5]})
