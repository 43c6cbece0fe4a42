"""Post-training quantisation with the TFLite converter, and the TFLite (LiteRT) interpreter.

Affine (asymmetric) quantisation stores a real tensor ``x`` as 8-bit integers ``q`` with a
scale ``s`` and a zero point ``z``: ``x ≈ s (q - z)`` (Jacob et al. 2018). Three conversions of
one Keras model (:func:`convert`):

- ``"float"``: float32 weights and arithmetic, the Keras model in TFLite's format;
- ``"dynamic"`` (dynamic-range): weights stored as int8, activations quantised on the fly,
  about 4 times smaller, no calibration data;
- ``"int8"`` (full-integer): weights *and* activations int8, with the activations' ranges
  calibrated on a representative dataset; inputs and outputs are int8 too, so
  :class:`TFLiteModel` quantises the images and dequantises the probabilities.

The interpreter comes from the ``ai-edge-litert`` package (LiteRT, TFLite's new name):
TensorFlow 2.21's ``tf.lite.Interpreter`` still runs but warns that it "is deprecated and is
scheduled for deletion"; the converter itself is still ``tf.lite.TFLiteConverter``. Used in
chapter 5.4 (notebook ``05_4_efficiency``).
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from .._validation import check_array, check_choice, check_int, error_message

__all__ = ["MODES", "TFLiteModel", "affine_parameters", "convert", "dequantize", "quantize"]

MODES = ("float", "dynamic", "int8")


def affine_parameters(low: float, high: float, n_bits: int = 8) -> tuple[float, int]:
    """Scale and zero point that map ``[low, high]`` onto the signed ``n_bits`` integers.

    The range is widened to contain 0, so that 0 (padding, ReLU's output) is exact.

    Returns
    -------
    scale : float
        ``(high - low) / (2**n_bits - 1)``.
    zero_point : int
        The integer that represents 0.0, in ``[-2**(n_bits-1), 2**(n_bits-1) - 1]``.
    """
    n_bits = check_int(n_bits, "n_bits", low=2, high=16)
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if high == low:
        return 1.0, 0
    q_min, q_max = -(2 ** (n_bits - 1)), 2 ** (n_bits - 1) - 1
    scale = (high - low) / (q_max - q_min)
    zero_point = int(np.clip(round(q_min - low / scale), q_min, q_max))
    return scale, zero_point


def quantize(x, scale: float, zero_point: int, n_bits: int = 8) -> np.ndarray:
    """``q = clip(round(x / s) + z)`` as signed integers (int8 for 8 bits)."""
    q_min, q_max = -(2 ** (n_bits - 1)), 2 ** (n_bits - 1) - 1
    q = np.clip(np.round(np.asarray(x, dtype=np.float64) / scale) + zero_point, q_min, q_max)
    return q.astype(np.int8 if n_bits <= 8 else np.int16)


def dequantize(q, scale: float, zero_point: int) -> np.ndarray:
    """``x ≈ s (q - z)``, as float32."""
    return (scale * (np.asarray(q, dtype=np.float64) - zero_point)).astype(np.float32)


def convert(model, mode: str = "float", *, representative_images=None) -> bytes:
    """Convert a Keras model to a TFLite flatbuffer, optionally quantised.

    Parameters
    ----------
    model : keras.Model
        Inputs floats in [0, 1] of a fixed image shape.
    mode : {"float", "dynamic", "int8"}, default="float"
        See the module docstring.
    representative_images : ndarray of shape (n_images, height, width, channels), default=None
        Needed for ``"int8"``: a few hundred training images (never test images) on which the
        converter measures each activation's range.

    Returns
    -------
    content : bytes
        The ``.tflite`` file's bytes; ``len(content)`` is its size on disk.

    See Also
    --------
    tf.lite.TFLiteConverter : the reference implementation; TensorFlow's "Post-training
        integer quantization" guide describes the same settings.
    """
    import tensorflow as tf

    mode = check_choice(mode, "mode", MODES)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        if representative_images is None:
            raise ValueError(error_message("representative_images", "training images for mode='int8'", None,
                                           "Pass e.g. X_train[:200]: int8 needs each activation's range."))
        images = check_array(representative_images, "representative_images", ndim=4, dtype=np.float32)
        converter.representative_dataset = lambda: ([image[None]] for image in images)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):  # the converter prints the exported signature
        return converter.convert()


class TFLiteModel:
    """A TFLite model run by the LiteRT interpreter, with a Keras-like ``predict``.

    Parameters
    ----------
    content : bytes
        A flatbuffer from :func:`convert`.
    num_threads : int, default=1
        Interpreter threads; 1 is the phone-like setting and the most repeatable on a busy
        machine.

    Attributes
    ----------
    size_bytes : int
        Size of the flatbuffer (the ``.tflite`` file).
    input_quantization, output_quantization : tuple (scale, zero_point) or None
        ``None`` for float inputs or outputs.
    """

    def __init__(self, content: bytes, *, num_threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        if not isinstance(content, (bytes, bytearray)):
            raise TypeError(error_message("content", "the bytes of a .tflite model", type(content).__name__, "Make them with fusionlab.efficiency.convert(model)."))
        self.content = bytes(content)
        self.num_threads = check_int(num_threads, "num_threads", low=1)
        self._interpreter = Interpreter(model_content=self.content, num_threads=self.num_threads)
        self._input = self._interpreter.get_input_details()[0]
        self._output = self._interpreter.get_output_details()[0]
        self._batch_size = None

    @property
    def size_bytes(self) -> int:
        return len(self.content)

    @staticmethod
    def _quantization(details):
        scale, zero_point = details["quantization"]
        return None if scale == 0 else (float(scale), int(zero_point))

    @property
    def input_quantization(self):
        return self._quantization(self._input)

    @property
    def output_quantization(self):
        return self._quantization(self._output)

    def _resize(self, batch_size: int) -> None:
        if batch_size != self._batch_size:
            shape = (batch_size, *self._input["shape"][1:])
            self._interpreter.resize_tensor_input(self._input["index"], shape)
            self._interpreter.allocate_tensors()
            self._batch_size = batch_size

    def run_batch(self, X) -> np.ndarray:
        """Outputs for one batch of float images, shape (batch, n_classes), float32."""
        self._resize(len(X))
        if self.input_quantization is not None:
            X = quantize(X, *self.input_quantization)
        self._interpreter.set_tensor(self._input["index"], np.asarray(X, dtype=self._input["dtype"]))
        self._interpreter.invoke()
        out = self._interpreter.get_tensor(self._output["index"])
        return out.astype(np.float32) if self.output_quantization is None else dequantize(out, *self.output_quantization)

    def predict(self, X, *, batch_size: int = 256) -> np.ndarray:
        """Class probabilities for float images ``X`` of shape (n, height, width, channels)."""
        X = check_array(X, "X", ndim=4, dtype=np.float32)
        batch_size = check_int(batch_size, "batch_size", low=1)
        return np.concatenate([self.run_batch(X[start:start + batch_size]) for start in range(0, len(X), batch_size)])
