"""The side-by-side table of chapter 5.4: one row per model variant, the same test images.

Every row is measured the same way: parameters and multiply-adds from the Keras model's
shapes (:func:`fusionlab.efficiency.model_cost`), the size of its ``.tflite`` file and of that
file gzipped, the median latency per image with the LiteRT interpreter at batch 1 and at
batch 256, and the test accuracy of the TFLite model. Used in chapter 5.4 and
``benchmarks/efficiency.py``.
"""

from __future__ import annotations

import numpy as np

from .._text import format_rows
from .costs import model_cost
from .latency import gzip_bytes, keras_runner, measure_latency
from .pruning import prunable_layers

__all__ = ["COLUMNS", "efficiency_row", "format_efficiency_table", "runtime_rows"]

#: Columns of a row, with their formats: the same in the notebook and in the results file.
COLUMNS = {"params": ",d", "nonzero_params": ",d", "macs": ",d", "bytes": ",d", "gzip_bytes": ",d",
           "latency_1_ms": ".3f", "latency_256_ms": ".3f", "accuracy": ".1%"}


def _nonzero_params(model) -> int:
    """Parameters that are not exactly zero in the prunable kernels, plus every other parameter."""
    kernels = [np.asarray(layer.kernel) for layer in prunable_layers(model)]
    return int(model.count_params() - sum(kernel.size for kernel in kernels) + sum(np.count_nonzero(kernel) for kernel in kernels))


def _latencies(run, images, n_repeats: int) -> tuple[float, float]:
    batch = min(256, len(images))
    one = measure_latency(run, images, 1, n_repeats=n_repeats).per_image_s * 1e3
    many = measure_latency(run, images, batch, n_repeats=max(3, n_repeats // 10)).per_image_s * 1e3
    return one, many


def efficiency_row(keras_model, tflite_model, X_test, y_test, *, latency_images=None, n_repeats: int = 50) -> dict:
    """Measure one variant: ``keras_model`` gives the counts, ``tflite_model`` (a
    :class:`TFLiteModel` converted from it) the bytes, latency and accuracy.

    Returns
    -------
    row : dict
        ``params``, ``nonzero_params``, ``macs``, ``bytes``, ``gzip_bytes``,
        ``latency_1_ms`` and ``latency_256_ms`` (milliseconds per image, medians), ``accuracy``.
    """
    cost = model_cost(keras_model)
    probabilities = tflite_model.predict(X_test)
    one, many = _latencies(tflite_model.run_batch, X_test if latency_images is None else latency_images, n_repeats)
    return {"params": cost.params, "nonzero_params": _nonzero_params(keras_model), "macs": cost.macs, "bytes": tflite_model.size_bytes,
            "gzip_bytes": gzip_bytes(tflite_model.content), "latency_1_ms": one, "latency_256_ms": many,
            "accuracy": float(np.mean(probabilities.argmax(axis=1) == np.asarray(y_test)))}


def runtime_rows(keras_model, tflite_models: dict, X_test, y_test, *, latency_images=None, n_repeats: int = 50) -> dict:
    """Keras against its TFLite conversions: accuracy, agreement with Keras's predicted classes,
    bytes and latency per image at batch 1 and 256 (Keras through one compiled ``tf.function``)."""
    images = X_test if latency_images is None else latency_images
    reference = keras_model.predict(X_test, batch_size=256, verbose=0).argmax(axis=1)
    rows = {"Keras (float32)": {"bytes": None, "accuracy": float(np.mean(reference == y_test)), "agreement": 1.0}}
    rows["Keras (float32)"]["latency_1_ms"], rows["Keras (float32)"]["latency_256_ms"] = _latencies(keras_runner(keras_model), images, n_repeats)
    for name, model in tflite_models.items():
        predicted = model.predict(X_test).argmax(axis=1)
        one, many = _latencies(model.run_batch, images, n_repeats)
        rows[name] = {"bytes": model.size_bytes, "accuracy": float(np.mean(predicted == y_test)),
                      "agreement": float(np.mean(predicted == reference)), "latency_1_ms": one, "latency_256_ms": many}
    return rows


def format_efficiency_table(rows: dict) -> str:
    """A plain-text table of :func:`efficiency_row` (or :func:`runtime_rows`) results."""
    formats = {**COLUMNS, "agreement": ".1%"}
    return format_rows(rows, formats={key: value for key, value in formats.items()})
