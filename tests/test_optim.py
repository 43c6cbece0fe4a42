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
    w, history = gradient_descent(objective, np.zeros(5), learning_rate=0.5, n_steps=500)
    np.testing.assert_allclose(w, objective.solution(), rtol=1e-10, atol=1e-12)
    assert history["loss"][-1] < history["loss"][0]
    assert history.n_samples_seen[-1] == 500 * 200 and history.n_epochs == 500 and history.stopped_by == "n_steps"


def test_sgd_converges_to_the_exact_solution_when_the_model_interpolates():
    X, y = _problem(noise=0.0)
    objective = LeastSquares(X, y)
    w, history = sgd(objective, np.zeros(5), learning_rate=0.05, batch_size=1, n_steps=20_000, record_every=1000, random_state=0)
    np.testing.assert_allclose(w, objective.solution(), atol=1e-8)
    assert history.step[-1] == 20_000 and history.n_samples_seen[-1] == 20_000


def test_sgd_is_repeatable_with_a_seed_and_differs_across_seeds():
    X, y = _problem(noise=1.0)
    objective = LeastSquares(X, y)
    run = lambda seed: sgd(objective, np.zeros(5), learning_rate=0.01, batch_size=8, n_steps=50, random_state=seed)[0]
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.allclose(run(3), run(4))


def test_time_budget_stops_the_run():
    X, y = _problem(n=1000)
    _, history = sgd(LeastSquares(X, y), np.zeros(5), learning_rate=0.01, time_budget_s=0.05, record_every=100, random_state=0)
    assert 0.05 <= history.elapsed_s[-1] < 1.0 and history.stopped_by == "time_budget"


def test_full_batch_step_costs_more_than_a_stochastic_step():
    X, y = _problem(n=200_000, d=20)
    seconds = time_gradient_steps(LeastSquares(X, y), [1, None], repeats=5, random_state=0)
    assert seconds[None] > 10 * seconds[1]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"learning_rate": 0.0, "n_steps": 1}, ValueError, r"learning_rate must be a number in \(0.0, inf\]; got learning_rate=0.0"),
        ({"learning_rate": -1.0, "n_steps": 1}, ValueError, r"learning_rate must be .*got learning_rate=-1.0"),
        ({"learning_rate": 0.1, "n_steps": 1, "batch_size": 0}, ValueError, r"batch_size must be an int in \[1, 200\]; got batch_size=0"),
        ({"learning_rate": 0.1}, ValueError, r"n_steps/time_budget_s must be at least one stopping rule"),
        ({"learning_rate": 0.1, "n_steps": 1, "random_state": "x"}, TypeError, r"random_state must be None, a non-negative int"),
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
        gradient_descent(LeastSquares(X, y), np.zeros(5), learning_rate=1e3, n_steps=500)


# --- momentum, Adam and schedules against Keras 3, one step at a time -------------------------

from fusionlab.data import make_linear_regression  # noqa: E402
from fusionlab.optim import (  # noqa: E402
    SGD,
    Adam,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    SoftmaxRegression,
    StepDecay,
    gradient_noise,
    make_schedule,
    minimize,
)


def _keras_steps(keras_optimizer, w0, gradients):
    """Apply ``gradients`` one by one to a float64 Keras variable; return the weights after each."""
    import keras

    variable = keras.Variable(np.array(w0), dtype="float64")
    out = []
    for gradient in gradients:
        keras_optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient, dtype="float64"), variable)])
        out.append(np.array(variable.numpy()))
    return out


def _fusionlab_steps(optimizer, w0, gradients):
    w = np.array(w0, dtype=np.float64)
    out = []
    for gradient in gradients:
        optimizer.apply([w], [gradient])
        out.append(w.copy())
    return out


