"""fusionlab.models.cnn and fusionlab.training: the article's CNN exactly, training helpers, saving.

The seed builder is compared layer by layer with the article's listing (written out here with
Keras's own layers, the reference); training, splitting and saving on tiny fixtures.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fusionlab.history import History  # noqa: E402
from fusionlab.models import IMPROVED_CNN_ABLATIONS, build_improved_cnn, build_seed_cnn  # noqa: E402
from fusionlab.optim import OneCycle  # noqa: E402
from fusionlab.training import ablate, fit, load_model, save_model, train_validation_split  # noqa: E402


def _article_model():
    """The article's section 4.1 model, as written (Keras 3 spelling of the input shape)."""
    from keras import layers, models

    return models.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def _tiny_images(n=96, side=20, n_classes=3, seed=0):
    """Images whose class is which third of the picture is bright: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.uniform(0.0, 0.2, size=(n, side, side, 3)).astype("float32")
    band = side // n_classes
    for index, label in enumerate(y):
        X[index, label * band:(label + 1) * band] += 0.8
    return X, y.astype(np.int64)


# --- the article's model -------------------------------------------------------------------

def test_seed_cnn_has_the_articles_122570_parameters():
    model = build_seed_cnn()
    assert model.count_params() == 122_570
    assert model.count_params() == _article_model().count_params()


def test_seed_cnn_layers_and_output_shapes_equal_the_articles():
    ours, article = build_seed_cnn(), _article_model()
    assert len(ours.layers) == len(article.layers) == 8
    for mine, theirs in zip(ours.layers, article.layers):
        assert type(mine) is type(theirs)
        assert mine.output.shape == theirs.output.shape
        assert mine.count_params() == theirs.count_params()
        for key in ("filters", "kernel_size", "strides", "padding", "activation", "units", "pool_size"):
            if key in theirs.get_config():
                assert mine.get_config()[key] == theirs.get_config()[key], (mine.name, key)
    shapes = [tuple(layer.output.shape[1:]) for layer in ours.layers]
    assert shapes == [(30, 30, 32), (15, 15, 32), (13, 13, 64), (6, 6, 64), (4, 4, 64), (1024,), (64,), (10,)]


def test_seed_cnn_is_compiled_like_the_article():
    model = build_seed_cnn()
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert math.isclose(float(model.optimizer.learning_rate.numpy()), 1e-3, rel_tol=1e-6)
    assert model.loss == "sparse_categorical_crossentropy"


def test_seed_cnn_takes_other_shapes_and_class_counts():
    model = build_seed_cnn((28, 28, 1), 5)
    probabilities = model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert probabilities.shape == (2, 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


# --- the improved model ---------------------------------------------------------------------

def test_improved_cnn_shapes_and_augmentation_only_in_training():
    model = build_improved_cnn((16, 16, 3), 4, widths=(8, 16), dropout=0.0, flip=True, shift=0.25)
    assert tuple(model.output.shape) == (None, 4)
    X = np.random.default_rng(0).random((3, 16, 16, 3)).astype("float32")
    # inference is deterministic: augmentation and dropout are off
    np.testing.assert_array_equal(model.predict(X, verbose=0), model.predict(X, verbose=0))
    names = [layer.name for layer in model.layers]
    assert "random_flip" in names and "random_shift" in names
    assert not any("flip" in layer.name for layer in build_improved_cnn((16, 16, 3), 4, widths=(8, 16), flip=False).layers)


def test_improved_cnn_ablations_remove_exactly_their_ingredient():
    def kinds(model):
        return {type(layer).__name__ for layer in model.layers}

    full = build_improved_cnn((16, 16, 3), 4, widths=(8, 16), flip=True)
    models = {name: build_improved_cnn((16, 16, 3), 4, widths=(8, 16), **{"flip": True, **kwargs}) for name, kwargs in IMPROVED_CNN_ABLATIONS.items()}
    removed = {name: kinds(full) - kinds(model) for name, model in models.items()}
    assert removed == {"all ingredients": set(), "no augmentation": {"RandomFlip", "RandomTranslation"},
                       "no batch normalisation": {"BatchNormalization"}, "no dropout": {"Dropout"}}
    # without batch normalisation the convolutions get their biases back: 8 + 8 + 16 + 16 filters,
    # and lose batch normalisation's 4 numbers per filter (scale, shift, moving mean and variance)
    assert full.count_params() - models["no batch normalisation"].count_params() == 4 * 48 - 48


@pytest.mark.parametrize(
    ("build", "kwargs", "error", "match"),
    [
        (build_seed_cnn, {"input_shape": (8, 8, 1)}, ValueError, r"input_shape\[0\] must be an int in \[18, inf\]; got input_shape\[0\]=8\. Pass"),
        (build_seed_cnn, {"input_shape": (32, 32)}, ValueError, r"input_shape must be a \(height, width, channels\) tuple; got input_shape=\(32, 32\)"),
        (build_seed_cnn, {"n_classes": 1}, ValueError, r"n_classes must be an int in \[2, inf\]; got n_classes=1\. A classifier needs"),
        (build_seed_cnn, {"n_classes": 2.5}, TypeError, r"n_classes must be an int in \[2, inf\]; got n_classes=2\.5"),
        (build_improved_cnn, {"input_shape": (30, 30, 3)}, ValueError, r"input_shape must be sides divisible by 2\*\*len\(widths\)=8"),
        (build_improved_cnn, {"widths": ()}, TypeError, r"widths must be a non-empty sequence of ints"),
        (build_improved_cnn, {"widths": (16, 0)}, ValueError, r"widths\[1\] must be an int in \[1, inf\]; got widths\[1\]=0"),
        (build_improved_cnn, {"dropout": 1.0}, ValueError, r"dropout must be a number in \[0\.0, 1\.0\); got dropout=1\.0"),
        (build_improved_cnn, {"flip": "yes"}, TypeError, r"flip must be True or False; got flip='yes'\. Use flip=False for digits"),
        (build_improved_cnn, {"shift": 0.6}, ValueError, r"shift must be a number in \[0\.0, 0\.5\]; got shift=0\.6"),
        (build_improved_cnn, {"batch_norm_momentum": 1.0}, ValueError, r"batch_norm_momentum must be a number in \[0\.0, 1\.0\); got"),
        (build_improved_cnn, {"batch_norm": 0}, TypeError, r"batch_norm must be True or False; got batch_norm=0\. Use batch_norm=False"),
    ],
)
def test_builders_reject_bad_input(build, kwargs, error, match):
    with pytest.raises(error, match=match):
        build(**kwargs)


def test_smoothed_loss_equals_keras_categorical_crossentropy_on_one_hot_labels():
    model = build_improved_cnn((8, 8, 3), 4, widths=(4,), label_smoothing=0.2)
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(4), size=6).astype("float32")
    labels = rng.integers(0, 4, size=6)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.2)(np.eye(4)[labels], probabilities)
    np.testing.assert_allclose(float(model.loss(labels, probabilities)), float(reference), rtol=1e-6)


# --- training helpers -----------------------------------------------------------------------

def test_train_validation_split_is_stratified_disjoint_and_seeded():
    X = np.arange(200).reshape(100, 2)
    y = np.repeat([0, 1, 2, 3], 25)
    X_train, X_validation, y_train, y_validation = train_validation_split(X, y, 0.2, random_state=3)
    assert len(y_validation) == 20 and np.all(np.bincount(y_validation) == 5)
    assert set(X_train[:, 0]).isdisjoint(X_validation[:, 0])
    assert sorted(np.concatenate([X_train[:, 0], X_validation[:, 0]])) == list(range(0, 200, 2))
    again = train_validation_split(X, y, 0.2, random_state=3)
    np.testing.assert_array_equal(again[1], X_validation)
    other = train_validation_split(X, y, 0.2, random_state=4)
    assert not np.array_equal(other[1], X_validation)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"validation_fraction": 0.0}, ValueError, r"validation_fraction must be a number in \(0\.0, 1\.0\); got validation_fraction=0\.0\. Use e\.g\. 0\.1"),
        ({"validation_fraction": 0.01}, ValueError, r"validation_fraction must be a share leaving both parts non-empty; got validation_fraction=0\.01"),
        ({"random_state": -1}, TypeError, r"random_state must be None, a non-negative int"),
    ],
)
def test_train_validation_split_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        train_validation_split(np.zeros((10, 2)), np.arange(10) % 2, **kwargs)


def test_one_cycle_schedule_warms_up_then_anneals_to_zero():
    one_cycle = OneCycle(1.0, decay_steps=10)
    assert one_cycle(0) == pytest.approx(0.1)
    assert one_cycle(2) == pytest.approx(1.0)
    assert one_cycle(6) == pytest.approx(0.5)
    assert one_cycle(10) == pytest.approx(0.0)
    assert one_cycle(70) == pytest.approx(0.0)  # past the end: clipped


def test_a_few_training_steps_reduce_the_loss_and_the_history_is_complete():
    keras.utils.set_random_seed(0)
    X, y = _tiny_images()
    X_train, X_validation, y_train, y_validation = train_validation_split(X, y, 0.25, random_state=0)
    model = build_seed_cnn((20, 20, 3), 3)
    before = model.evaluate(X_train, y_train, verbose=0)[0]
    history = fit(model, X_train, y_train, validation_data=(X_validation, y_validation), epochs=3, batch_size=16)
    after = model.evaluate(X_train, y_train, verbose=0)[0]
    assert after < 0.8 * before
    assert isinstance(history, History) and history.n_epochs == 3 and history.stopped_by == "epochs"
    assert history.epoch == [1.0, 2.0, 3.0] and history.step == [5, 10, 15]  # 72 images: 5 batches of 16 per epoch
    assert history.n_samples_seen == [len(y_train), 2 * len(y_train), 3 * len(y_train)]
    epoch_seconds = np.diff(np.r_[0.0, history.elapsed_s])
    assert np.all(epoch_seconds > 0) and history.train_time_s == pytest.approx(epoch_seconds.sum())
    assert history.samples_per_second()[1] == pytest.approx(len(y_train) / epoch_seconds[1])
    assert history.mean_samples_per_second == pytest.approx(3 * len(y_train) / history.train_time_s)
    assert not np.isnan(history["val_accuracy"]).any() and np.all(history["validation_time_s"] > 0)
    assert "stopped by epochs" in history.table()


def test_fit_is_repeatable_with_the_same_seeds():
    X, y = _tiny_images(n=48)
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(1)
        model = build_seed_cnn((20, 20, 3), 3)
        fit(model, X, y, epochs=2, batch_size=16, random_state=5)
        runs.append(model.predict(X[:4], verbose=0))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6, atol=1e-7)


def test_one_cycle_sets_the_learning_rate_and_restores_the_peak():
    keras.utils.set_random_seed(0)
    X, y = _tiny_images(n=48)
    model = build_improved_cnn((20, 20, 3), 3, widths=(4, 8), learning_rate=1e-2)
    history = fit(model, X, y, epochs=2, batch_size=16, schedule="one_cycle")
    # 6 steps; the last one starts at progress 5/6, so lr = 1e-2 * (1/6) / 0.8
    assert history["learning_rate"][-1] == pytest.approx(1e-2 * (1 / 6) / 0.8, rel=1e-5)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(1e-2)


def test_time_budget_stops_in_the_middle_of_training():
    keras.utils.set_random_seed(0)
    X, y = _tiny_images(n=64)
    model = build_seed_cnn((20, 20, 3), 3)
    history = fit(model, X, y, epochs=10_000, batch_size=8, time_budget_s=0.5)
    assert history.stopped_by == "time_budget"
    assert history.n_epochs < 10_000 and history.n_samples_seen[-1] == pytest.approx(history.n_epochs * 64)
    assert history.train_time_s >= 0.5


def test_early_stopping_restores_the_best_epoch():
    keras.utils.set_random_seed(0)
    X, y = _tiny_images(n=60)
    rng = np.random.default_rng(0)
    y_validation = rng.permutation(y[:30])  # shuffled labels: validation accuracy cannot keep improving
    model = build_seed_cnn((20, 20, 3), 3)
    history = fit(model, X[30:], y[30:], validation_data=(X[:30], y_validation), epochs=40, batch_size=10, early_stopping_patience=2)
    assert history.stopped_by == "early_stopping"
    assert history.n_epochs < 40
    best = history.best_epoch
    assert history["val_accuracy"][best - 1] == max(history["val_accuracy"])
    restored = model.evaluate(X[:30], y_validation, verbose=0, return_dict=True)["accuracy"]
    assert restored == pytest.approx(history["val_accuracy"][best - 1])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, r"epochs must be an int in \[1, inf\]; got epochs=0\. Train for at least one epoch\."),
        ({"schedule": "linear"}, ValueError, r"schedule must be one of \['constant', 'step', 'inverse_time', 'exponential', 'cosine', 'one_cycle'\]; got schedule='linear'\. Use 'constant'"),
        ({"early_stopping_patience": 2}, ValueError, r"validation_data must be a \(X_validation, y_validation\) pair when early_stopping_patience is set; got validation_data=None\. Make one"),
        ({"time_budget_s": 0.0}, ValueError, r"time_budget_s must be a number in \(0\.0, inf\]; got time_budget_s=0\.0"),
        ({"validation_data": np.zeros(3)}, TypeError, r"validation_data must be a \(X_validation, y_validation\) pair; got validation_data='ndarray'"),
    ],
)
def test_fit_rejects_bad_input(kwargs, error, match):
    X, y = _tiny_images(n=12)
    with pytest.raises(error, match=match):
        fit(build_seed_cnn((20, 20, 3), 3), X, y, **kwargs)


def test_fit_rejects_an_uncompiled_model():
    X, y = _tiny_images(n=12)
    model = keras.Sequential([keras.Input((20, 20, 3)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"model must be a compiled keras\.Model; got model='Sequential'\. Call model\.compile"):
        fit(model, X, y)


def test_fit_rejects_a_model_compiled_with_a_schedule_object():
    X, y = _tiny_images(n=12)
    model = build_seed_cnn((20, 20, 3), 3)
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=10, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with pytest.raises(ValueError, match=r"model must be compiled with a constant learning rate \(a float\); got model='a learning-rate schedule object'"):
        fit(model, X, y)


# --- saving ---------------------------------------------------------------------------------

@pytest.mark.parametrize("builder", ["seed", "improved"])
def test_saved_and_reloaded_model_predicts_identically(tmp_path, builder):
    X, y = _tiny_images(n=24)
    keras.utils.set_random_seed(0)
    if builder == "seed":
        model = build_seed_cnn((20, 20, 3), 3)
    else:
        model = build_improved_cnn((20, 20, 3), 3, widths=(4, 8))
    fit(model, X, y, epochs=1, batch_size=8)
    path = save_model(model, tmp_path / "nested" / "model.keras")
    assert path.is_file()
    reloaded = load_model(path)
    np.testing.assert_array_equal(reloaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert reloaded.count_params() == model.count_params()


def test_save_and_load_reject_bad_paths(tmp_path):
    model = build_seed_cnn((20, 20, 3), 3)
    with pytest.raises(ValueError, match=r"path must be a file name ending in '\.keras'; got path='.*model\.h5'\. Use e\.g\. 'model\.keras'\."):
        save_model(model, tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError, match=r"path must be an existing \.keras file; got path='.*missing\.keras'"):
        load_model(tmp_path / "missing.keras")


# --- the ablation ---------------------------------------------------------------------------

def test_ablate_trains_every_variant_on_the_same_budget_from_the_same_seed():
    X, y = _tiny_images(n=48)
    build = functools.partial(build_improved_cnn, (20, 20, 3), 3, widths=(4, 8))
    variants = {"all": {}, "all again": {}, "no batch normalisation": {"batch_norm": False}}
    rows = ablate(build, variants, X[:32], y[:32], X[32:], y[32:], epochs=2, batch_size=16, random_state=3)
    assert [row["model"] for row in rows] == list(variants)
    # same seed, same budget: an unchanged model repeats its reference's accuracy exactly
    assert rows[1]["test_accuracy"] == rows[0]["test_accuracy"] and rows[0]["accuracy_drop"] == rows[1]["accuracy_drop"] == 0.0
    assert rows[2]["accuracy_drop"] == pytest.approx(rows[0]["test_accuracy"] - rows[2]["test_accuracy"])
    assert rows[2]["parameters"] == rows[0]["parameters"] - 4 * 24 + 24  # 24 filters: BN's 4 numbers each, a bias back
    assert all(row["train_s"] > 0 and 0 <= row["test_accuracy"] <= 1 for row in rows)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"build": "improved"}, TypeError, r"build must be a callable returning a compiled keras.Model; got build='improved'"),
        ({"variants": {}}, TypeError, r"variants must be a non-empty mapping of name -> dict of builder arguments; got variants=\{\}"),
        ({"variants": {"a": 1}}, TypeError, r"variants must be a non-empty mapping"),
    ],
)
def test_ablate_rejects_bad_input(kwargs, error, match):
    X, y = _tiny_images(n=12)
    arguments = {"build": functools.partial(build_seed_cnn, (20, 20, 3), 3), "variants": {"all": {}}, **kwargs}
    with pytest.raises(error, match=match):
        ablate(arguments["build"], arguments["variants"], X, y, X, y)
