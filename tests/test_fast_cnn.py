"""fusionlab.models.fast_cnn, fusionlab.training.fast_fit and .augment: the CNN that wins on a CPU.

Oracles: NumPy in float64 (whitening covariance, flips, crops, multiply-adds written out by
hand for the fast CNN), the formulas of the schedules, and Keras's own ``predict``.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import fusionlab  # noqa: E402
from fusionlab.history import History  # noqa: E402
from fusionlab.optim import OneCycle  # noqa: E402
from fusionlab.efficiency import model_cost  # noqa: E402
from fusionlab.models import build_fast_cnn, build_seed_cnn, cpu_has_bfloat16, init_whitening  # noqa: E402
from fusionlab.models.fast_cnn import resolve_precision  # noqa: E402
from fusionlab.training import (  # noqa: E402
    alternating_flip,
    fast_fit,
    load_model,
    lookahead_decay,
    predict_with_flips,
    random_crop,
    reflect_pad,
    save_model,
)


def _images(n=64, side=16, n_classes=2, seed=0):
    """uint8 images whose class is whether the top or the bottom half is bright."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.integers(0, 60, size=(n, side, side, 3))
    for index, label in enumerate(y):
        rows = slice(0, side // 2) if label == 0 else slice(side // 2, side)
        X[index, rows] += 180
    return X.astype(np.uint8), y.astype(np.int64)


# --- the model -----------------------------------------------------------------------------

def test_fast_cnn_shapes_parameters_and_probabilities():
    model = build_fast_cnn(precision="float32")
    assert model.output_shape == (None, 10)
    assert model.count_params() == 76_487
    assert model.count_params() - sum(int(np.prod(v.shape)) for v in model.trainable_variables) == 288 + 7 + 2 * 2 * (16 + 32 + 64)  # whitening, normalisation, moving statistics of two batch norms per group
    assert model.get_layer("whiten").output.shape[1:] == (31, 31, 24)
    assert not model.get_layer("whiten").trainable
    probabilities = model.predict(np.random.default_rng(0).uniform(size=(4, 32, 32, 3)).astype("float32"), verbose=0)
    assert probabilities.dtype == np.float32 and probabilities.shape == (4, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_fast_cnn_is_compiled_with_nesterov_sgd_and_smoothed_loss():
    model = build_fast_cnn(precision="float32", learning_rate=0.3, momentum=0.8, weight_decay=0.01, label_smoothing=0.1)
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.nesterov
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.3)
    assert optimizer.momentum == pytest.approx(0.8) and optimizer.weight_decay == pytest.approx(0.01)
    assert model.loss.label_smoothing == pytest.approx(0.1)


def test_fast_cnn_starts_its_convolutions_as_partial_identities():
    model = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32")
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D) and layer.name != "whiten"]
    assert len(convs) == 4
    for layer in convs:
        kernel = layer.kernel.numpy()  # (3, 3, in, out)
        n = min(kernel.shape[2], kernel.shape[3])
        expected = np.zeros((3, 3, kernel.shape[2], n))
        expected[1, 1, np.arange(n), np.arange(n)] = 1.0
        np.testing.assert_array_equal(kernel[:, :, :, :n], expected)
        if kernel.shape[3] > n:  # the other filters keep their random start
            assert np.abs(kernel[:, :, :, n:]).sum() > 0
    random = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32", dirac=False)
    kernel = next(layer for layer in random.layers if isinstance(layer, keras.layers.Conv2D) and layer.name != "whiten").kernel.numpy()
    # dirac=False: the He-uniform start, no identity
    assert not np.array_equal(kernel[1, 1, :3, :3], np.eye(3)) and np.abs(kernel[0, 0]).sum() > 0


def test_fast_cnn_weights_follow_random_state():
    first = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32", random_state=1).get_weights()
    again = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32", random_state=1).get_weights()
    other = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32", random_state=2).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_mixed_bfloat16_computes_in_bfloat16_and_answers_in_float32():
    model = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="mixed_bfloat16")
    assert model.get_layer("whiten").compute_dtype == "bfloat16"
    assert model.get_layer("whiten").kernel.dtype == "float32"  # weights stay float32
    assert model.output.dtype == "float32"


