"""Figures of chapter 5.1: memory against data size, staleness, batch size, scaling efficiency.

Each function takes plain numbers (lists, dicts, arrays) and imports no algorithm module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ._base import new_axes


def plot_memory_vs_rows(n_rows: Sequence[int], peaks_mb: Mapping[str, Sequence[float]], *, baseline_mb: float | None = None,
                        ax=None, title: str = "Peak memory as the data grows"):
    """Peak resident memory (MB) against rows, one line per way of training; optional baseline line."""
    figure, ax = new_axes(ax)
    for (label, values), marker in zip(peaks_mb.items(), "osd^v"):
        ax.plot(n_rows, values, marker=marker, label=label)
    if baseline_mb is not None:
        ax.axhline(baseline_mb, color="grey", linestyle=":", label="after imports, before the data")
    ax.set_xscale("log")
    ax.set_xlabel("rows in the data set")
    ax.set_ylabel("peak resident memory (MB)")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend()
    return figure


def plot_bars(values: Mapping[str, float], *, ylabel: str, reference: float | None = None, reference_label: str = "",
              ax=None, title: str = ""):
    """A labelled bar chart (e.g. images per second with 1 and 2 workers), with an optional reference line."""
    figure, ax = new_axes(ax)
    labels = list(values)
    bars = ax.bar(labels, [values[k] for k in labels], color=["#4c72b0", "#dd8452", "#55a868", "#c44e52"][: len(labels)])
    ax.bar_label(bars, fmt="%.3g")
    if reference is not None:
        ax.axhline(reference, color="black", linestyle="--", label=reference_label)
        ax.legend()
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return figure


def plot_staleness(stalenesses: Sequence[int], final_loss: Mapping[str, Sequence[float]], *, ceiling: float = 1.5,
                   reference: float | None = None, ax=None, title: str = "Asynchronous SGD: loss against staleness"):
    """Final test log loss against gradient staleness (steps), one line per learning rate.

    Losses above ``ceiling`` (divergence) are drawn at the ceiling with an x marker.
    """
    figure, ax = new_axes(ax)
    x = np.asarray(stalenesses, dtype=float)
    x_plot = np.where(x == 0, 0.5, x)
    for label, losses in final_loss.items():
        losses = np.asarray(losses, dtype=float)
        clipped = np.minimum(losses, ceiling)
        line, = ax.plot(x_plot, clipped, marker="o", label=label)
        over = losses > ceiling
        ax.plot(x_plot[over], clipped[over], "x", color=line.get_color(), markersize=12, markeredgewidth=2)
    if reference is not None:
        ax.axhline(reference, color="grey", linestyle=":", label="predicting the click rate (no features)")
    ax.set_xscale("log")
    ax.set_xticks(x_plot, [str(int(v)) for v in x])
    ax.set_xlabel("staleness tau (updates between reading and writing the parameters)")
    ax.set_ylabel(f"test log loss after training (x: above {ceiling})")
    ax.set_title(title)
    ax.legend()
    return figure


def plot_batch_size_sweep(batch_sizes: Sequence[int], losses: Mapping[str, Sequence[float]], *, ceiling: float = 1.0,
                          reference: float | None = None, ax=None, title: str = "Large batches at a fixed number of epochs"):
    """Final test log loss against batch size for each learning-rate rule (log-2 x axis)."""
    figure, ax = new_axes(ax)
    for (label, values), marker in zip(losses.items(), "osd^"):
        values = np.asarray(values, dtype=float)
        clipped = np.minimum(values, ceiling)
        line, = ax.plot(batch_sizes, clipped, marker=marker, label=label)
        over = values > ceiling
        ax.plot(np.asarray(batch_sizes)[over], clipped[over], "x", color=line.get_color(), markersize=12, markeredgewidth=2)
    if reference is not None:
        ax.axhline(reference, color="grey", linestyle=":", label="batch 32")
    ax.set_xscale("log", base=2)
    ax.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
    ax.set_xlabel("batch size B")
    ax.set_ylabel(f"test log loss after training (x: above {ceiling})")
    ax.set_title(title)
    ax.legend()
    return figure


def plot_scaling_efficiency(n_workers: Sequence[int], efficiency: Mapping[tuple, Sequence[float]], *,
                            measured: Mapping[str, tuple] | None = None, axes=None,
                            title: str = "Predicted scaling efficiency of ring all-reduce"):
    """Efficiency against workers, one panel per bandwidth, one line per model.

    ``efficiency`` maps ``(model name, gbit_per_s)`` to values over ``n_workers``; ``measured``
    maps a label to ``(n_workers, efficiency)`` points drawn on every panel.
    """
    bandwidths = sorted({gbit for _, gbit in efficiency})
    if axes is None:
        figure, axes = new_axes(ncols=len(bandwidths), figsize=(5.5 * len(bandwidths), 4.2))
    axes = np.atleast_1d(axes)
    figure = axes[0].figure
    for ax, gbit in zip(axes, bandwidths):
        for (name, g), values in efficiency.items():
            if g == gbit:
                ax.plot(n_workers, values, marker=".", label=name)
        for label, (n, e) in (measured or {}).items():
            ax.plot(n, e, "k*", markersize=12, label=label)
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("workers N")
        ax.set_ylabel("scaling efficiency (throughput / N x one worker's)")
        ax.set_title(f"{title}, {gbit:g} Gbit/s")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    return figure
