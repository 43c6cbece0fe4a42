"""Figures for chapter 5.4 (efficient models): where a model's cost sits, and what each
compression trades. Reads results through their fields; imports no algorithm module."""

from __future__ import annotations

import numpy as np

from ._base import new_axes

__all__ = ["plot_distillation", "plot_layer_costs", "plot_pruning", "plot_size_accuracy"]


def plot_layer_costs(cost, *, title=None):
    """Two bar charts per layer: parameters, and multiply-adds per image (a ``ModelCost``)."""
    layers = [layer for layer in cost.layers if layer.params or layer.macs]
    figure, axes = new_axes(ncols=2, figsize=(10.0, 0.35 * len(layers) + 1.8))
    names = [f"{layer.name} ({layer.kind})" for layer in layers]
    for ax, field, label in zip(axes, ("params", "macs"), ("parameters (count)", "multiply-adds per image (count)")):
        values = [getattr(layer, field) for layer in layers]
        ax.barh(names, values, color="tab:blue" if field == "params" else "tab:orange")
        ax.invert_yaxis()
        ax.set_xlabel(label)
        total = sum(values)
        for row, value in enumerate(values):
            ax.annotate(f"{value / total:.0%}", (value, row), textcoords="offset points", xytext=(3, -3), fontsize=8)
    axes[1].set_yticklabels([])
    figure.suptitle(title or f"Where {cost.name}'s parameters and arithmetic are")
    return figure


def plot_size_accuracy(rows: dict, *, size="bytes", title="Model file size against test accuracy", ax=None):
    """Scatter of accuracy against model size (log scale), one labelled point per row of the
    side-by-side table (a dict of name -> {size: ..., "accuracy": ...})."""
    figure, ax = new_axes(ax, figsize=(6.5, 4.2))
    for name, row in rows.items():
        ax.scatter(row[size], row["accuracy"], color="tab:blue")
        ax.annotate(name, (row[size], row["accuracy"]), textcoords="offset points", xytext=(4, 3), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel({"bytes": "file size (bytes, log scale)", "gzip_bytes": "gzipped file size (bytes, log scale)"}.get(size, size))
    ax.set_ylabel("test accuracy (fraction)")
    ax.set_title(title)
    return figure


def plot_pruning(sparsities, accuracies, gzip_sizes, *, dense_accuracy=None, title="Magnitude pruning: accuracy and compressed size"):
    """Accuracy and gzipped file size against the share of weights pruned (two panels)."""
    figure, axes = new_axes(ncols=2, figsize=(10.0, 3.8))
    percent = 100 * np.asarray(sparsities, dtype=float)
    axes[0].plot(percent, accuracies, marker="o")
    if dense_accuracy is not None:
        axes[0].axhline(dense_accuracy, color="grey", linestyle="--", label="unpruned")
        axes[0].legend()
    axes[0].set_ylabel("test accuracy (fraction)")
    axes[1].plot(percent, np.asarray(gzip_sizes) / 1e3, marker="o", color="tab:orange")
    axes[1].set_ylabel("gzipped .tflite file (kB)")
    for ax in axes:
        ax.set_xlabel("weights pruned (%)")
    figure.suptitle(title)
    return figure


def plot_distillation(accuracies: dict, *, teacher_accuracy=None, title="Students: labels only against distilled, one point per seed", ax=None):
    """One column of points per training method (a dict of name -> accuracies over seeds), with
    the mean and one standard deviation; the teacher as a dashed line."""
    figure, ax = new_axes(ax, figsize=(5.5, 4.0))
    for position, (name, values) in enumerate(accuracies.items()):
        values = np.asarray(values, dtype=float)
        ax.scatter(np.full(values.size, position), values, color="tab:blue", zorder=3)
        spread = values.std(ddof=1) if values.size > 1 else 0.0
        ax.errorbar(position + 0.12, values.mean(), yerr=spread, fmt="s", color="black", capsize=4)
    if teacher_accuracy is not None:
        ax.axhline(teacher_accuracy, color="grey", linestyle="--", label="teacher")
        ax.legend()
    ax.set_xticks(range(len(accuracies)), list(accuracies))
    ax.set_xlim(-0.5, len(accuracies) - 0.5)
    ax.set_xlabel("how the student was trained (same architecture, same seeds)")
    ax.set_ylabel("test accuracy (fraction)")
    ax.set_title(title)
    return figure