def test_cpu_has_bfloat16_reads_the_cpu_flags(tmp_path):
    with_bf16, without = tmp_path / "with", tmp_path / "without"
    with_bf16.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 fma\n")
    without.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 fma\n")
    assert cpu_has_bfloat16(with_bf16) and not cpu_has_bfloat16(without)
    assert not cpu_has_bfloat16(tmp_path / "missing")
    assert resolve_precision("auto") == ("mixed_bfloat16" if cpu_has_bfloat16() else "float32")
    assert resolve_precision("float32") == "float32"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"widths": ()}, TypeError, r"widths must be a non-empty sequence of ints >= 1; got widths=\(\). Pass e.g. \(16, 32, 64\)"),
        ({"widths": "16"}, TypeError, r"widths must be a non-empty sequence of ints >= 1"),
        ({"widths": (8, 0)}, ValueError, r"widths must be a non-empty sequence of ints >= 1; got widths=\(8, 0\)"),
        ({"input_shape": (8, 8, 3)}, ValueError, r"input_shape\[0\] must be an int in \[16, inf\]"),
        ({"precision": "float16"}, ValueError, r"precision must be one of"),
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0.0, 1.0\)"),
        ({"logit_scale": 0}, ValueError, r"logit_scale must be a number in \(0.0, inf\]"),
        ({"dirac": "yes"}, TypeError, r"dirac must be True or False; got dirac='yes'. Use dirac=False only to measure"),
    ],
)
def test_fast_cnn_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_fast_cnn(**kwargs)


def test_fast_cnn_multiply_adds_by_hand():
    """Every layer of the fast CNN is one fusionlab.efficiency.model_cost knows; 1.5x the article's 4,548,608."""
    model = build_fast_cnn(precision="float32")
    by_hand = (31 * 31 * 12 * 24 + 31 * 31 * 24 * 9 * 16 + 15 * 15 * 16 * 9 * 16 + 15 * 15 * 16 * 9 * 32
               + 7 * 7 * 32 * 9 * 32 + 7 * 7 * 32 * 9 * 64 + 3 * 3 * 64 * 9 * 64 + 64 * 10)
    cost = model_cost(model)
    assert cost.macs == by_hand and cost.params == model.count_params()
    assert 1.4 < cost.macs / model_cost(build_seed_cnn()).macs < 1.6


# --- whitening -----------------------------------------------------------------------------

