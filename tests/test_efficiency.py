"""fusionlab.efficiency: cost counts against a hand derivation, quantisation against TFLite's own
parameters, pruning masks kept through fine-tuning, the distillation loss against NumPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fusionlab.data import load_digits_images, resize_images  # noqa: E402
from fusionlab.efficiency import (TFLiteModel, affine_parameters, apply_masks, convert, dequantize, distill,  # noqa: E402
                                  distillation_loss, efficiency_row, gzip_bytes, magnitude_masks, measure_latency,
                                  model_cost, prune_in_steps, quantize, sparsity)
from fusionlab.models import build_improved_cnn, build_seed_cnn  # noqa: E402


# -- cost accounting -------------------------------------------------------------------------------
def test_the_article_cnn_costs_what_a_hand_derivation_says():
    # (kind, params = k*k*c_in*c_out + c_out or n_in*n_out + n_out, MACs = h_out*w_out*c_out*k*k*c_in or n_in*n_out)
    hand = [
        ("Conv2D", 3 * 3 * 3 * 32 + 32, 30 * 30 * 32 * (3 * 3 * 3)),        # 32x32x3 -> 30x30x32
        ("MaxPooling2D", 0, 0),                                           # -> 15x15x32
        ("Conv2D", 3 * 3 * 32 * 64 + 64, 13 * 13 * 64 * (3 * 3 * 32)),    # -> 13x13x64
        ("MaxPooling2D", 0, 0),                                           # -> 6x6x64
        ("Conv2D", 3 * 3 * 64 * 64 + 64, 4 * 4 * 64 * (3 * 3 * 64)),      # -> 4x4x64
        ("Flatten", 0, 0),                                                # -> 1024
        ("Dense", 1024 * 64 + 64, 1024 * 64),
        ("Dense", 64 * 10 + 10, 64 * 10),
    ]
    cost = model_cost(build_seed_cnn())
    assert [(layer.kind, layer.params, layer.macs) for layer in cost.layers] == hand
    assert cost.params == 122_570 and cost.macs == 4_548_608
    assert [layer.other_ops for layer in cost.layers if layer.kind == "MaxPooling2D"] == [15 * 15 * 32 * 4, 6 * 6 * 64 * 4]
    assert "4,548,608" in cost.table()


def test_parameter_counts_equal_keras_for_both_chapter_models():
    for model in (build_seed_cnn((28, 28, 1), 5), build_improved_cnn(widths=(8, 16))):
        assert model_cost(model).params == model.count_params()


def test_grouped_depthwise_convolutions_pooling_and_dense_on_feature_maps():
    from keras import layers

    inputs = keras.Input((8, 8, 4))
    x = layers.Conv2D(6, 3, padding="same", groups=2)(inputs)  # 8x8x6, each filter sees 2 of 4 channels
    x = layers.DepthwiseConv2D(3)(x)  # 6x6x6
    x = layers.AveragePooling2D(3)(x)  # 2x2x6
    x = layers.Dense(5)(x)  # applied at each of the 2x2 positions
    cost = model_cost(keras.Model(inputs, x))
    assert [layer.macs for layer in cost.layers[1:]] == [8 * 8 * 6 * 9 * 2, 6 * 6 * 6 * 9, 0, 2 * 2 * 6 * 5]
    assert cost.layers[3].other_ops == 2 * 2 * 6 * 9
    assert cost.params == keras.Model(inputs, x).count_params()


def test_separable_convolutions_and_depth_multipliers():
    from keras import layers

    inputs = keras.Input((8, 8, 4))
    x = layers.SeparableConv2D(6, 3, padding="same")(inputs)  # 8x8: depthwise 9 x 4, then pointwise 4 -> 6
    x = layers.DepthwiseConv2D(3, depth_multiplier=2)(x)  # 6x6x12
    cost = model_cost(keras.Model(inputs, x))
    assert [layer.macs for layer in cost.layers[1:]] == [8 * 8 * (9 * 4 + 4 * 6), 6 * 6 * 9 * 6 * 2]
    assert cost.params == keras.Model(inputs, x).count_params()


def test_model_cost_names_a_layer_it_cannot_count():
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2)])
    with pytest.raises(ValueError, match=r"model must be layers whose cost fusionlab knows.*LSTM.*Add its formula"):
        model_cost(model)
    with pytest.raises(TypeError, match=r"model must be a built keras.Model"):
        model_cost("seed_cnn")


# -- quantisation -----------------------------------------------------------------------------------
def test_affine_quantisation_round_trip_is_within_half_a_step():
    x = np.linspace(-0.3, 2.0, 1001)
    scale, zero_point = affine_parameters(x.min(), x.max())
    q = quantize(x, scale, zero_point)
    assert q.dtype == np.int8 and q.min() >= -128 and q.max() <= 127
    assert np.max(np.abs(dequantize(q, scale, zero_point) - x)) <= scale / 2 + 1e-7
    assert dequantize(quantize(0.0, scale, zero_point), scale, zero_point) == 0.0  # zero is exact
    assert affine_parameters(0.0, 1.0) == pytest.approx((1 / 255, -128))


@pytest.fixture(scope="module")
def digits():
    data = load_digits_images(random_state=0)
    X = resize_images(data.X_train, (32, 32, 3)).astype("float32") / 255.0
    X_test = resize_images(data.X_test, (32, 32, 3)).astype("float32") / 255.0
    return X[:400], data.y_train[:400], X_test[:300], data.y_test[:300]


@pytest.fixture(scope="module")
def trained(digits):
    X, y, _, _ = digits
    model = build_seed_cnn()
    distill(model, X, y, None, epochs=3, random_state=0)
    return model


def test_int8_model_agrees_with_the_float_model_on_95_percent_of_test_images(trained, digits):
    X, _, X_test, y_test = digits
    int8 = TFLiteModel(convert(trained, "int8", representative_images=X[:100]))
    dynamic = TFLiteModel(convert(trained, "dynamic"))
    float_model = TFLiteModel(convert(trained, "float"))
    reference = trained.predict(X_test, verbose=0)
    np.testing.assert_allclose(float_model.predict(X_test), reference, atol=1e-5)  # the same function, another runtime
    assert np.mean(int8.predict(X_test).argmax(axis=1) == reference.argmax(axis=1)) >= 0.95
    assert int8.input_quantization == pytest.approx(affine_parameters(0.0, 1.0))  # TFLite picks x = (q + 128) / 255
    assert dynamic.size_bytes < 0.3 * float_model.size_bytes and int8.size_bytes < 0.3 * float_model.size_bytes
    assert float(np.mean(reference.argmax(axis=1) == y_test)) > 0.5  # the model learned something


def test_the_interpreter_is_litert_and_does_not_warn(trained):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = TFLiteModel(convert(trained, "float"))
    assert type(model._interpreter).__module__.startswith("ai_edge_litert")


def test_conversion_and_interpreter_errors(trained):
    with pytest.raises(ValueError, match=r"representative_images must be training images for mode='int8'.*X_train\[:200\]"):
        convert(trained, "int8")
    with pytest.raises(ValueError, match=r"mode must be one of \['float', 'dynamic', 'int8'\]"):
        convert(trained, "int4")
    with pytest.raises(TypeError, match=r"content must be the bytes of a .tflite model"):
        TFLiteModel("model.tflite")


# -- latency and size -------------------------------------------------------------------------------
def test_latency_is_a_median_per_image_and_checks_its_inputs():
    calls = []
    latency = measure_latency(lambda batch: calls.append(len(batch)), np.zeros((10, 2)), 5, n_repeats=4, n_warmup=2)
    assert calls == [5] * 6 and latency.batch_size == 5 and latency.per_image_s == pytest.approx(latency.median_batch_s / 5)
    with pytest.raises(ValueError, match=r"batch_size must be an int in \[1, 10\].*X holds 10 images"):
        measure_latency(lambda batch: None, np.zeros((10, 2)), 11)
    with pytest.raises(TypeError, match=r"run must be a callable run\(batch\)"):
        measure_latency("model", np.zeros((10, 2)), 1)


def test_gzip_shrinks_zeros_not_random_floats():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=10_000).astype(np.float32)
    assert gzip_bytes(noise.tobytes()) > 0.85 * noise.nbytes
    assert gzip_bytes(np.zeros(10_000, np.float32).tobytes()) < 0.01 * noise.nbytes


# -- pruning ----------------------------------------------------------------------------------------
def test_masks_remove_the_smallest_weights_globally_or_per_layer():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="a"), keras.layers.Dense(1, name="b")])
    model.layers[0].kernel.assign(np.array([[1.0, -2.0], [3.0, -4.0]], dtype="float32"))
    model.layers[1].kernel.assign(np.array([[0.5], [5.0]], dtype="float32"))
    masks = magnitude_masks(model, 0.5)  # 6 weights, 3 smallest: 0.5, 1, -2
    assert masks["a"].tolist() == [[False, False], [True, True]] and masks["b"].tolist() == [[False], [True]]
    per_layer = magnitude_masks(model, 0.5, scope="layer")
    assert per_layer["a"].tolist() == [[False, False], [True, True]] and per_layer["b"].tolist() == [[False], [True]]
    model.layers[0].kernel.assign(np.array([[9.0, 9.0], [3.0, -4.0]], dtype="float32"))  # pruned weights regrew
    again = magnitude_masks(model, 0.5, previous=masks)
    assert not again["a"][0].any()  # what was removed stays removed
    apply_masks(model, again)
    assert sparsity(model) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"target_sparsity must be a number in \[0.0, 1.0\)"):
        magnitude_masks(model, 1.0)


def test_pruned_weights_stay_exactly_zero_after_fine_tuning(trained, digits):
    X, y, _, _ = digits
    before = {layer.name: np.asarray(layer.kernel).copy() for layer in trained.layers if hasattr(layer, "kernel")}
    pruned = prune_in_steps(trained, X, y, (0.5, 0.9), epochs=1)
    for level, (model, masks) in pruned.items():
        assert sparsity(model) == pytest.approx(level, abs=1e-4)
        for layer in model.layers:
            if layer.name in masks:
                kernel = np.asarray(layer.kernel)
                assert np.all(kernel[~masks[layer.name]] == 0.0)  # exactly zero, after Adam's updates
                assert not np.allclose(kernel[masks[layer.name]], before[layer.name][masks[layer.name]])  # the rest trained
    assert all(np.all(pruned[0.9][1][name] <= pruned[0.5][1][name]) for name in pruned[0.5][1])  # nested masks
    assert sparsity(trained) < 0.01  # the original model is untouched
    with pytest.raises(ValueError, match=r"sparsities must be a non-empty increasing sequence"):
        prune_in_steps(trained, X, y, (0.9, 0.5))


# -- distillation ------------------------------------------------------------------------------------
def test_distillation_loss_matches_a_float64_numpy_reference():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 6)
    student = rng.dirichlet(np.ones(4), 6)  # (batch, classes) probabilities
    teacher = np.log(rng.dirichlet(np.ones(4), 6))
    T, alpha = 3.0, 0.3
    softmax = lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)  # noqa: E731
    p, q = softmax(teacher / T), softmax(np.log(student) / T)
    expected = alpha * -np.log(student[np.arange(6), labels]) + (1 - alpha) * T ** 2 * np.sum(p * np.log(p / q), axis=1)
    y_true = np.column_stack([labels, teacher]).astype("float32")
    got = keras.ops.convert_to_numpy(distillation_loss(T, alpha).call(y_true, student.astype("float32")))
    np.testing.assert_allclose(got, expected, rtol=1e-4)  # float32 inside Keras
    hard = keras.ops.convert_to_numpy(distillation_loss(T, 1.0).call(y_true, student.astype("float32")))
    np.testing.assert_allclose(hard, keras.losses.sparse_categorical_crossentropy(labels, student), rtol=1e-5)
    with pytest.raises(ValueError, match=r"alpha must be a number in \[0.0, 1.0\]"):
        distillation_loss(4.0, 1.5)


def test_distill_is_repeatable_and_checks_the_teacher_targets(digits):
    X, y, _, _ = digits
    runs = []
    for _ in range(2):
        student = build_seed_cnn()
        distill(student, X[:64], y[:64], None, epochs=1, random_state=3)
        runs.append(student.get_weights()[0])
    np.testing.assert_array_equal(*runs)
    with pytest.raises(ValueError, match=r"teacher_log_probs must be an array of shape \(64, 10\)"):
        distill(build_seed_cnn(), X[:64], y[:64], np.zeros((64, 3)), epochs=1)


def test_efficiency_row_measures_every_column(trained, digits):
    _, _, X_test, y_test = digits
    row = efficiency_row(trained, TFLiteModel(convert(trained)), X_test, y_test, n_repeats=5)
    assert row["params"] == row["nonzero_params"] == 122_570 and row["macs"] == 4_548_608
    assert row["gzip_bytes"] < row["bytes"] and row["latency_1_ms"] > 0 and 0.5 < row["accuracy"] <= 1
