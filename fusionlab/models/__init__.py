"""Keras model builders. Each ``build_*`` function returns a compiled ``keras.Model``.

TensorFlow is imported inside the builders, so importing this package is cheap.
"""

from __future__ import annotations

from .cnn import build_improved_cnn, build_seed_cnn
from .cost import count_multiply_adds
from .fast_cnn import build_fast_cnn, cpu_has_bfloat16, init_whitening
from .mlp import build_mlp

__all__ = ["build_fast_cnn", "build_improved_cnn", "build_mlp", "build_seed_cnn", "count_multiply_adds", "cpu_has_bfloat16", "init_whitening"]
