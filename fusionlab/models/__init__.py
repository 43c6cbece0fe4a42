"""Keras model builders. Each ``build_*`` function returns a compiled ``keras.Model``.

TensorFlow is imported inside the builders, so importing this package is cheap.
"""

from __future__ import annotations

from .mlp import build_mlp

__all__ = ["build_mlp"]
