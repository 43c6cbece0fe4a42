"""Every figure the book shows, one topic module each, re-exported here.

Each function draws on a Matplotlib ``Axes`` (created when not given), sets a title, axis
labels with units, and returns the ``Figure``, so notebooks stay one line per plot.
"""

from __future__ import annotations

from ._base import new_axes
from .background import plot_decision_boundaries, plot_loss_vs_time, plot_step_cost
from .images import plot_confusion_matrix, plot_misclassified, plot_reliability_diagram, plot_training_curves

__all__ = [
    "new_axes",
    "plot_confusion_matrix",
    "plot_decision_boundaries",
    "plot_loss_vs_time",
    "plot_misclassified",
    "plot_reliability_diagram",
    "plot_step_cost",
    "plot_training_curves",
]
