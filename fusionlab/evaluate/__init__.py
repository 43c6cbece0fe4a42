"""Evaluation: classification reports, cross-validation, learning curves, calibration.

One topic module each; this package re-exports their public functions.
"""

from __future__ import annotations

__all__: list[str] = []
