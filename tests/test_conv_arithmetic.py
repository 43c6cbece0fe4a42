"""fusionlab.models.conv_arithmetic against Keras: every layer's output shape and parameter count,
and the receptive field against the input gradient of one output unit (an oracle computed by TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from fusionlab.models import SEED_CNN_LAYERS, build_seed_cnn, conv_arithmetic

keras = pytest.importorskip("keras")


def _keras_model(layers_, input_shape, pooling="max", activation="relu"):
    from keras import layers

    make = {
        "conv": lambda spec: layers.Conv2D(spec[1], spec[2], strides=(spec[3:] or (1,))[0], padding=(spec[4:] or ("valid",))[0], activation=activation),
        "pool": lambda spec: (layers.MaxPooling2D if pooling == "max" else layers.AveragePooling2D)(spec[1]),
        "flatten": lambda spec: layers.Flatten(),
        "dense": lambda spec: layers.Dense(spec[1]),
    }
    return keras.Sequential([keras.Input(shape=input_shape)] + [make[spec[0]](spec) for spec in layers_])


def test_the_seed_cnn_layer_by_layer():
    rows = conv_arithmetic(SEED_CNN_LAYERS, (32, 32, 3))
    model = build_seed_cnn((32, 32, 3), 10)
    assert [row["parameters"] for row in rows] == [layer.count_params() for layer in model.layers]
    assert [row["output_shape"] for row in rows] == [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert sum(row["parameters"] for row in rows) == model.count_params() == 122_570
    assert [row["receptive_field"] for row in rows[:5]] == [3, 4, 8, 10, 18]
    # 30*30 positions * 3*3*3 weights * 32 filters; 13*13 * 3*3*32 * 64; 4*4 * 3*3*64 * 64; 1024*64; 64*10
    assert [row["multiply_adds"] for row in rows] == [777_600, 0, 3_115_008, 0, 589_824, 0, 65_536, 640]


@pytest.mark.parametrize("layers_, input_shape", [
    ((("conv", 8, 5, 2, "same"), ("pool", 3), ("conv", 4, 3, 1, "valid"), ("flatten",), ("dense", 7)), (33, 33, 2)),
    ((("conv", 6, 3, 1, "same"), ("conv", 6, 3, 2, "valid"), ("pool", 2), ("flatten",), ("dense", 3), ("dense", 2)), (20, 20, 1)),
])
def test_shapes_and_parameters_match_keras(layers_, input_shape):
    rows = conv_arithmetic(layers_, input_shape)
    model = _keras_model(layers_, input_shape)
    assert [row["parameters"] for row in rows] == [layer.count_params() for layer in model.layers]
    assert [row["output_shape"] for row in rows] == [tuple(layer.output.shape[1:]) for layer in model.layers]


@pytest.mark.parametrize("layers_", [SEED_CNN_LAYERS[:5], (("conv", 2, 5, 2, "valid"), ("pool", 2), ("conv", 2, 3))])
def test_receptive_field_is_the_support_of_an_input_gradient(layers_):
    """With all-ones weights, linear activations and average pooling, one output unit depends on exactly its receptive field."""
    import tensorflow as tf

    model = _keras_model(layers_, (48, 48, 1), pooling="average", activation=None)
    for weights in model.weights:
        weights.assign(np.ones(weights.shape))
    image = tf.constant(np.zeros((1, 48, 48, 1)), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(image)
        unit = model(image)[0, 1, 1, 0]  # a unit away from the border
    rows, columns = np.nonzero(tape.gradient(unit, image).numpy()[0, :, :, 0])
    expected = conv_arithmetic(layers_, (48, 48, 1))[-1]
    assert rows.max() - rows.min() + 1 == columns.max() - columns.min() + 1 == expected["receptive_field"]
    assert rows.min() == expected["jump"]  # unit 1 starts one jump from the image's edge


def test_bad_layers_name_the_problem():
    with pytest.raises(ValueError, match="layers must be tuples whose first item is one of"):
        conv_arithmetic([("convolution", 3, 3)], (8, 8, 1))
    with pytest.raises(ValueError, match="layers must be 'flatten' before the first dense layer"):
        conv_arithmetic([("dense", 3)], (8, 8, 1))
    with pytest.raises(ValueError, match="layers must be layers that leave at least one pixel"):
        conv_arithmetic([("conv", 3, 5), ("conv", 3, 5)], (8, 8, 1))
    with pytest.raises(ValueError, match="layers must be convolutions and pooling before 'flatten'"):
        conv_arithmetic([("flatten",), ("pool", 2)], (8, 8, 1))
    with pytest.raises(ValueError, match=r"layers must be \('conv', filters"):
        conv_arithmetic([("conv", 3, 3, 1, "full")], (8, 8, 1))
    with pytest.raises(ValueError, match="input_shape must be"):
        conv_arithmetic(SEED_CNN_LAYERS, (32, 16, 3))
