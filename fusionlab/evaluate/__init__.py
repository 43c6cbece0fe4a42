"""Evaluation: classification reports, cross-validation, learning curves, calibration.

One topic module each; this package re-exports their public functions.
"""

from __future__ import annotations

from .classification import (
    ClassScores,
    ReliabilityCurve,
    accuracy,
    confusion_matrix,
    expected_calibration_error,
    most_confident_mistakes,
    most_confused_pairs,
    per_class_scores,
    reliability_curve,
)
from .crossval import (
    CrossValidationReport,
    compare_models,
    cross_validate_report,
    format_cv_table,
    scores_from_confusion,
)
from .curves import learning_curve_by_size
from .holdout import repeated_holdout_scores

__all__: list[str] = [
    "ClassScores",
    "CrossValidationReport",
    "ReliabilityCurve",
    "accuracy",
    "compare_models",
    "confusion_matrix",
    "cross_validate_report",
    "expected_calibration_error",
    "format_cv_table",
    "learning_curve_by_size",
    "most_confident_mistakes",
    "most_confused_pairs",
    "per_class_scores",
    "reliability_curve",
    "repeated_holdout_scores",
    "scores_from_confusion",
]
