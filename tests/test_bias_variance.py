"""fusionlab.evaluate.bias_variance and fusionlab.forests.bagging_variance against closed forms and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from fusionlab.data import make_wave, wave
from fusionlab.evaluate import bias_variance, bias_variance_curve
from fusionlab.forests import bagging_variance


def test_bias_and_variance_of_least_squares_match_the_closed_form_on_a_fixed_design():
    # y = X w + noise with X fixed: ordinary least squares is unbiased, and at the training points its
    # prediction variance, averaged over the points, is sigma^2 p / n (p parameters, n points).
    rng = np.random.default_rng(0)
    n, p, sigma = 40, 4, 0.5
    X = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    f = X @ rng.normal(size=p)
    sets = [(X, f + sigma * rng.standard_normal(n)) for _ in range(4000)]
    result = bias_variance(LinearRegression(fit_intercept=False), sets, X, f, noise_std=sigma)
    assert result["variance"] == pytest.approx(sigma**2 * p / n, rel=0.05)
    assert result["bias2"] < 1e-3 * result["variance"]
    assert result["error"] == pytest.approx(result["bias2"] + result["variance"] + sigma**2, rel=1e-15)
    assert result["train_error"] == pytest.approx(sigma**2 * (n - p) / n, rel=0.05)  # training error is optimistic


def test_the_decomposition_is_exact_for_the_squared_distance_to_f():
    sets = [make_wave(60, random_state=seed)[:2] for seed in range(8)]
    X_test, y_test, f_test = make_wave(50, random_state=99)
    result = bias_variance(DecisionTreeRegressor(max_depth=3), sets, X_test, f_test, noise_std=0.3, y_test=y_test)
    distance = np.mean((result["predictions"] - f_test) ** 2)
    assert result["bias2"] + result["variance"] == pytest.approx(distance, rel=1e-12)
    assert result["test_error"] == pytest.approx(np.mean((result["predictions"] - y_test) ** 2), rel=1e-12)
    assert result["noise"] == pytest.approx(0.09)


def test_the_depth_curve_shows_bias_falling_and_training_error_vanishing():
    sets = [make_wave(100, random_state=seed)[:2] for seed in range(10)]
    X_test, y_test, f_test = make_wave(200, random_state=99)
    curve = bias_variance_curve(DecisionTreeRegressor(), "max_depth", [1, 4, None], sets, X_test, f_test, noise_std=0.3, y_test=y_test)
    assert curve["bias2"][0] > 10 * curve["bias2"][1] and curve["variance"][2] > curve["variance"][1]
    assert curve["train_error"][2] == 0.0 and curve["value"] == [1, 4, None]
    with pytest.raises(ValueError, match=r"param_name must be a parameter of DecisionTreeRegressor; got param_name='depth'"):
        bias_variance_curve(DecisionTreeRegressor(), "depth", [1], sets, X_test, f_test)


def test_bagging_variance_is_the_variance_of_the_forest_prediction_and_the_formula_holds_at_its_ends():
    sets = [make_wave(80, random_state=seed)[:2] for seed in range(6)]
    X_test = np.linspace(0, 1, 30)[:, None]
    result = bagging_variance(sets, X_test, n_estimators=20, random_state=3)
    forests = np.array([RandomForestRegressor(20, max_features=1.0, random_state=3 + i).fit(X, y).predict(X_test)
                        for i, (X, y) in enumerate(sets)])
    assert result["variance"][-1] == pytest.approx(np.mean(forests.var(axis=0)), rel=1e-12)  # B trees averaged = the forest
    assert result["predicted"][-1] == pytest.approx(result["variance"][-1], rel=1e-12)  # rho is defined by it
    assert result["predicted"][0] == pytest.approx(result["tree_variance"], rel=1e-12)
    assert 0 < result["correlation"] < 1 and result["variance"][-1] < result["variance"][0]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bias_variance(LinearRegression(), [make_wave(10)[:2]], np.zeros((3, 1)), np.zeros(3)), r"training_sets must be at least two"),
        (lambda: bias_variance(LinearRegression(), [make_wave(10)[:2]] * 2, np.zeros((3, 1)), np.zeros(4)), r"f_test must be one value per test sample \(3\)"),
        (lambda: wave(np.zeros(3)), r"X must be an array of shape \(n_samples, 1\); got X='shape \(3,\)'"),
        (lambda: bagging_variance([make_wave(10)[:2]] * 2, np.zeros((3, 1)), n_estimators=1), r"n_estimators must be an int in \[2, inf\]"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
