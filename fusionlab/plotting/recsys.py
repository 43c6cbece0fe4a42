"""Figures for chapter 4.2 (recommender systems)."""

from __future__ import annotations

from ._base import new_axes

__all__ = ["plot_accuracy_vs_time"]


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


