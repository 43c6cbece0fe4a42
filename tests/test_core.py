"""The package core: the size switch, set_seed, input validation, the MLP builder, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import fusionlab
from fusionlab._validation import (
    check_array,
    check_choice,
    check_classification_data,
    check_float,
    check_int,
    check_random_state,
    check_X_y,
)


def test_course_size_defaults_to_classroom_and_reads_the_switch(monkeypatch):
    monkeypatch.delenv("FUSIONLAB_SIZE", raising=False)
    assert fusionlab.course_size() == "classroom"
    monkeypatch.setenv("FUSIONLAB_SIZE", "FULL")
    assert fusionlab.course_size() == "full"
    monkeypatch.setenv("FUSIONLAB_SIZE", "huge")
    with pytest.raises(ValueError, match=r"FUSIONLAB_SIZE must be one of \['classroom', 'full'\]; got FUSIONLAB_SIZE='huge'\. Set FUSIONLAB_SIZE=classroom"):
        fusionlab.course_size()


def test_set_seed_repeats_numpy_python_and_keras():
    import random

    import keras

    def draw():
        fusionlab.set_seed(7)
        layer = keras.layers.Dense(3)
        layer.build((None, 2))
        return random.random(), np.random.rand(), np.asarray(layer.kernel)

    first, second = draw(), draw()
    assert first[0] == second[0] and first[1] == second[1]
    np.testing.assert_array_equal(first[2], second[2])
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 4294967295\]; got seed=-1"):
        fusionlab.set_seed(-1)


def test_import_fusionlab_does_not_import_tensorflow():
    code = "import sys, fusionlab, fusionlab.data, fusionlab.optim, fusionlab.models, fusionlab.plotting; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        fusionlab.nope


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: check_int(1.5, "k"), TypeError, r"k must be an int; got k=1\.5"),
        (lambda: check_int(True, "k"), TypeError, r"k must be an int; got k=True"),
        (lambda: check_int(0, "k", low=1, high=1682, fix="Ask for at least one."), ValueError, r"k must be an int in \[1, 1682\]; got k=0\. Ask for at least one\."),
        (lambda: check_float(float("nan"), "alpha"), ValueError, r"alpha must be a finite number; got alpha=nan"),
        (lambda: check_float(0.0, "learning_rate", low=0.0, low_inclusive=False), ValueError, r"learning_rate must be a number in \(0\.0, inf\]"),
        (lambda: check_float("1", "alpha"), TypeError, r"alpha must be a real number; got alpha='1'"),
        (lambda: check_choice("tanhh", "activation", ["relu", "tanh"]), ValueError, r"activation must be one of \['relu', 'tanh'\]; got activation='tanhh'"),
        (lambda: check_array([[1.0, np.inf]], "X"), ValueError, r"X must be finite values .*1 non-finite value"),
        (lambda: check_array([1.0, 2.0], "X", ndim=2), ValueError, r"X must be a 2-D array; got X='array of shape \(2,\)'\. Reshape it"),
        (lambda: check_array(np.zeros((0, 3)), "X", ndim=2), ValueError, r"X must be an array with at least 1 sample"),
        (lambda: check_array([["a", "b"]], "X"), TypeError, r"X must be array-like of numbers"),
        (lambda: check_X_y(np.zeros((3, 2)), np.zeros(4), X_name="X_test", y_name="y_test"), ValueError, r"X_test, y_test must be arrays with the same number of samples; got X_test, y_test=\{'X_test': 3, 'y_test': 4\}"),
        (lambda: check_X_y(np.zeros(3), np.zeros(3)), ValueError, r"X must be a 2-D array; got X='array of shape \(3,\)'"),
        (lambda: check_X_y(np.zeros((3, 2)), np.zeros((3, 1))), ValueError, r"y must be a 1-D array; got y='array of shape \(3, 1\)'"),
        (lambda: check_X_y(np.zeros((1, 2)), np.zeros(1), min_samples=2), ValueError, r"X must be an array with at least 2 sample\(s\)"),
        (lambda: check_classification_data(np.zeros((4, 2, 2)), np.arange(4)), ValueError, r"X must be a 2-D array of shape \(n_samples, n_features\); got X='array of shape \(4, 2, 2\)'\. Flatten images first"),
        (lambda: check_classification_data(np.zeros((4, 2)), np.zeros((4, 2))), ValueError, r"y must be a 1-D array of class labels; .*y.argmax\(axis=1\) for one-hot labels"),
        (lambda: check_classification_data(np.zeros((2, 2)), [0.0, np.nan]), ValueError, r"y must be finite class labels \(no NaN\); got y='array with 1 non-finite label\(s\)'"),
        (lambda: check_random_state(-3), TypeError, r"random_state must be None, a non-negative int or a numpy.random.Generator"),
    ],
)
def test_validation_messages_name_parameter_expected_got_and_fix(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_check_X_y_keeps_dtypes_and_shapes_when_asked():
    images, labels = check_X_y(np.zeros((4, 8, 8, 3), dtype=np.uint8), ["a", "b", "a", "b"], X_ndim=None, X_dtype=None)
    assert images.dtype == np.uint8 and images.shape == (4, 8, 8, 3) and labels.dtype.kind == "U"
    X, y = check_X_y([[1, 2], [3, 4]], [0, 1])
    assert X.dtype == np.float64 and y.dtype.kind == "i"
    X, y = check_classification_data([[1.0, np.nan], [2.0, 3.0]], [0, 1], allow_nan=True)
    assert np.isnan(X[0, 1]) and y.tolist() == [0, 1]


def test_check_random_state_accepts_seeds_and_generators():
    assert check_random_state(3).integers(1000) == check_random_state(3).integers(1000)
    generator = np.random.default_rng(0)
    assert check_random_state(generator) is generator


def test_build_mlp_shapes_and_training_reduces_the_loss():
    import keras

    from fusionlab.models import build_mlp

    fusionlab.set_seed(0)
    model = build_mlp(4, 3, hidden_units=(8, 8), dropout=0.1)
    assert model.output_shape == (None, 3)
    assert model.count_params() == (4 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 4)).astype("float32")
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    history = model.fit(X, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    np.testing.assert_allclose(model.predict(X[:5], verbose=0).sum(axis=1), 1.0, rtol=1e-5)
    assert isinstance(model, keras.Model)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_features": 0, "n_classes": 2}, ValueError, r"n_features must be an int in \[1, inf\]; got n_features=0\. Pass X\.shape\[1\]"),
        ({"n_features": 2, "n_classes": 1}, ValueError, r"n_classes must be an int in \[2, inf\]; got n_classes=1"),
        ({"n_features": 2, "n_classes": 2, "hidden_units": "32"}, TypeError, r"hidden_units must be a sequence of ints"),
        ({"n_features": 2, "n_classes": 2, "hidden_units": (8, 0)}, ValueError, r"hidden_units\[1\] must be an int in \[1, inf\]; got hidden_units\[1\]=0"),
        ({"n_features": 2, "n_classes": 2, "activation": "softplus"}, ValueError, r"activation must be one of \['relu', 'tanh', 'sigmoid', 'gelu'\]"),
        ({"n_features": 2, "n_classes": 2, "learning_rate": -0.1}, ValueError, r"learning_rate must be a number in \(0\.0, inf\]; got learning_rate=-0\.1"),
        ({"n_features": 2, "n_classes": 2, "dropout": 1.0}, ValueError, r"dropout must be a number in \[0\.0, 1\.0\); got dropout=1\.0"),
    ],
)
def test_build_mlp_rejects_bad_arguments(kwargs, error, match):
    from fusionlab.models import build_mlp

    with pytest.raises(error, match=match):
        build_mlp(**kwargs)


def test_make_linear_regression_has_the_requested_conditioning():
    from fusionlab.data import make_linear_regression

    X, y, w_true = make_linear_regression(50_000, 5, condition_number=100.0, noise_std=0.0, random_state=0)
    eigenvalues = np.linalg.eigvalsh(X.T @ X / len(X))
    assert 80 < eigenvalues[-1] / eigenvalues[0] < 125
    np.testing.assert_allclose(X @ w_true, y)
    with pytest.raises(ValueError, match=r"condition_number must be a number in \[1\.0, inf\]; got condition_number=0\.5"):
        make_linear_regression(10, 2, condition_number=0.5)


def test_smoothness_is_the_largest_hessian_eigenvalue_and_one_over_it_converges():
    from fusionlab.data import make_linear_regression
    from fusionlab.optim import LeastSquares, gradient_descent

    X, y, _ = make_linear_regression(2_000, 4, condition_number=10.0, random_state=1)
    objective = LeastSquares(X, y)
    hessian = X.T @ X / len(X)
    assert objective.smoothness() == pytest.approx(np.linalg.eigvalsh(hessian).max(), rel=1e-12)
    w, _ = gradient_descent(objective, np.zeros(4), learning_rate=1 / objective.smoothness(), n_steps=400)
    np.testing.assert_allclose(w, objective.solution(), rtol=1e-8)


def test_every_lazy_submodule_exists_and_every_submodule_is_lazy():
    from pathlib import Path

    package = Path(fusionlab.__file__).parent
    on_disk = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    on_disk |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert fusionlab._SUBMODULES == on_disk


def test_glue_all_glues_each_value_hidden_and_as_a_plain_number(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    fusionlab.glue_all(accuracy=np.float64(0.5), n_test=np.int64(450), label="digits", curve=np.arange(2))
    assert [(name, display) for name, _, display in calls] == [("accuracy", False), ("n_test", False), ("label", False), ("curve", False)]
    assert type(calls[0][1]) is float and type(calls[1][1]) is int and calls[2][1] == "digits"
    assert isinstance(calls[3][1], np.ndarray)  # arrays are glued as they are
