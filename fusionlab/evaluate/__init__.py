"""Evaluation: classification reports, cross-validation, learning curves, calibration.

One topic module each; this package re-exports their public functions.
"""

from __future__ import annotations

from .curves import learning_curve_by_size
from .holdout import repeated_holdout_scores

__all__: list[str] = ["learning_curve_by_size", "repeated_holdout_scores"]
