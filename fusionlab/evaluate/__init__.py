"""Evaluation: classification reports, cross-validation, learning curves, calibration, bias and variance.

One topic module each; this package re-exports their public functions.
"""

from __future__ import annotations

from .bias_variance import bias_variance, bias_variance_curve, fit_on_each
from .classification import (
    ClassScores,
    ReliabilityCurve,
    accuracy,
    classifier_summary,
    confusion_matrix,
    expected_calibration_error,
    most_confident_mistakes,
    most_confused_pairs,
    per_class_scores,
    reliability_curve,
    scores_from_confusion,
    summary_table,
)
from .crossval import (
    CrossValidationReport,
    compare_models,
    cross_validate_report,
    format_cv_table,
)
from .curves import learning_curve_by_size, staged_log_loss
from .holdout import HoldoutScores, repeated_holdout_scores

__all__: list[str] = [
    "ClassScores",
    "CrossValidationReport",
    "HoldoutScores",
    "ReliabilityCurve",
    "accuracy",
    "bias_variance",
    "bias_variance_curve",
    "classifier_summary",
    "compare_models",
    "confusion_matrix",
    "cross_validate_report",
    "expected_calibration_error",
    "fit_on_each",
    "format_cv_table",
    "learning_curve_by_size",
    "most_confident_mistakes",
    "most_confused_pairs",
    "per_class_scores",
    "reliability_curve",
    "repeated_holdout_scores",
    "scores_from_confusion",
    "staged_log_loss",
    "summary_table",
]
