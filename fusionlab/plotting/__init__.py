"""Every figure the book shows, one topic module each, re-exported here.

Each function draws on a Matplotlib ``Axes`` (created when not given), sets a title, axis
labels with units, and returns the ``Figure``, so notebooks stay one line per plot. Two figures
serve every chapter: :func:`plot_curves` (training curves of any run recorded in a
:class:`fusionlab.history.History`) and :func:`plot_heatmap` (confusion matrices, rating
tables, similarity matrices). Plotting imports no algorithm module: it reads results through
their interface.
"""

from __future__ import annotations

from ._base import new_axes
from .algorithms import (
    plot_bagging_variance,
    plot_bias_variance,
    plot_gradient_noise,
    plot_learning_curves,
    plot_loss_surface,
    plot_scaling,
    plot_schedules,
    plot_speedup,
    plot_trees_vs_accuracy,
)
from .background import plot_decision_boundaries, plot_step_cost
from .curves import plot_curves
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
from .efficiency import plot_distillation, plot_layer_costs, plot_pruning, plot_size_accuracy
from .heatmap import plot_heatmap
from .images import plot_misclassified, plot_reliability_diagram
from .multimodal import plot_blend_weight, plot_warm_cold
from .pipeline import plot_cv_comparison, plot_leakage
from .privacy import (
    plot_adversarial_examples,
    plot_client_split,
    plot_membership,
    plot_privacy_utility,
    plot_robust_accuracy,
)
from .recsys import plot_accuracy_vs_time
from .scale import plot_bars, plot_batch_size_sweep, plot_memory_vs_rows, plot_scaling_efficiency, plot_staleness

__all__ = [
    "new_axes", "plot_curves", "plot_heatmap",
    "plot_decision_boundaries", "plot_step_cost",
    "plot_bagging_variance", "plot_bias_variance", "plot_gradient_noise", "plot_learning_curves", "plot_loss_surface", "plot_scaling",
    "plot_schedules", "plot_speedup", "plot_trees_vs_accuracy",
    "plot_cv_comparison", "plot_leakage",
    "plot_accuracy_vs_time",
    "plot_misclassified", "plot_reliability_diagram",
    "plot_bars", "plot_batch_size_sweep", "plot_memory_vs_rows", "plot_scaling_efficiency", "plot_staleness",
    "plot_attributions", "plot_completeness", "plot_contributions", "plot_importances", "plot_partial_dependence",
    "plot_pixel_importance", "plot_sanity_check", "plot_sanity_maps",
    "plot_adversarial_examples", "plot_client_split", "plot_membership",
    "plot_privacy_utility", "plot_robust_accuracy",
    "plot_distillation", "plot_layer_costs", "plot_pruning", "plot_size_accuracy",
    "plot_blend_weight", "plot_warm_cold",
]
