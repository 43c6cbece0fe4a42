"""Latency per image at a batch size (median of repeated runs), and size on disk.

Latency on a shared machine is noisy: every figure here is a *median* over repeats, after a
warm-up run that builds graphs and allocates buffers. Compare models measured in the same
session, by ratios, never by absolute seconds from another day. Used in chapter 5.4.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass

import numpy as np

from .._validation import check_array, check_int, error_message

__all__ = ["Latency", "gzip_bytes", "keras_runner", "measure_latency"]


@dataclass(frozen=True)
class Latency:
    """Median seconds per batch and per image at one batch size.

    Attributes
    ----------
    batch_size : int
    n_repeats : int
    median_batch_s : float
        Median wall-clock seconds of one call on ``batch_size`` images.
    per_image_s : float
        ``median_batch_s / batch_size``.
    """

    batch_size: int
    n_repeats: int
    median_batch_s: float

    @property
    def per_image_s(self) -> float:
        return self.median_batch_s / self.batch_size


def keras_runner(model):
    """A function ``run(batch) -> probabilities`` calling the Keras model in inference mode through
    one compiled ``tf.function`` (what a server does; ``model.predict`` adds per-call overhead)."""
    import tensorflow as tf

    call = tf.function(lambda batch: model(batch, training=False), reduce_retracing=True)
    return lambda batch: call(tf.constant(batch)).numpy()


def measure_latency(run, X, batch_size: int, *, n_repeats: int = 20, n_warmup: int = 1) -> Latency:
    """Median wall-clock time of ``run(batch)`` on batches of ``batch_size`` images of ``X``.

    Parameters
    ----------
    run : callable
        ``run(batch)`` computes the model's outputs for one batch (e.g.
        :func:`keras_runner`, or ``TFLiteModel.run_batch``).
    X : ndarray of shape (n_images, ...)
        Images; batches are taken in turn (wrapping round), so different images are used.
    batch_size : int
        At most ``len(X)``.
    n_repeats : int, default=20
        Timed calls; the median is reported.
    n_warmup : int, default=1
        Untimed calls first (graph building, buffer allocation).

    Returns
    -------
    Latency

    See Also
    --------
    timeit.Timer.repeat : the standard library's repeated timing.
    """
    if not callable(run):
        raise TypeError(error_message("run", "a callable run(batch)", type(run).__name__, "Pass keras_runner(model) or TFLiteModel(...).run_batch."))
    X = check_array(X, "X", dtype=np.float32)
    batch_size = check_int(batch_size, "batch_size", low=1, high=len(X), fix=f"X holds {len(X)} images; pass more images or a smaller batch.")
    n_repeats = check_int(n_repeats, "n_repeats", low=1)
    n_warmup = check_int(n_warmup, "n_warmup", low=0)
    n_batches = len(X) // batch_size
    times = []
    for call in range(n_warmup + n_repeats):
        start = (call % n_batches) * batch_size
        batch = X[start:start + batch_size]
        begin = time.perf_counter()
        run(batch)
        if call >= n_warmup:
            times.append(time.perf_counter() - begin)
    return Latency(batch_size, n_repeats, float(np.median(times)))


def gzip_bytes(content: bytes) -> int:
    """Size of ``content`` after gzip at level 9: what a download of the model file costs.
    Exact zeros (pruned weights) compress; random float32 values barely do."""
    if not isinstance(content, (bytes, bytearray)):
        raise TypeError(error_message("content", "bytes (e.g. a .tflite file's content)", type(content).__name__))
    return len(gzip.compress(bytes(content), compresslevel=9, mtime=0))
