"""Training helpers for Keras models: a seeded validation split, a timed fit, saving and loading.

- :func:`train_validation_split`: seeded, stratified; the test set stays untouched.
- :func:`fit`: per-epoch time and images per second, an optional wall-clock budget, any
  learning-rate schedule of :func:`fusionlab.optim.make_schedule` over epochs or over that
  budget, optional early stopping; returns a :class:`fusionlab.history.History`.
- :func:`fast_fit`: a hand-written loop after airbench (augmentation in NumPy, one cycle over
  steps or a budget, lookahead, faster batch-norm shifts) for :func:`fusionlab.models.build_fast_cnn`;
  :func:`predict_with_flips` for test-time augmentation; the augmentations themselves.
- :func:`ablate`: the same model with one ingredient removed at a time, on the same budget.
- :func:`save_model` / :func:`load_model`: the native ``.keras`` format.

TensorFlow is imported inside the functions that need it. Used in chapter 4.1.
"""

from __future__ import annotations

from .ablation import ablate
from .augment import alternating_flip, predict_with_flips, random_crop, reflect_pad
from .fast_fit import fast_fit, lookahead_decay
from .fit import fit
from .saving import load_model, save_model
from .split import train_validation_split

__all__ = [
    "ablate",
    "alternating_flip",
    "fast_fit",
    "fit",
    "load_model",
    "lookahead_decay",
    "predict_with_flips",
    "random_crop",
    "reflect_pad",
    "save_model",
    "train_validation_split",
]