def test_init_whitening_decorrelates_2x2_patches():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(200, 17, 17, 3))
    X = np.clip(0.5 + 0.15 * (base[:, 1:, 1:] + base[:, :-1, :-1]), 0, 1).astype("float32")  # correlated neighbours
    model = init_whitening(build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32"), X, n_samples=200)
    normalisation = model.get_layer("normalise")
    np.testing.assert_allclose(np.ravel(normalisation.mean), X.astype("float64").mean(axis=(0, 1, 2)), atol=1e-5)
    whitened = keras.Model(model.input, model.get_layer("whiten").output).predict(X, verbose=0)  # (200, 15, 15, 24)
    first, second = whitened[..., :12].reshape(-1, 12).astype("float64"), whitened[..., 12:].reshape(-1, 12)
    np.testing.assert_allclose(second, -first, atol=1e-5)
    covariance = first.T @ first / len(first)
    assert np.abs(covariance - np.diag(np.diag(covariance))).max() < 1e-3  # uncorrelated
    assert np.diag(covariance).min() > 0.9 and np.diag(covariance).max() < 1.0 + 1e-4  # lambda / (lambda + eps)


def test_init_whitening_accepts_uint8_and_rejects_other_models():
    X, _ = _images(side=16)
    model = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32")
    from_bytes = init_whitening(model, X).get_layer("whiten").kernel.numpy()
    from_floats = init_whitening(model, X.astype("float32") / 255).get_layer("whiten").kernel.numpy()
    np.testing.assert_allclose(from_bytes, from_floats, rtol=1e-5)
    with pytest.raises(ValueError, match="model must be a model with layers named 'whiten'"):
        init_whitening(build_seed_cnn(), np.zeros((4, 32, 32, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="X must be images of shape"):
        init_whitening(model, np.zeros((4, 32, 32, 3), dtype=np.uint8))


# --- augmentation --------------------------------------------------------------------------

def test_random_crop_of_reflect_padding_is_a_random_translation():
    X, _ = _images(n=500, side=8)
    padded = reflect_pad(X, 2)
    np.testing.assert_array_equal(padded[:, 2:10, 2:10], X)
    np.testing.assert_array_equal(padded[:, 0, 2:10], X[:, 2])  # mirrored border, edge not repeated
    crops = random_crop(padded, 2, np.random.default_rng(0))
    offsets = set()
    for index in range(len(X)):  # every crop is one of the 25 windows
        matches = [(top, left) for top in range(5) for left in range(5) if np.array_equal(crops[index], padded[index, top:top + 8, left:left + 8])]
        assert matches
        offsets.add(matches[0])
    assert len(offsets) == 25
    np.testing.assert_array_equal(crops, random_crop(padded, 2, np.random.default_rng(0)))
    np.testing.assert_array_equal(random_crop(reflect_pad(X, 0), 0, 0), X)


def test_alternating_flip_mirrors_each_image_every_other_epoch():
    X, _ = _images(n=10, side=4)
    first = np.random.default_rng(0).random(10) < 0.5
    epoch0 = alternating_flip(X.copy(), 0, first)
    epoch1 = alternating_flip(X.copy(), 1, first)
    np.testing.assert_array_equal(epoch0[first], X[first, :, ::-1])
    np.testing.assert_array_equal(epoch0[~first], X[~first])
    np.testing.assert_array_equal(epoch1[~first], X[~first, :, ::-1])
    np.testing.assert_array_equal(epoch1[first], X[first])
    np.testing.assert_array_equal(alternating_flip(X.copy(), 2, first), epoch0)
    with pytest.raises(ValueError, match="flipped_first must be a boolean array of length 10"):
        alternating_flip(X, 0, np.zeros(3, dtype=bool))


def test_predict_with_flips_averages_the_mirrored_predictions_by_hand():
    model = build_fast_cnn(widths=(4, 8), input_shape=(16, 16, 3), precision="float32")
    X = np.random.default_rng(1).uniform(size=(7, 16, 16, 3)).astype("float32")
    by_hand = (model.predict(X, verbose=0) + model.predict(X[:, :, ::-1].copy(), verbose=0)) / 2
    np.testing.assert_allclose(predict_with_flips(model, X, batch_size=3), by_hand, rtol=1e-5, atol=1e-7)
    symmetric = np.concatenate([X[:, :, :8], X[:, :, :8][:, :, ::-1]], axis=2)  # mirror images of themselves
    np.testing.assert_allclose(predict_with_flips(model, symmetric), model.predict(symmetric, verbose=0), rtol=1e-5)


def test_reflect_pad_and_random_crop_reject_bad_input():
    X, _ = _images(n=4, side=4)
    with pytest.raises(ValueError, match=r"pad must be an int in \[0, 3\]"):
        reflect_pad(X, 4)
    with pytest.raises(ValueError, match=r"X must be a 4-D array"):
        reflect_pad(X[0], 1)
    with pytest.raises(ValueError, match="pad must be less than half the padded side"):
        random_crop(X, 2, 0)


# --- the loop ------------------------------------------------------------------------------

def test_lookahead_decay_matches_its_formula():
    for progress in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert lookahead_decay(progress, 5) == pytest.approx(0.95**5 * progress**3)
    assert lookahead_decay(2.0, 3) == pytest.approx(0.95**3) and lookahead_decay(-1.0) == 0.0


def _trained(seed, **kwargs):
    fusionlab.set_seed(seed)
    X, y = _images(n=128, side=16, seed=seed)
    model = init_whitening(build_fast_cnn((16, 16, 3), 2, widths=(4, 8), precision="float32", random_state=seed), X)
    history = fast_fit(model, X, y, batch_size=32, random_state=seed, **kwargs)
    return model, history, X, y


def test_fast_fit_learns_and_keeps_a_complete_history():
    model, history, X, y = _trained(0, n_epochs=4, validation_data=_images(n=64, side=16, seed=9))
    assert isinstance(history, History)
    assert history.n_epochs == 4 and history.epoch == [1.0, 2.0, 3.0, 4.0] and history.stopped_by == "epochs"
    assert history.n_samples_seen == [128, 256, 384, 512] and history.step == [4, 8, 12, 16]
    assert len(history.elapsed_s) == 4 and np.all(np.diff(history["elapsed_s"]) > 0)
    assert len(history["val_accuracy"]) == len(history["learning_rate"]) == len(history["validation_time_s"]) == 4
    assert history["val_accuracy"][-1] >= 0.9
    assert history["loss"][-1] < history["loss"][0]
    cycle = OneCycle(0.375, 16, warmup=0.23, final=0.375 * 0.07)  # 16 steps; each record keeps its last step's rate
    np.testing.assert_allclose(history["learning_rate"], [cycle(step) for step in (3, 7, 11, 15)], rtol=1e-5)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.375)  # the peak is restored


def test_fast_fit_is_repeatable_with_the_same_seeds():
    first, _, _, _ = _trained(3, n_epochs=1.5)
    again, history, _, _ = _trained(3, n_epochs=1.5)
    assert history.epoch == [1.0, 1.5] and history.n_samples_seen == [128, 192]  # 1.5 epochs of 4 steps
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))


