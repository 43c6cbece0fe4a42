"""What a Keras model costs per image, layer by layer: parameters and multiply-adds, counted
from the layer's shapes (no profiler), and what it costs to store.

The counts follow the layers' definitions:

- ``Dense(units)`` on ``n_in`` inputs: ``n_in * units`` weights and ``units`` biases;
  ``n_in * units`` multiply-adds per position (one position for a flat input).
- ``Conv2D(filters, (k_h, k_w))`` on ``c_in`` channels, output ``h_out x w_out``:
  ``k_h * k_w * c_in / groups * filters`` weights (plus ``filters`` biases); each output value
  is one dot product of length ``k_h * k_w * c_in / groups``, so
  ``h_out * w_out * filters * k_h * k_w * c_in / groups`` multiply-adds.
- Pooling has no parameters and no multiplications: ``h_out * w_out * c * p_h * p_w`` window
  reads (comparisons for max pooling, additions for average pooling), counted as ``other_ops``.
- Batch normalisation at inference is one multiply-add per element (``other_ops``); it can be
  folded into the convolution before it, so it is not counted as a multiply-add.

One floating-point "FLOP" count in the literature is often ``2 x`` multiply-adds. Used in
chapter 5.4 (notebook ``05_4_efficiency``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._text import format_rows
from .._validation import error_message

__all__ = ["LayerCost", "ModelCost", "model_cost"]

#: Layers that cost nothing at inference (reshapes, identity at inference, bookkeeping).
_FREE = ("InputLayer", "Flatten", "Reshape", "Dropout", "SpatialDropout2D", "GaussianNoise", "RandomFlip",
         "RandomTranslation", "RandomRotation", "RandomZoom", "RandomCrop", "Activation", "ReLU", "Softmax",
         "LeakyReLU", "ELU")
#: Layers with one multiply-add per element at inference (counted as other_ops).
_ELEMENTWISE = ("BatchNormalization", "Normalization", "Rescaling", "LayerNormalization")


@dataclass(frozen=True)
class LayerCost:
    """One layer's cost for one image.

    Attributes
    ----------
    name, kind : str
        The layer's name and class name.
    output_shape : tuple of int
        Per image (without the batch axis).
    params : int
        All its weights (trainable or not; batch normalisation's moving statistics included,
        as Keras's ``count_params`` counts them).
    macs : int
        Multiply-adds of its matrix products (Dense, convolutions) per image.
    other_ops : int
        Other arithmetic per image: pooling window reads, batch normalisation's scale and shift.
    """

    name: str
    kind: str
    output_shape: tuple
    params: int
    macs: int
    other_ops: int


@dataclass(frozen=True)
class ModelCost:
    """The layers' costs and their totals. ``table()`` prints them."""

    name: str
    layers: list

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def other_ops(self) -> int:
        return sum(layer.other_ops for layer in self.layers)

    def table(self) -> str:
        rows = {layer.name: {"kind": layer.kind, "output": "x".join(map(str, layer.output_shape)), "params": f"{layer.params:,}",
                             "MACs": f"{layer.macs:,}", "other ops": f"{layer.other_ops:,}"} for layer in self.layers}
        rows["total"] = {"kind": "", "output": "", "params": f"{self.params:,}", "MACs": f"{self.macs:,}", "other ops": f"{self.other_ops:,}"}
        return format_rows(rows, first_column="layer")


def _shape(tensor_shape, layer) -> tuple:
    shape = tuple(tensor_shape)[1:]
    if any(side is None for side in shape):
        raise ValueError(error_message(f"layer {layer.name!r}", "a fixed per-image shape", shape,
                                       "Build the model with a fixed input_shape=(height, width, channels)."))
    return shape


def _layer_cost(layer) -> LayerCost:
    kind = type(layer).__name__
    params = int(layer.count_params()) if layer.built else 0
    out = _shape(layer.output.shape, layer)
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        c_in = _shape(layer.input.shape, layer)[-1]
        positions = out[0] * out[1]
        window = layer.kernel_size[0] * layer.kernel_size[1]
        if kind == "DepthwiseConv2D":
            macs = positions * window * c_in * layer.depth_multiplier
        elif kind == "SeparableConv2D":
            depthwise = c_in * layer.depth_multiplier
            macs = positions * (window * depthwise + depthwise * layer.filters)
        else:
            macs = positions * window * (c_in // layer.groups) * layer.filters
        return LayerCost(layer.name, kind, out, params, macs, 0)
    if kind == "Dense":
        n_in = _shape(layer.input.shape, layer)[-1]
        return LayerCost(layer.name, kind, out, params, math.prod(out[:-1]) * n_in * layer.units, 0)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return LayerCost(layer.name, kind, out, params, 0, math.prod(out) * layer.pool_size[0] * layer.pool_size[1])
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return LayerCost(layer.name, kind, out, params, 0, math.prod(_shape(layer.input.shape, layer)))
    if kind in _ELEMENTWISE:
        return LayerCost(layer.name, kind, out, params, 0, math.prod(out))
    if kind in _FREE:
        return LayerCost(layer.name, kind, out, params, 0, 0)
    raise ValueError(error_message("model", "layers whose cost fusionlab knows (Dense, Conv2D, pooling, normalisation, "
                                   "activations, reshapes, dropout, augmentation)", f"layer {layer.name!r} of type {kind}",
                                   "Add its formula to fusionlab.efficiency.costs."))


def model_cost(model) -> ModelCost:
    """Count a built Keras model's parameters and multiply-adds per image, layer by layer.

    Parameters
    ----------
    model : keras.Model
        Built with a fixed input shape (every ``fusionlab.models`` builder does this).

    Returns
    -------
    ModelCost
        ``.layers`` (a list of :class:`LayerCost`), ``.params``, ``.macs``, ``.other_ops``
        and ``.table()``. For the article's CNN on 32x32x3 images: 122,570 parameters and
        4,548,608 multiply-adds.

    See Also
    --------
    keras.Model.count_params : the reference for the parameter count.
    TensorFlow's profiler (``tf.compat.v1.profiler``, ``float_operation``) : counts every
        floating-point operation, two per multiply-add.
    """
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise TypeError(error_message("model", "a built keras.Model", type(model).__name__, "Build one with a fusionlab.models builder."))
    return ModelCost(model.name, [_layer_cost(layer) for layer in model.layers])