# Keras keeps the learning rate in a float32 variable, and its TensorFlow backend casts Python
# floats such as momentum and beta_1 through float32 (tf.cast(0.9, "float64") is float32(0.9)).
# Hyperparameters exact in float32 (powers of two, 0.875, 1 - 2**-10) make the comparison exact.
EXACT = [
    ("sgd", lambda: SGD(0.125), lambda k: k.optimizers.SGD(0.125)),
    ("momentum", lambda: SGD(0.0625, momentum=0.875), lambda k: k.optimizers.SGD(0.0625, momentum=0.875)),
    ("nesterov", lambda: SGD(0.0625, momentum=0.75, nesterov=True), lambda k: k.optimizers.SGD(0.0625, momentum=0.75, nesterov=True)),
    ("adam", lambda: Adam(0.015625, beta_1=0.875, beta_2=1 - 2**-10),
     lambda k: k.optimizers.Adam(0.015625, beta_1=0.875, beta_2=1 - 2**-10)),
    ("adam-eps", lambda: Adam(0.25, beta_1=0.5, beta_2=0.75, epsilon=0.1),
     lambda k: k.optimizers.Adam(0.25, beta_1=0.5, beta_2=0.75, epsilon=0.1)),
]


@pytest.mark.parametrize("name, ours, theirs", EXACT)
def test_each_step_equals_the_keras_optimizer_step(name, ours, theirs):
    import keras

    rng = np.random.default_rng(7)
    w0 = rng.normal(size=6)
    gradients = [rng.normal(size=6) * 10.0 ** rng.integers(-3, 2) for _ in range(5)]
    expected = _keras_steps(theirs(keras), w0, gradients)
    got = _fusionlab_steps(ours(), w0, gradients)
    for step, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=f"{name}, step {step + 1}")


@pytest.mark.parametrize(
    "ours, theirs",
    [(lambda: SGD(0.01, momentum=0.9), lambda k: k.optimizers.SGD(0.01, momentum=0.9)),
     (lambda: Adam(0.001), lambda k: k.optimizers.Adam(0.001))],
)
def test_default_hyperparameters_agree_up_to_keras_float32_constants(ours, theirs):
    import keras

    rng = np.random.default_rng(8)
    w0, gradients = rng.normal(size=6), [rng.normal(size=6) for _ in range(5)]
    got, expected = _fusionlab_steps(ours(), w0, gradients), _keras_steps(theirs(keras), w0, gradients)
    np.testing.assert_allclose(got, expected, rtol=1e-6)  # 0.9, 0.01 and 0.999 are rounded to float32 in Keras


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: ExponentialDecay(0.5, 10, 0.5), lambda s: s.ExponentialDecay(0.5, 10, 0.5)),
        (lambda: StepDecay(0.5, 10, 0.5), lambda s: s.ExponentialDecay(0.5, 10, 0.5, staircase=True)),
        (lambda: InverseTimeDecay(0.5, 10, 2.0), lambda s: s.InverseTimeDecay(0.5, 10, 2.0)),
        (lambda: CosineDecay(0.5, 40, alpha=0.1), lambda s: s.CosineDecay(0.5, 40, alpha=0.1)),
    ],
)
def test_schedules_equal_keras_schedules(ours, theirs):
    import keras

    steps = [0, 1, 5, 10, 11, 39, 40, 57]
    expected = [float(theirs(keras.optimizers.schedules)(step)) for step in steps]
    got = [ours()(step) for step in steps]
    np.testing.assert_allclose(got, expected, rtol=1e-6)  # Keras computes schedules in float32


def test_a_schedule_drives_the_optimizer_like_keras():
    import keras

    rng = np.random.default_rng(3)
    w0, gradients = rng.normal(size=4), [rng.normal(size=4) for _ in range(6)]
    theirs = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.5, 2, 0.5, staircase=True), momentum=0.5)
    expected = _keras_steps(theirs, w0, gradients)
    got = _fusionlab_steps(SGD(StepDecay(0.5, 2, 0.5), momentum=0.5), w0, gradients)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("optimizer", [SGD(0.1, momentum=0.9), SGD(0.1, momentum=0.9, nesterov=True), Adam(0.05)])
def test_momentum_and_adam_converge_to_the_closed_form(optimizer):
    X, y = _problem(noise=0.5)
    objective = LeastSquares(X, y, l2=0.01)
    w, history = minimize(objective, np.zeros(5), optimizer=optimizer, batch_size=None, n_steps=3000, record_every=100)
    np.testing.assert_allclose(w, objective.solution(), rtol=1e-6, atol=1e-8)
    assert history["loss"][-1] <= history["loss"][0]


