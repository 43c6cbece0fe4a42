"""Evaluation: classification reports, cross-validation, learning curves, calibration.

One topic module each; this package re-exports their public functions.
"""

from __future__ import annotations

from .crossval import (
    CrossValidationReport,
    check_classification_data,
    compare_models,
    cross_validate_report,
    format_cv_table,
    scores_from_confusion,
)
from .curves import learning_curve_by_size
from .holdout import repeated_holdout_scores

__all__: list[str] = [
    "CrossValidationReport",
    "check_classification_data",
    "compare_models",
    "cross_validate_report",
    "format_cv_table",
    "learning_curve_by_size",
    "repeated_holdout_scores",
    "scores_from_confusion",
]
