"""Keras model builders. Each ``build_*`` function returns a compiled ``keras.Model``.

TensorFlow is imported inside the builders, so importing this package is cheap.
"""

from __future__ import annotations

from .arithmetic import SEED_CNN_LAYERS, conv_arithmetic
from .cnn import IMPROVED_CNN_ABLATIONS, build_improved_cnn, build_seed_cnn
from .fast_cnn import build_fast_cnn, cpu_has_bfloat16, init_whitening
from .mlp import build_mlp

__all__ = [
    "IMPROVED_CNN_ABLATIONS",
    "SEED_CNN_LAYERS",
    "build_fast_cnn",
    "build_improved_cnn",
    "build_mlp",
    "build_seed_cnn",
    "conv_arithmetic",
    "cpu_has_bfloat16",
    "init_whitening",
]
