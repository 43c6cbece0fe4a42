"""The arithmetic of a plain convolutional network, by hand: output sizes, parameters, receptive fields.

Chapter 4.1 derives the article's 122,570 parameters layer by layer with these formulas and checks
them against Keras's own ``count_params``. No TensorFlow is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_int, error_message

_KINDS = ("conv", "pool", "flatten", "dense")


def _output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """``floor((n + 2p - k) / s) + 1``, with ``p = 0`` for "valid" and ``p = (k - 1) / 2`` for "same"."""
    pad = 0 if padding == "valid" else (kernel - 1) // 2
    return (size + 2 * pad - kernel) // stride + 1


def conv_arithmetic(layers: Sequence[tuple], input_shape: tuple[int, int, int]) -> list[dict]:
    """Output shape, parameter count and receptive field of every layer of a plain CNN.

    For a square input of side $n$, a convolution with $c_{out}$ filters of size $k \\times k$,
    stride $s$ and padding $p$ gives a side of $\\lfloor (n + 2p - k)/s \\rfloor + 1$ and has
    $(k^2 c_{in} + 1)\\,c_{out}$ parameters (one bias per filter); max pooling of size $m$
    (stride $m$, as Keras's default) gives $\\lfloor n/m \\rfloor$ and has none; a dense layer of
    $u$ units on $d$ inputs has $(d + 1)\\,u$. The receptive field $r$ (the side of the input
    patch one unit sees) and the jump $j$ (input pixels between neighbouring units) start at 1
    and grow as $r \\leftarrow r + (k - 1)\\,j$, $j \\leftarrow j\\,s$ through every convolution
    and pooling layer.

    Parameters
    ----------
    layers : sequence of tuples
        In order, each one of ``("conv", filters, kernel_size)`` or
        ``("conv", filters, kernel_size, stride, padding)`` (padding "valid" or "same", odd
        kernel for "same"; defaults 1 and "valid", as Keras's ``Conv2D``), ``("pool", size)``
        (``MaxPooling2D(size)``), ``("flatten",)`` and ``("dense", units)``.
    input_shape : tuple of int
        ``(height, width, channels)``; height must equal width.

    Returns
    -------
    rows : list of dict
        One per layer: ``kind``, ``output_shape`` (a tuple, like Keras's without the batch
        axis), ``parameters``, ``multiply_adds`` (per image: output positions times the
        weights each reads, biases and pooling not counted), ``receptive_field`` (pixels on a side; ``None`` once the layer
        sees the whole image, from ``flatten`` on) and ``jump``.

    Raises
    ------
    ValueError
        For an unknown layer kind, a non-square input, a layer that leaves no pixels, or a
        convolution after ``flatten``.

    See Also
    --------
    keras.Model.summary : the reference (``tests/test_conv_arithmetic.py`` compares every row).
    fusionlab.models.build_seed_cnn : the article's model, which chapter 4.1 derives with this.
    """
    if len(input_shape) != 3 or input_shape[0] != input_shape[1]:
        raise ValueError(error_message("input_shape", "(side, side, channels) of a square image", input_shape, "Pass e.g. (32, 32, 3)."))
    side, channels = (check_int(value, "input_shape", low=1) for value in (input_shape[0], input_shape[2]))
    flat, receptive_field, jump, rows = None, 1, 1, []
    for layer in layers:
        kind = layer[0] if isinstance(layer, tuple) and layer else None
        if kind not in _KINDS:
            raise ValueError(error_message("layers", f"tuples whose first item is one of {_KINDS}", layer, "See the docstring for each kind's fields."))
        if kind in ("conv", "pool") and flat is not None:
            raise ValueError(error_message("layers", "convolutions and pooling before 'flatten'", layer, "Move it above the flatten layer."))
        parameters = multiply_adds = 0
        if kind == "conv":
            if len(layer) not in (3, 5) or (len(layer) == 5 and layer[4] not in ("valid", "same")):
                raise ValueError(error_message("layers", "('conv', filters, kernel_size[, stride, 'valid' or 'same'])", layer, "Give 2 or 4 fields after 'conv'."))
            filters, kernel, stride, padding = layer[1:] if len(layer) == 5 else (*layer[1:], 1, "valid")
            parameters = (kernel * kernel * channels + 1) * filters
            side = _output_size(side, kernel, stride, padding)
            multiply_adds, channels = side * side * kernel * kernel * channels * filters, filters
            receptive_field, jump = receptive_field + (kernel - 1) * jump, jump * stride
        elif kind == "pool":
            size = layer[1]
            side = _output_size(side, size, size, "valid")
            receptive_field, jump = receptive_field + (size - 1) * jump, jump * size
        elif kind == "flatten":
            flat, receptive_field = side * side * channels, None
        else:
            if flat is None:
                raise ValueError(error_message("layers", "'flatten' before the first dense layer", layer, "Add ('flatten',) above it."))
            parameters, multiply_adds, flat = (flat + 1) * layer[1], flat * layer[1], layer[1]
        if side < 1:
            raise ValueError(error_message("layers", "layers that leave at least one pixel", f"{layer!r} leaves none", "Use a smaller kernel or pool, or a larger input."))
        shape = (side, side, channels) if flat is None else (flat,)
        rows.append({"kind": kind, "output_shape": shape, "parameters": parameters, "multiply_adds": multiply_adds, "receptive_field": receptive_field, "jump": jump})
    return rows


#: The article's listing (TensorFlow's CNN tutorial) as ``conv_arithmetic`` layers.
SEED_CNN_LAYERS = (("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2), ("conv", 64, 3), ("flatten",), ("dense", 64), ("dense", 10))

__all__ = ["SEED_CNN_LAYERS", "conv_arithmetic"]
