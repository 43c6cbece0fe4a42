"""Every figure of chapters 5.4 and 5.5 draws, with a title and labelled axes, from plain results
(plotting imports no algorithm module)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from fusionlab import plotting  # noqa: E402


def _labelled(figure):
    axes = [ax for ax in figure.axes if ax.has_data()]
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and (ax.get_ylabel() or ax.get_yticklabels())
        assert ax.get_title() or figure._suptitle is not None
    plt.close(figure)


def test_every_efficiency_and_multimodal_figure_is_labelled():
    layer = lambda name, params, macs: SimpleNamespace(name=name, kind="Dense", params=params, macs=macs)  # noqa: E731
    cost = SimpleNamespace(name="toy", layers=[layer("a", 10, 100), layer("b", 5, 0), layer("c", 0, 0)])
    rows = {"float": {"bytes": 4000, "gzip_bytes": 3600, "accuracy": 0.7}, "int8": {"bytes": 1000, "gzip_bytes": 900, "accuracy": 0.69}}
    results = {name: {"warm": {"rmse": 0.95, "ndcg@10": 0.05}, "cold": {"rmse": 1.02, "ndcg@10": 0.03}} for name in ("CF", "FM")}
    for figure in (plotting.plot_layer_costs(cost), plotting.plot_size_accuracy(rows), plotting.plot_size_accuracy(rows, size="gzip_bytes"),
                   plotting.plot_pruning([0.5, 0.9], [0.7, 0.6], [3000, 900], dense_accuracy=0.71),
                   plotting.plot_distillation({"labels": [0.6, 0.62, 0.61], "distilled": [0.63, 0.64, 0.62]}, teacher_accuracy=0.7),
                   plotting.plot_warm_cold(results), plotting.plot_blend_weight({0.0: 1.0, 10.0: 0.98, 100.0: 0.99}, chosen=10.0)):
        _labelled(figure)


def test_plotting_imports_no_algorithm_module():
    code = ("import sys, fusionlab.plotting; bad = [m for m in ('fusionlab.efficiency', 'fusionlab.multimodal', 'tensorflow') "
            "if m in sys.modules]; print(bad)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