def test_sgd_with_a_decaying_schedule_gets_close_to_the_noisy_minimiser():
    X, y, _ = make_linear_regression(2000, 5, noise_std=1.0, random_state=0)
    objective = LeastSquares(X, y)
    best = objective.loss(objective.solution())
    _, constant = sgd(objective, np.zeros(5), learning_rate=0.05, batch_size=1, n_steps=20_000, record_every=20_000, random_state=0)
    schedule = make_schedule("inverse_time", 0.05, 20_000)
    _, decayed = sgd(objective, np.zeros(5), learning_rate=schedule, batch_size=1, n_steps=20_000, record_every=20_000, random_state=0)
    assert decayed["loss"][-1] - best < 1e-2
    assert decayed["loss"][-1] - best < 0.2 * (constant["loss"][-1] - best)  # a constant rate stalls in a noise ball
    assert decayed["learning_rate"][-1] == pytest.approx(schedule(19_999))


def test_schedule_shapes():
    for name in ("constant", "step", "inverse_time", "exponential", "cosine"):
        schedule = make_schedule(name, 0.1, 100)
        values = [schedule(step) for step in range(100)]
        assert values[0] == pytest.approx(0.1)
        assert all(b <= a + 1e-15 for a, b in zip(values, values[1:])), name
    assert make_schedule("inverse_time", 0.1, 100)(100) == pytest.approx(0.01)
    with pytest.raises(ValueError, match=r"name must be one of \['constant'"):
        make_schedule("linear", 0.1, 100)


def test_softmax_regression_gradient_and_sklearn_solution():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    objective = SoftmaxRegression(X, y, l2=0.01)
    w = np.random.default_rng(0).normal(size=objective.n_parameters)
    eps = 1e-6
    numeric = np.array([(objective.loss(w + eps * e) - objective.loss(w - eps * e)) / (2 * eps) for e in np.eye(len(w))])
    np.testing.assert_allclose(objective.gradient(w), numeric, rtol=1e-6, atol=1e-8)
    w_fit, _ = gradient_descent(objective, np.zeros(objective.n_parameters), learning_rate=1.0, n_steps=5000, record_every=5000)
    reference = LogisticRegression(C=1.0 / (len(y) * 0.01), tol=1e-12, max_iter=10_000).fit(X, y)
    probabilities = reference.predict_proba(X)
    np.testing.assert_allclose(objective.predict_proba(w_fit), probabilities, atol=1e-6)


def test_gradient_noise_falls_like_one_over_batch_size():
    X, y, _ = make_linear_regression(400, 3, noise_std=1.0, random_state=0)
    objective = LeastSquares(X, y)
    w, n = np.zeros(3), 400
    full = objective.gradient(w)
    sigma2 = np.mean([np.sum((objective.gradient(w, [i]) - full) ** 2) for i in range(n)])  # population variance
    noise = gradient_noise(objective, w, [1, 10, 100, 400], n_draws=5000, random_state=0)
    for b in (1, 10, 100):  # Monte Carlo estimates: 5000 draws of a heavy-tailed quantity
        assert noise[b] == pytest.approx(sigma2 / b * (n - b) / (n - 1), rel=0.2)
    assert noise[400] == pytest.approx(0.0, abs=1e-20)