def test_fast_fit_stops_on_its_time_budget():
    _, history, _, _ = _trained(0, n_epochs=1000, time_budget_s=1.0, validation_data=_images(n=64, side=16, seed=9))
    assert history.stopped_by == "time_budget"
    assert history.train_time_s >= 1.0 and history.n_samples_seen[-1] < 1000 * 128
    assert sum(history["validation_time_s"]) > 0  # validation ran, outside the budget's clock


def test_fast_fit_ends_on_the_lookahead_average_and_runs_without_it():
    _, with_lookahead, _, _ = _trained(0, n_epochs=2)
    _, without, _, _ = _trained(0, n_epochs=2, lookahead_every=None, translate=0, flip=False, bias_lr_scale=1.0)
    assert not np.array_equal(with_lookahead["loss"], without["loss"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_epochs": 0}, ValueError, r"n_epochs must be a number in \(0.0, inf\]; got n_epochs=0. Train for e.g. 10 epochs"),
        ({"epochs": 3}, TypeError, r"unexpected keyword argument 'epochs'"),
        ({"batch_size": 1000}, ValueError, r"batch_size must be an int in \[1, 64\]"),
        ({"translate": 16}, ValueError, r"translate must be an int in \[0, 15\]"),
        ({"flip": 1}, TypeError, r"flip must be True or False"),
        ({"lookahead_every": 0}, ValueError, r"lookahead_every must be an int in \[1, inf\]"),
        ({"time_budget_s": -1.0}, ValueError, r"time_budget_s must be a number in \(0.0, inf\]"),
        ({"validation_data": [1]}, TypeError, r"validation_data must be a \(X_validation, y_validation\) pair"),
        ({"validation_data": (np.zeros((4, 16, 16, 3)), np.zeros(3))}, ValueError, r"validation_data\[0\], validation_data\[1\] must be arrays with the same number"),
        ({"warmup": 0.0}, ValueError, r"warmup must be a number in \(0.0, 1.0\); got warmup=0.0. Use e.g. 0.23"),
        ({"final_learning_rate": 2.0}, ValueError, r"final_learning_rate must be a number in \[0.0, 1.0\]"),
        ({"bias_lr_scale": 0.0}, ValueError, r"bias_lr_scale must be a number in \(0.0, inf\]"),
    ],
)
def test_fast_fit_rejects_bad_input(kwargs, error, match):
    X, y = _images(n=64, side=16)
    model = build_fast_cnn((16, 16, 3), 2, widths=(4, 8), precision="float32")
    with pytest.raises(error, match=match):
        fast_fit(model, X, y, **{"batch_size": 32, **kwargs})


def test_fast_fit_rejects_integer_images_and_uncompiled_models():
    X, y = _images(n=64, side=16)
    model = build_fast_cnn((16, 16, 3), 2, widths=(4, 8), precision="float32")
    with pytest.raises(TypeError, match="X must be uint8 pixels or floats in"):
        fast_fit(model, X.astype(np.int64), y)
    with pytest.raises(ValueError, match=r"X must be a 4-D array"):
        fast_fit(model, X[0], y)
    with pytest.raises(ValueError, match=r"X, y must be arrays with the same number of samples"):
        fast_fit(model, X, y[:10])
    uncompiled = keras.Model(model.input, model.output)
    with pytest.raises(ValueError, match="model must be a compiled keras.Model"):
        fast_fit(uncompiled, X, y, batch_size=32)


def test_saved_and_reloaded_fast_cnn_predicts_identically(tmp_path):
    model, _, X, _ = _trained(0, n_epochs=1)
    reloaded = load_model(save_model(model, tmp_path / "fast.keras"))
    images = X[:8].astype("float32") / 255
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-5, atol=1e-6)
