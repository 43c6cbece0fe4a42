"""The one training record (fusionlab.history.History), the one curve figure and the one heat map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from fusionlab.history import History  # noqa: E402
from fusionlab.plotting import plot_curves, plot_heatmap  # noqa: E402


def test_records_keep_columns_in_step_and_derive_throughput():
    history = History()
    for epoch in range(1, 4):
        history.record(epoch=epoch, step=10 * epoch, elapsed_s=2.0 * epoch, n_samples_seen=100 * epoch, loss=1 / epoch, val_accuracy=0.5)
    assert len(history) == 3 and history.n_epochs == 3.0 and history.train_time_s == 6.0
    np.testing.assert_allclose(history["loss"], [1, 0.5, 1 / 3])
    np.testing.assert_array_equal(history["step"], [10, 20, 30])
    np.testing.assert_allclose(history.samples_per_second(), [50.0, 50.0, 50.0])
    assert history.mean_samples_per_second == 50.0 and "val_accuracy" in history and "accuracy" not in history
    table = history.table()
    assert table.splitlines()[0].split() == ["epoch", "step", "loss", "val_accuracy", "time_s", "samples/s"]
    assert len(table.splitlines()) == 4  # no stopped_by line for a run that did not say
    with pytest.raises(KeyError, match=r"name must be one of \['loss', 'val_accuracy', 'epoch', 'step', 'elapsed_s'\]; got name='rmse'"):
        history["rmse"]


def test_untimed_histories_say_nan_and_adapters_number_epochs_from_one():
    history = History.from_epochs(rmse=[1.2, 1.0, 0.9])
    assert history.epoch == [1.0, 2.0, 3.0] and math.isnan(history.train_time_s) and math.isnan(history.mean_samples_per_second)
    assert np.isnan(history.samples_per_second()).all()
    keras_like = type("KerasHistory", (), {"history": {"loss": [0.7, 0.4], "val_loss": [0.8, 0.6]}})()
    adapted = History.from_keras(keras_like)
    assert adapted.epoch == [1.0, 2.0] and adapted.metrics == {"loss": [0.7, 0.4], "val_loss": [0.8, 0.6]}
    with pytest.raises(ValueError, match=r"metrics must be one or more per-epoch lists of the same length; got metrics=\{'loss': 2, 'rmse': 1\}"):
        History.from_epochs(loss=[1, 2], rmse=[1])


def test_plot_curves_draws_each_run_against_the_chosen_column():
    fast = History.from_epochs(loss=[1.0, 0.1, 0.01], elapsed_s=[1, 2, 3])
    slow = History.from_epochs(loss=[1.0, 0.5, 0.25], elapsed_s=[2, 4, 6])
    figure = plot_curves({"fast": fast, "slow": slow}, x="elapsed_s", log=True)
    ax = figure.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "training time (s)" and ax.get_ylabel() == "training loss"
    assert [line.get_label() for line in ax.lines] == ["fast", "slow"]
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [2, 4, 6])
    plt.close(figure)
    figure = plot_curves(fast, ["loss"], best=0.01, log=["loss"], logx=True, title="excess")
    ax = figure.axes[0]
    assert ax.get_title() == "excess" and ax.get_ylabel() == "training loss minus optimum" and ax.get_xscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.99, 0.09, 1e-16])  # floored for the log scale
    assert ax.get_legend() is None  # one unlabelled run: no legend
    plt.close(figure)
    with pytest.raises(ValueError, match=r"x must be one of \['epoch', 'step', 'elapsed_s'\]; got x='seconds'"):
        plot_curves(fast, x="seconds")
    with pytest.raises(ValueError, match=r"histories must be runs that recorded 'step'; got histories=\"run 'fast' of type History\""):
        plot_curves({"fast": fast}, x="step")
    with pytest.raises(ValueError, match=r"metrics must be a single metric when ax is given"):
        plot_curves(fast, ["loss", "rmse"], ax=plt.gca())
    plt.close("all")


def test_plot_heatmap_writes_values_blanks_nan_and_picks_readable_text():
    table = np.array([[5.0, np.nan], [1.0, 3.0]])
    figure = plot_heatmap(table, ["u1", "u2"], ["m1", "m2"], fmt="{:g}", vmin=1, vmax=5, xlabel="film", ylabel="user", colorbar_label="stars", title="t")
    ax = figure.axes[0]
    texts = {text.get_text(): text.get_color() for text in ax.texts}
    assert set(texts) == {"5", "1", "3"}  # the NaN cell is blank
    assert texts["1"] == "white" and texts["5"] == "black"  # viridis: dark at the low end, bright at the top
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["m1", "m2"]
    plt.close(figure)
    counts = np.array([[3, 1], [0, 4]])
    figure = plot_heatmap(counts, row_percent=True, hide_zeros=True, fmt="{:.0f}", cmap="Blues")
    np.testing.assert_allclose(np.asarray(figure.axes[0].images[0].get_array()), [[75, 25], [0, 100]])
    assert sorted(text.get_text() for text in figure.axes[0].texts) == ["100", "25", "75"]
    plt.close(figure)