def test_record_weights_keeps_the_trajectory_and_history_counts_learning_rates():
    X, y = _problem()
    _, history = gradient_descent(LeastSquares(X, y), np.zeros(5), learning_rate=0.1, n_steps=10, record_weights=True)
    assert len(history.weights) == 11 and history.weights[0].shape == (5,)
    assert np.isnan(history["learning_rate"][0]) and history.metrics["learning_rate"][1:] == [0.1] * 10
    assert history.epoch[-1] == 10 and history.epoch[1] == 1


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: SGD(0.1, momentum=1.0), ValueError, r"momentum must be a number in \[0.0, 1.0\); got momentum=1.0"),
        (lambda: SGD(-0.1), ValueError, r"learning_rate must be a number in \(0.0, inf\]; got learning_rate=-0.1"),
        (lambda: Adam(0.1, epsilon=0.0), ValueError, r"epsilon must be a number in \(0.0, inf\]"),
        (lambda: StepDecay(0.1, 0), ValueError, r"step_size must be an int in \[1, inf\]; got step_size=0"),
        (lambda: minimize(LeastSquares(*_problem()), np.zeros(5), optimizer="rmsprop", n_steps=1), ValueError, r"optimizer must be one of \['sgd'"),
        (lambda: SGD(0.1).apply([np.zeros(3)], [np.zeros(4)]), ValueError, r"grads\[0\] must be shape \(3,\); got grads\[0\]='shape \(4,\)'"),
        (lambda: SoftmaxRegression(np.zeros((3, 2)), np.array([0.5, 1, 0])), TypeError, r"y must be integer class labels"),
    ],
)
def test_bad_optimizer_inputs_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_gradient_noise_theory_equals_the_exhaustive_average_over_every_batch():
    import itertools

    from fusionlab.optim import gradient_noise_theory

    X, y, _ = make_linear_regression(7, 3, noise_std=1.0, random_state=2)
    objective, w = LeastSquares(X, y), np.array([0.3, -0.2, 0.1])
    full = objective.gradient(w)
    theory = gradient_noise_theory(objective, w, [1, 2, 3, 7])
    for b in (1, 2, 3, 7):  # every batch of b samples without replacement, equally likely: the exact expectation
        exact = np.mean([np.sum((objective.gradient(w, list(batch)) - full) ** 2) for batch in itertools.combinations(range(7), b)])
        assert theory[b] == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_race_and_step_cost_run_every_size_on_a_fresh_seeded_problem():
    from fusionlab.optim import race_by_size, step_cost_by_size

    runners = {"GD": lambda problem, w: gradient_descent(problem, w, learning_rate=1 / problem.smoothness(), n_steps=3)}
    excess, steps = race_by_size([50, 80], runners, n_features=4, random_state=1)
    X, y, _ = make_linear_regression(80, 4, noise_std=1.0, condition_number=100.0, random_state=1)
    problem = LeastSquares(X, y)
    _, history = gradient_descent(problem, np.zeros(4), learning_rate=1 / problem.smoothness(), n_steps=3)
    assert excess["GD"][1] == pytest.approx(history["loss"][-1] - problem.loss(problem.solution()), rel=1e-12)
    assert steps["GD"].tolist() == [3, 3]
    seconds = step_cost_by_size([50, 80], [None, 8], n_features=4, repeats=3)
    assert set(seconds) == {None, 8} and seconds[None].shape == (2,) and np.all(seconds[8] > 0)
    with pytest.raises(ValueError, match=r"sizes must be a non-empty sequence of ints; got sizes=\[\]"):
        step_cost_by_size([])
    with pytest.raises(TypeError, match=r"runners must be a non-empty dict of label to run\(objective, w0\); got runners='list'"):
        race_by_size([50], [])


# --- the update rules' theory on a quadratic, and the steps each needs ------------------------

from fusionlab.optim import predicted_steps, quadratic_rate, steps_by_condition_number, tuned_for_quadratic  # noqa: E402


def _contraction(optimizer, curvature, n_steps=2000):
    """Measured rate |w_T / w_0|^(1/T) of ``optimizer`` on the 1-D quadratic curvature * w^2 / 2 (brute force).

    Long runs, because the tuned heavy ball has a double eigenvalue: its error decays like t r^t.
    """
    w = np.array([1.0])
    for _ in range(n_steps):
        optimizer.apply([w], [curvature * w])
    return abs(w[0]) ** (1 / n_steps)


@pytest.mark.parametrize("rule", ["gd", "momentum", "nesterov"])
def test_tuned_rules_contract_no_slower_than_theory_says_at_every_curvature(rule):
    mu, L = 0.01, 1.0  # condition number 100
    rate = quadratic_rate(rule, mu, L)
    measured = [_contraction(tuned_for_quadratic(rule, mu, L), curvature) for curvature in np.linspace(mu, L, 25)]
    assert max(measured) <= rate + 0.01
    if rule != "nesterov":  # the rate is attained (at mu, the slowest direction); for Nesterov it is a bound
        assert max(measured) == pytest.approx(rate, abs=0.01)


