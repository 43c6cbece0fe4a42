"""Figures of chapters 5.2 and 5.3: each draws from plain arrays and result objects, labels its
axes, and refuses malformed input with a clear message."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fusionlab import plotting  # noqa: E402
from fusionlab.explain import ImportanceComparison, SanityCheckResult  # noqa: E402
from fusionlab.history import History  # noqa: E402
from fusionlab.privacy import loss_threshold_attack  # noqa: E402


def _labelled(figure):
    axes = [ax for ax in figure.axes if ax.get_xlabel() or ax.get_ylabel() or ax.get_title()]
    assert axes, "no axis has a label or title"
    return figure


def teardown_function():
    plt.close("all")


def test_attribution_and_sanity_figures():
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(2, 8, 8, 3))
    maps = {"gradient": rng.uniform(size=(2, 8, 8)), "occlusion": rng.uniform(size=(2, 8, 8))}
    figure = plotting.plot_attributions(images, maps, labels=["a", "b"], overlay="occlusion")
    assert len(figure.axes) == 2 * 4 and "overlay: occlusion" in figure.axes[3].get_title()
    correlation = {"absolute": {"gradient": rng.uniform(size=(3, 2)), "edge_detector": np.ones((3, 2))},
                   "signed": {"gradient": rng.uniform(size=(3, 2)), "edge_detector": np.ones((3, 2))}}
    reference = {metric: {"gradient": 0.3, "edge_detector": 0.5} for metric in ("absolute", "signed")}
    result = SanityCheckResult(["trained", "dense", "conv"], correlation, reference, 0.1, {"gradient": rng.normal(size=(3, 2, 8, 8))})
    _labelled(plotting.plot_sanity_check(result))
    assert len(plotting.plot_sanity_maps(result, images[0]).axes) == 1 * 4
    _labelled(plotting.plot_completeness([4, 16], {"trapezoid": rng.uniform(size=(2, 3))}))
    with pytest.raises(ValueError, match="images/maps must be a 4-D image array and a non-empty dict of maps"):
        plotting.plot_attributions(images[0], maps)


def test_tabular_and_contribution_figures():
    comparison = ImportanceComparison(["a", "b", "random_continuous"], np.array([0.5, 0.2, 0.3]), np.array([0.1, 0.0, 0.0]), np.zeros(3))
    figure = _labelled(plotting.plot_importances(comparison, top=2))
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()][-1] == "a"
    figure = _labelled(plotting.plot_pixel_importance(np.arange(64.0) / 1000, (8, 8), image=np.zeros((8, 8))))
    assert len(figure.axes[1].texts) == 64 and figure.axes[1].texts[-1].get_text() == "6.3"  # the one heat map, in percentage points
    _labelled(plotting.plot_partial_dependence([np.arange(3)], [np.ones(3)], ["a"]))
    figure = plotting.plot_contributions(["x", "y", "z"], [0.5, -0.25, 0.1], 3.0, top=2)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0] == "start = 3" and labels[-1] == "prediction = 3.35" and "1 other terms" in labels


def test_privacy_figures():
    _labelled(plotting.plot_privacy_utility([1, 2, 4], [0.5, 0.6, 0.7], non_private_accuracy=0.8))
    with pytest.raises(ValueError, match="epsilons must be finite values, one per accuracy"):
        plotting.plot_privacy_utility([1, np.inf], [0.5, 0.8])
    attacks = {"overfit": loss_threshold_attack([0.1, 0.2, 0.3], [0.5, 0.25, 0.9]), "epsilon = 1": loss_threshold_attack([0.4, 0.5], [0.45, 0.5])}
    figure = _labelled(plotting.plot_membership(attacks, bounds={"epsilon = 1": 0.73, "overfit": 1.0}))
    assert len(figure.axes) == 2
    _labelled(plotting.plot_client_split([np.array([0, 1]), np.array([2, 3])], [0, 1, 1, 2]))
    rounds = {"iid": History.from_epochs(val_accuracy=[0.2, 0.5, 0.9]), "skewed": History.from_epochs(val_accuracy=[0.1, 0.2, 0.3])}
    figure = plotting.plot_curves(rounds, "val_accuracy", xlabel="communication round", hlines={"target 80%": 0.8})
    assert figure.axes[0].get_xlabel() == "communication round"  # FedAvg's rounds go through the one training-curve figure
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["iid", "skewed", "target 80%"]
    _labelled(plotting.plot_robust_accuracy([0, 4 / 255], {"FGSM": [0.9, 0.3]}))
    X = np.full((2, 4, 4, 3), 0.5)
    figure = plotting.plot_adversarial_examples(X, X + 0.01, [0, 1], [0, 1], [1, 1], ["cat", "dog"], epsilon=4 / 255)
    assert "4/255" in figure._suptitle.get_text()
