"""Figures for chapter 4.2 (recommender systems)."""

from __future__ import annotations

import numpy as np

from ._base import new_axes

__all__ = ["plot_rating_table", "plot_similarity", "plot_accuracy_vs_time", "plot_metric_by_epoch"]


def plot_rating_table(table, row_labels, column_labels, *, title="Ratings (blank = not rated)", ax=None):
    """Draw a small users x items table; ``nan`` cells (not rated) stay blank, values written in."""
    table = np.asarray(table, dtype=float)
    figure, ax = new_axes(ax, figsize=(0.7 * table.shape[1] + 2, 0.5 * table.shape[0] + 1.5))
    image = ax.imshow(np.ma.masked_invalid(table), cmap="viridis", vmin=1, vmax=5)
    for (row, column), value in np.ndenumerate(table):
        if np.isfinite(value):
            ax.text(column, row, f"{value:g}", ha="center", va="center", color="white" if value < 3.5 else "black")
    ax.set_xticks(range(table.shape[1]), column_labels)
    ax.set_yticks(range(table.shape[0]), row_labels)
    ax.set_xlabel("item (film)")
    ax.set_ylabel("user")
    ax.set_title(title)
    figure.colorbar(image, ax=ax, label="rating (stars)")
    return figure


def plot_similarity(similarity, labels, *, title="Similarity", ax=None):
    """Heat map of a small similarity matrix with its values written in."""
    similarity = np.asarray(similarity, dtype=float)
    figure, ax = new_axes(ax, figsize=(0.7 * len(labels) + 2, 0.6 * len(labels) + 1.5))
    image = ax.imshow(similarity, cmap="magma", vmin=min(0.0, similarity.min()), vmax=1)
    for (row, column), value in np.ndenumerate(similarity):
        ax.text(column, row, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.5 else "black", fontsize=8)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("neighbour")
    ax.set_ylabel("user or item")
    ax.set_title(title)
    figure.colorbar(image, ax=ax, label="similarity (unitless)")
    return figure


def plot_accuracy_vs_time(names, seconds, values, *, metric="test RMSE (stars)", title="Accuracy against training time", ax=None):
    """Scatter of a metric against training time, one labelled point per model (log time axis)."""
    figure, ax = new_axes(ax)
    ax.scatter(seconds, values, color="tab:blue")
    for name, x, y in zip(names, seconds, values):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("training time (s, log scale)")
    ax.set_ylabel(metric)
    ax.set_title(title)
    return figure


def plot_metric_by_epoch(histories, *, ylabel="training RMSE (stars)", title="Training curves", ax=None):
    """One line per model: ``histories`` maps a name to its per-epoch values."""
    figure, ax = new_axes(ax)
    for name, values in histories.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return figure