def test_quadratic_rates_are_the_textbook_formulas():
    assert quadratic_rate("gd", 1.0, 100.0) == pytest.approx(99 / 101, rel=1e-15)
    assert quadratic_rate("momentum", 1.0, 100.0) == pytest.approx(9 / 11, rel=1e-15)
    assert quadratic_rate("nesterov", 1.0, 100.0) == pytest.approx(0.9, rel=1e-15)
    optimizer = tuned_for_quadratic("momentum", 1.0, 100.0)
    assert optimizer.current_learning_rate() == pytest.approx(4 / 121) and optimizer.momentum == pytest.approx(81 / 121)
    assert predicted_steps("gd", 1.0, 100.0, 1e-6) == pytest.approx(np.log(1e6) / (2 * np.log(101 / 99)))
    with pytest.raises(ValueError, match=r"L must be a number in \[2.0, inf\]; got L=1.0"):
        tuned_for_quadratic("gd", 2.0, 1.0)
    with pytest.raises(ValueError, match=r"rule must be one of \['gd', 'momentum', 'nesterov'\]; got rule='adam'"):
        quadratic_rate("adam", 1.0, 2.0)


def test_target_loss_stops_at_the_first_record_below_it():
    X, y = _problem(noise=0.5)
    objective = LeastSquares(X, y)
    _, full = gradient_descent(objective, np.zeros(5), learning_rate=0.2, n_steps=200)
    target = full["loss"][37]
    _, stopped = gradient_descent(objective, np.zeros(5), learning_rate=0.2, n_steps=200, target_loss=target)
    first = next(i for i, loss in enumerate(full["loss"]) if loss <= target)
    assert stopped.stopped_by == "target_loss" and stopped.step[-1] == first
    _, capped = gradient_descent(objective, np.zeros(5), learning_rate=0.2, n_steps=5, target_loss=-1.0)
    assert capped.stopped_by == "n_steps" and capped.step[-1] == 5


def test_steps_grow_like_kappa_for_gd_and_like_its_root_with_momentum():
    result = steps_by_condition_number([10, 100, 1000], n_samples=200, n_features=10, random_state=0)
    kappa = result["condition_number"]
    slopes = {rule: np.polyfit(np.log(kappa), np.log(steps), 1)[0] for rule, steps in result["steps"].items()}
    assert 0.85 < slopes["gd"] < 1.15 and 0.3 < slopes["momentum"] < 0.7 and 0.3 < slopes["nesterov"] < 0.7
    for rule in result["steps"]:  # theory predicts the counts to within a factor of two
        ratio = result["steps"][rule] / result["predicted"][rule]
        assert np.all((ratio > 0.4) & (ratio < 2.5)), (rule, ratio)
    with pytest.raises(ValueError, match=r"condition_numbers\[0\] must be a number in \[1.0, inf\]"):
        steps_by_condition_number([0.5])


def test_tune_update_rules_keeps_each_rules_best_rate_and_its_run():
    from fusionlab.optim import tune_update_rules

    X, y, _ = make_linear_regression(500, 5, noise_std=1.0, condition_number=10.0, random_state=0)
    objective = LeastSquares(X, y)
    tuned = tune_update_rules(objective, np.zeros(5), ("sgd", "adam"), learning_rates=(0.01, 0.1, 1e8), n_steps=50,
                              record_every=10, random_state=0)
    assert tuned["sgd"]["scores"][2] == np.inf  # plain SGD diverges at 1e8 (Adam's steps stay bounded)
    for rule, result in tuned.items():
        assert result["loss"] == result["scores"].min() and result["learning_rate"] == [0.01, 0.1, 1e8][int(np.argmin(result["scores"]))]
    _, again = minimize(objective, np.zeros(5), optimizer=SGD(tuned["sgd"]["learning_rate"]), batch_size=32, n_steps=50,
                        record_every=10, random_state=0)
    assert np.mean(again["loss"][-3:]) == pytest.approx(tuned["sgd"]["loss"], rel=1e-12)  # same batches, same run
    with pytest.raises(FloatingPointError, match="every learning rate in \\[100000000.0\\] made 'sgd' diverge"):
        tune_update_rules(objective, np.zeros(5), ("sgd",), learning_rates=(1e8,), n_steps=50)
