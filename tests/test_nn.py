"""fusionlab.nn against TensorFlow's GradientTape, finite differences and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from fusionlab.models.reference import tensorflow_loss_and_gradients  # the one TensorFlow reference
from fusionlab.nn import (
    MLPClassifier,
    forward,
    gradient_check,
    init_params,
    loss_and_gradients,
    max_relative_difference,
    numerical_gradient,
    softmax,
)

RTOL_TF = 1e-8  # the tolerance; measured differences are about 1e-15


def _data(n=24, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("hidden", [(), (7,), (8, 6)])
def test_backprop_equals_tensorflow_gradient_tape(activation, hidden):
    X, y = _data()
    params = init_params([5, *hidden, 3], activation=activation, random_state=1)
    for layer in params:  # non-zero biases so their gradients are exercised too
        layer["b"] += np.random.default_rng(2).normal(scale=0.1, size=layer["b"].shape)
    loss, grads = loss_and_gradients(params, X, y, activation=activation, l2=0.03)
    tf_loss, tf_grads = tensorflow_loss_and_gradients(params, X, y, activation=activation, l2=0.03)
    assert loss == pytest.approx(tf_loss, rel=1e-12)
    for ours, theirs in zip(grads, tf_grads):
        for key in ("W", "b"):
            np.testing.assert_allclose(ours[key], theirs[key], rtol=RTOL_TF, atol=1e-15)
    assert max_relative_difference(grads, tf_grads) < RTOL_TF


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_numerical_gradient_check_agrees(activation):
    X, y = _data(n=10, d=4)
    params = init_params([4, 5, 3], activation=activation, random_state=0)
    assert gradient_check(params, X, y, activation=activation, l2=0.1) < 1e-6


def test_gradient_check_catches_a_wrong_gradient():
    X, y = _data(n=10, d=4)
    params = init_params([4, 5, 3], random_state=0)
    _, grads = loss_and_gradients(params, X, y)
    numeric = numerical_gradient(params, X, y)
    grads[0]["W"][0, 0] += 1e-3
    assert max_relative_difference(grads, numeric, floor=1e-8) > 1e-3


def test_softmax_is_stable_and_normalised():
    probabilities = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(probabilities, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_without_hidden_layers_the_network_is_softmax_regression():
    from fusionlab.optim import SoftmaxRegression

    X, y = _data()
    params = init_params([5, 3], random_state=0)
    objective = SoftmaxRegression(X, y, n_classes=3, l2=0.2)
    w = np.concatenate([params[0]["W"].ravel(), params[0]["b"]])
    loss, grads = loss_and_gradients(params, X, y, l2=0.2)
    assert loss == pytest.approx(objective.loss(w), rel=1e-12)
    np.testing.assert_allclose(np.concatenate([grads[0]["W"].ravel(), grads[0]["b"]]), objective.gradient(w), rtol=1e-12)


def test_classifier_learns_digits_fast_and_repeatably():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    model = MLPClassifier((64,), learning_rate=1e-2, n_epochs=10, random_state=0).fit(X_train, y_train, validation_data=(X_test, y_test))
    assert model.score(X_test, y_test) >= 0.95
    assert model.history_["loss"][-1] < model.history_["loss"][0] / 5
    assert len(model.history_["val_accuracy"]) == 11 and model.history_.epoch == [float(e) for e in range(11)]
    again = MLPClassifier((64,), learning_rate=1e-2, n_epochs=10, random_state=0).fit(X_train, y_train)
    np.testing.assert_array_equal(again.params_[0]["W"], model.params_[0]["W"])


def test_classifier_keeps_original_labels_and_works_with_sklearn_clone():
    from sklearn.base import clone

    X, y = _data(n=60)
    labels = np.array(["cat", "dog", "eel"])[y]
    model = MLPClassifier((4,), optimizer="momentum", learning_rate=0.05, n_epochs=3, random_state=0).fit(X, labels)
    assert set(model.predict(X)) <= set(labels)
    assert model.predict_proba(X).shape == (60, 3)
    assert clone(model).get_params()["optimizer"] == "momentum"


def test_forward_shapes():
    X, _ = _data()
    logits, cache = forward(init_params([5, 7, 3], random_state=0), X)
    assert logits.shape == (24, 3) and len(cache) == 2 and cache[1][0].shape == (24, 7)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda X, y, p: loss_and_gradients(p, X[:, :4], y), ValueError, r"params\[0\] must be W of shape \(4, k\)"),
        (lambda X, y, p: loss_and_gradients(p, X, y[:-1]), ValueError, r"X, y must be arrays with the same number of samples"),
        (lambda X, y, p: loss_and_gradients(p, np.where(X > 1, np.nan, X), y), ValueError, r"X must be finite values .*Impute"),
        (lambda X, y, p: loss_and_gradients(p, X, y + 5), ValueError, r"y must be integer labels in \[0, 3\)"),
        (lambda X, y, p: loss_and_gradients(p, X, y, activation="gelu"), ValueError, r"activation must be one of \['relu', 'sigmoid', 'tanh'\]; got activation='gelu'"),
        (lambda X, y, p: init_params([5]), ValueError, r"layer_sizes must be at least two widths"),
        (lambda X, y, p: MLPClassifier(learning_rate=0.0).fit(X, y), ValueError, r"learning_rate must be a number in \(0.0, inf\]; got learning_rate=0.0"),
        (lambda X, y, p: MLPClassifier(learning_rate=-1.0).fit(X, y), ValueError, r"got learning_rate=-1.0"),
        (lambda X, y, p: MLPClassifier(activation="swish").fit(X, y), ValueError, r"activation must be one of"),
        (lambda X, y, p: MLPClassifier(batch_size=0).fit(X, y), ValueError, r"batch_size must be an int in \[1, inf\]; got batch_size=0"),
        (lambda X, y, p: MLPClassifier().predict(X), RuntimeError, r"not fitted yet"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    X, y = _data()
    params = init_params([5, 7, 3], random_state=0)
    with pytest.raises(error, match=match):
        call(X, y, params)


def test_divergence_is_reported():
    X, y = _data(n=60)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        MLPClassifier((16,), optimizer="sgd", learning_rate=1e6, l2=0.0, n_epochs=50, random_state=0).fit(X * 100, y)


def test_the_from_scratch_side_never_imports_tensorflow():
    import subprocess
    import sys

    code = "import sys, fusionlab.nn, fusionlab.optim, fusionlab.forests; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_multiply_adds_count_every_matrix_product_of_both_passes():
    from fusionlab.nn import multiply_adds

    counts = multiply_adds([64, 32, 16, 10], n_samples=5)
    assert counts["forward"] == 5 * (64 * 32 + 32 * 16 + 16 * 10)
    assert counts["backward"] == 5 * (64 * 32 + 32 * 16 + 16 * 10) + 5 * (32 * 16 + 16 * 10)  # weights, then errors below layer 1
    assert multiply_adds([64, 10])["ratio"] == 1.0  # one layer: no error to pass down
    assert 1.9 < multiply_adds([100] * 20 + [10])["ratio"] < 2.0  # deep: every layer but the first pays twice
    with pytest.raises(ValueError, match=r"layer_sizes must be at least two sizes"):
        multiply_adds([64])


def test_time_forward_backward_returns_positive_medians_and_their_ratio():
    from fusionlab.nn import time_forward_backward

    X, y = _data(n=64, d=8, k=3)
    timing = time_forward_backward(init_params([8, 16, 3], random_state=0), X, y, repeats=5)
    assert timing["forward_s"] > 0 and timing["backward_s"] > 0
    assert timing["ratio"] == pytest.approx(timing["backward_s"] / timing["forward_s"])
    with pytest.raises(ValueError, match=r"repeats must be an int in \[1, inf\]; got repeats=0"):
        time_forward_backward(init_params([8, 3], random_state=0), X, y, repeats=0)
