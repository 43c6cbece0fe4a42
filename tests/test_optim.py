"""fusionlab.optim against closed forms, and its input checks."""

from __future__ import annotations

import numpy as np
import pytest

from fusionlab.optim import LeastSquares, gradient_descent, sgd, time_gradient_steps


def _problem(n=200, d=5, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    y = X @ w_true + noise * rng.normal(size=n)
    return X, y


def test_gradient_matches_finite_differences():
    X, y = _problem(noise=0.3)
    objective = LeastSquares(X, y, l2=0.1)
    w = np.random.default_rng(1).normal(size=X.shape[1])
    eps = 1e-6
    numeric = np.array([
        (objective.loss(w + eps * e) - objective.loss(w - eps * e)) / (2 * eps) for e in np.eye(X.shape[1])
    ])
    np.testing.assert_allclose(objective.gradient(w), numeric, rtol=1e-7, atol=1e-9)


def test_solution_matches_numpy_lstsq():
    X, y = _problem(noise=0.5)
    reference, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(LeastSquares(X, y).solution(), reference, rtol=1e-12)


def test_gradient_descent_converges_to_the_closed_form():
    X, y = _problem(noise=0.5)
    objective = LeastSquares(X, y, l2=0.01)
    w, history = gradient_descent(objective, np.zeros(5), learning_rate=0.5, num_steps=500)
    np.testing.assert_allclose(w, objective.solution(), rtol=1e-10, atol=1e-12)
    assert history.loss[-1] < history.loss[0]
    assert history.samples_seen[-1] == 500 * 200


def test_sgd_converges_to_the_exact_solution_when_the_model_interpolates():
    X, y = _problem(noise=0.0)
    objective = LeastSquares(X, y)
    w, history = sgd(objective, np.zeros(5), learning_rate=0.05, batch_size=1, num_steps=20_000, record_every=1000, random_state=0)
    np.testing.assert_allclose(w, objective.solution(), atol=1e-8)
    assert history.step[-1] == 20_000 and history.samples_seen[-1] == 20_000


def test_sgd_is_repeatable_with_a_seed_and_differs_across_seeds():
    X, y = _problem(noise=1.0)
    objective = LeastSquares(X, y)
    run = lambda seed: sgd(objective, np.zeros(5), learning_rate=0.01, batch_size=8, num_steps=50, random_state=seed)[0]
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.allclose(run(3), run(4))


def test_time_budget_stops_the_run():
    X, y = _problem(n=1000)
    _, history = sgd(LeastSquares(X, y), np.zeros(5), learning_rate=0.01, time_budget=0.05, record_every=100, random_state=0)
    assert 0.05 <= history.seconds[-1] < 1.0


def test_full_batch_step_costs_more_than_a_stochastic_step():
    X, y = _problem(n=200_000, d=20)
    seconds = time_gradient_steps(LeastSquares(X, y), [1, None], repeats=5, random_state=0)
    assert seconds[None] > 10 * seconds[1]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"learning_rate": 0.0, "num_steps": 1}, ValueError, r"learning_rate must be a number in \(0.0, inf\]; got learning_rate=0.0"),
        ({"learning_rate": -1.0, "num_steps": 1}, ValueError, r"learning_rate must be .*got learning_rate=-1.0"),
        ({"learning_rate": 0.1, "num_steps": 1, "batch_size": 0}, ValueError, r"batch_size must be an int in \[1, 200\]; got batch_size=0"),
        ({"learning_rate": 0.1}, ValueError, r"num_steps/time_budget must be at least one stopping rule"),
        ({"learning_rate": 0.1, "num_steps": 1, "random_state": "x"}, TypeError, r"random_state must be None, a non-negative int"),
    ],
)
def test_bad_optimiser_arguments_are_named(kwargs, error, match):
    X, y = _problem()
    with pytest.raises(error, match=match):
        sgd(LeastSquares(X, y), np.zeros(5), **kwargs)


def test_bad_data_is_rejected_with_a_fix():
    X, y = _problem()
    with pytest.raises(ValueError, match=r"X, y must be arrays with the same number of samples"):
        LeastSquares(X, y[:-1])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"X must be finite values .*1 non-finite value\(s\).*Impute"):
        LeastSquares(X_nan, y)
    with pytest.raises(ValueError, match=r"w must be an array of shape \(5,\); got w='shape \(3,\)'"):
        LeastSquares(X, y).loss(np.zeros(3))


def test_divergence_is_reported():
    X, y = _problem()
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        gradient_descent(LeastSquares(X, y), np.zeros(5), learning_rate=1e3, num_steps=500)
