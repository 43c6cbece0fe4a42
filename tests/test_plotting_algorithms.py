"""Every figure of chapters 2-3 draws, with a title and labelled axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fusionlab import plotting  # noqa: E402
from fusionlab.data import make_linear_regression  # noqa: E402
from fusionlab.optim import LeastSquares, gradient_descent, make_schedule  # noqa: E402


def _labelled(figure):
    axes = [ax for ax in figure.axes if ax.has_data()]
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_title() or figure._suptitle is not None
    plt.close(figure)


def test_every_algorithms_figure_is_labelled():
    X, y, _ = make_linear_regression(50, 2, random_state=0)
    bowl = LeastSquares(X, y)
    _, history = gradient_descent(bowl, np.zeros(2), learning_rate=0.5, n_steps=5, record_weights=True)
    curve = {"train_size": np.array([10, 20]), "test_score": np.array([0.5, 0.7]), "test_score_std": np.array([0.1, 0.0])}
    figures = [
        plotting.plot_learning_curves({"model": curve}),
        plotting.plot_loss_surface(bowl, {"GD": np.array(history.weights)}),
        plotting.plot_curves({"GD": history}, best=bowl.loss(bowl.solution()), log=True, logx=True),
        plotting.plot_curves({"GD": history}, ["loss", "learning_rate"], x="step", log=["loss"]),
        plotting.plot_scaling([10, 100], {"a": [1.0, 0.1]}, ylabel="loss (units)", title="t"),
        plotting.plot_gradient_noise({1: 1.0, 10: 0.1, 100: 0.0}),
        plotting.plot_schedules({"cosine": make_schedule("cosine", 0.1, 10)}, 10),
        plotting.plot_trees_vs_accuracy({"n_estimators": [1, 10], "test_accuracy": [0.7, 0.9], "oob_accuracy": [np.nan, 0.88]}),
        plotting.plot_speedup({"n_jobs": [1, 2], "speedup": [1.0, 1.8]}, cores=2),
        plotting.plot_bias_variance({"value": [1, None], "bias2": np.array([0.3, 0.0]), "variance": np.array([0.05, 0.1]),
                                     "noise": np.array([0.09, 0.09]), "error": np.array([0.44, 0.19]),
                                     "train_error": np.array([0.4, 0.0]), "test_error": np.array([np.nan, np.nan])}),
        plotting.plot_bagging_variance({"n_estimators": np.arange(1, 4), "variance": np.array([0.1, 0.07, 0.06]),
                                        "predicted": np.array([0.1, 0.07, 0.06]), "tree_variance": 0.1, "correlation": 0.4}),
    ]
    for figure in figures:
        _labelled(figure)
