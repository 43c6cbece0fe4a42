"""Every figure the book shows, one topic module each, re-exported here.

Each function draws on a Matplotlib ``Axes`` (created when not given), sets a title, axis
labels with units, and returns the ``Figure``, so notebooks stay one line per plot.
"""

from __future__ import annotations

from ._base import new_axes
from .background import plot_decision_boundaries, plot_loss_vs_time, plot_step_cost
from .pipeline import plot_cv_comparison, plot_cv_confusion, plot_leakage, plot_training_history

__all__ = [
    "new_axes",
    "plot_cv_comparison",
    "plot_cv_confusion",
    "plot_decision_boundaries",
    "plot_leakage",
    "plot_loss_vs_time",
    "plot_step_cost",
    "plot_training_history",
]
