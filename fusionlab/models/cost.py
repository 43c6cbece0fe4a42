"""What a Keras model costs per image: multiply-adds of the forward pass."""

from __future__ import annotations

from .._validation import error_message


def count_multiply_adds(model) -> int:
    """Multiply-adds per image of a model's forward pass, counted layer by layer.

    Counts the layers that dominate a CNN's cost: ``Conv2D`` (``out_h * out_w * k_h * k_w *
    in_channels / groups * filters``), ``DepthwiseConv2D`` and ``SeparableConv2D`` (depthwise
    plus pointwise parts) and ``Dense`` (``inputs * units``). Pooling, batch normalisation,
    activations and biases are left out (they are a few percent of a CNN's arithmetic, though
    not necessarily of its time). Training costs about three times the forward pass.

    Parameters
    ----------
    model : keras.Model
        Built, with fixed input height and width.

    Returns
    -------
    multiply_adds : int

    See Also
    --------
    TensorFlow's profiler (``tf.compat.v1.profiler`` with ``float_operation``) : counts every
        floating-point operation, two per multiply-add.

    Notes
    -----
    Used in chapter 4.1 and ``benchmarks/cnn_cifar10.py`` (the article's CNN: 4,548,608).
    """
    from keras import layers

    if not hasattr(model, "_flatten_layers"):
        raise TypeError(error_message("model", "a keras.Model", type(model).__name__, "Build one with a fusionlab.models builder."))
    total = 0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D, layers.Dense)):
            out_shape, in_channels = layer.output.shape, layer.input.shape[-1]
            positions = 1
            for side in out_shape[1:-1]:
                if side is None:
                    raise ValueError(error_message("model", "a model with fixed input height and width", model.name, "Build it with input_shape=(height, width, channels)."))
                positions *= side
        if isinstance(layer, layers.DepthwiseConv2D):
            kernel = layer.kernel_size[0] * layer.kernel_size[1]
            total += positions * kernel * in_channels * layer.depth_multiplier
        elif isinstance(layer, layers.SeparableConv2D):
            kernel = layer.kernel_size[0] * layer.kernel_size[1]
            depthwise_channels = in_channels * layer.depth_multiplier
            total += positions * (kernel * depthwise_channels + depthwise_channels * layer.filters)
        elif isinstance(layer, layers.Conv2D):
            kernel = layer.kernel_size[0] * layer.kernel_size[1]
            total += positions * kernel * in_channels // layer.groups * layer.filters
        elif isinstance(layer, layers.Dense):
            total += positions * in_channels * layer.units
    return int(total)
