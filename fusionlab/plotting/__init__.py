"""Every figure the book shows, one topic module each, re-exported here.

Each function draws on a Matplotlib ``Axes`` (created when not given), sets a title, axis
labels with units, and returns the ``Figure``, so notebooks stay one line per plot.
"""

from __future__ import annotations

from ._base import new_axes
from .algorithms import (
    plot_gradient_noise,
    plot_learning_curves,
    plot_loss_curves,
    plot_loss_surface,
    plot_scaling,
    plot_schedules,
    plot_speedup,
    plot_training_history,
    plot_training_losses,
    plot_trees_vs_accuracy,
)
from .background import plot_decision_boundaries, plot_loss_vs_time, plot_step_cost
from .explain import (
    plot_attributions,
    plot_completeness,
    plot_contributions,
    plot_importances,
    plot_partial_dependence,
    plot_pixel_importance,
    plot_sanity_check,
    plot_sanity_maps,
)
from .images import plot_confusion_matrix, plot_misclassified, plot_reliability_diagram, plot_training_curves
from .privacy import (
    plot_adversarial_examples,
    plot_client_split,
    plot_federated_rounds,
    plot_membership,
    plot_privacy_utility,
    plot_robust_accuracy,
)
from .pipeline import plot_cv_comparison, plot_cv_confusion, plot_keras_history, plot_leakage
from .recsys import plot_accuracy_vs_time, plot_metric_by_epoch, plot_rating_table, plot_similarity

__all__ = [
    "new_axes", "plot_decision_boundaries", "plot_loss_vs_time", "plot_step_cost",
    "plot_gradient_noise", "plot_learning_curves", "plot_loss_curves", "plot_loss_surface", "plot_scaling",
    "plot_schedules", "plot_speedup", "plot_training_history", "plot_training_losses", "plot_trees_vs_accuracy",
    "plot_cv_comparison", "plot_cv_confusion", "plot_keras_history", "plot_leakage",
    "plot_accuracy_vs_time", "plot_rating_table", "plot_similarity", "plot_metric_by_epoch",
    "plot_confusion_matrix", "plot_misclassified", "plot_reliability_diagram", "plot_training_curves",
    "plot_attributions", "plot_completeness", "plot_contributions", "plot_importances", "plot_partial_dependence",
    "plot_pixel_importance", "plot_sanity_check", "plot_sanity_maps",
    "plot_adversarial_examples", "plot_client_split", "plot_federated_rounds", "plot_membership",
    "plot_privacy_utility", "plot_robust_accuracy",
]
