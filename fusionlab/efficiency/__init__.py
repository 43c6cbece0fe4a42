"""Efficient models (chapter 5.4): what a model costs, and three ways to make it cheaper.

Modules
-------
costs         parameters and multiply-adds per layer, counted from the shapes
quantization  TFLite conversion (float, dynamic-range, full-integer int8) and the LiteRT interpreter
latency       median latency per image at a batch size, size on disk and gzipped
pruning       magnitude pruning with masks kept through fine-tuning (a Keras callback)
distillation  knowledge distillation (Hinton, Vinyals & Dean 2015) from a teacher's soft targets
compare       the side-by-side table: params, MACs, bytes, latency, accuracy

TensorFlow is imported inside the functions that need it.
"""

from __future__ import annotations

from .compare import COLUMNS, efficiency_row, format_efficiency_table, runtime_rows
from .costs import LayerCost, ModelCost, model_cost
from .distillation import distill, distillation_loss, initialise_weights, teacher_log_probabilities, train_teacher
from .latency import Latency, gzip_bytes, keras_runner, measure_latency
from .pruning import apply_masks, magnitude_masks, mask_callback, prunable_layers, prune_in_steps, sparsity
from .quantization import MODES, TFLiteModel, affine_parameters, convert, dequantize, quantize

__all__ = [
    "COLUMNS", "Latency", "LayerCost", "MODES", "ModelCost", "TFLiteModel", "affine_parameters", "apply_masks", "convert",
    "dequantize", "distill", "distillation_loss", "efficiency_row", "format_efficiency_table", "gzip_bytes",
    "initialise_weights", "keras_runner", "magnitude_masks", "mask_callback", "measure_latency", "model_cost",
    "prunable_layers", "prune_in_steps", "quantize", "runtime_rows", "sparsity", "teacher_log_probabilities", "train_teacher",
]
