"""fusionlab.privacy: each method against the guarantee its paper states.

DP-SGD against a per-example ``GradientTape`` loop and against Keras's SGD (float64); the
accountant against ``dp-accounting`` called another way and against the classic RDP bound;
the attack's AUC against a pairwise count; FedAvg against gradient descent; FGSM/PGD against
the epsilon-ball and the pixel range. Tolerances are stated at each assertion.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from fusionlab.privacy import (  # noqa: E402
    centralised_sgd,
    client_split,
    dp_advantage_bound,
    dp_auc_bound,
    dp_sgd_epsilon,
    dp_sgd_step,
    federated_averaging,
    fgsm,
    fit_dp_sgd,
    input_gradient,
    loss_threshold_attack,
    membership_attack,
    noise_multiplier_for_epsilon,
    per_example_gradients,
    pgd,
    robust_accuracy,
)


def _mlp(n_features=5, n_classes=3, hidden=4, seed=0, dtype="float64"):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape=(n_features,), dtype=dtype),
        keras.layers.Dense(hidden, activation="tanh", dtype=dtype),
        keras.layers.Dense(n_classes, activation="softmax", dtype=dtype),
    ])


def _data(n=24, n_features=5, n_classes=3, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    y = (np.arange(n) % n_classes).astype(np.int64)
    X[np.arange(n), y % n_features] += 2.0  # learnable
    return X, y


def _loop_gradients(model, X, y):
    """Reference: one GradientTape per example."""
    gradients = []
    for x, label in zip(X, y):
        with tf.GradientTape() as tape:
            loss = keras.losses.sparse_categorical_crossentropy(label[None], model(x[None]))[0]
        gradients.append([g.numpy() for g in tape.gradient(loss, model.trainable_variables)])
    return [np.stack(parts) for parts in zip(*gradients)]


# --- DP-SGD -----------------------------------------------------------------------------------

def test_per_example_gradients_match_one_tape_per_example():
    model = _mlp()
    X, y = _data(8)
    for vectorised, looped in zip(per_example_gradients(model, X, y), _loop_gradients(model, X, y)):
        np.testing.assert_allclose(vectorised, looped, rtol=1e-12, atol=1e-14)


def test_every_per_example_gradient_is_clipped_to_the_bound():
    """With noise 0 and plain SGD, the update is -lr/L times the sum of the clipped gradients;
    recomputed here from the reference per-example gradients, each clipped to norm <= C."""
    model = _mlp()
    X, y = _data(10)
    clip, learning_rate, denominator = 0.05, 0.5, 10.0
    reference = _loop_gradients(model, X, y)
    norms = np.sqrt(sum((g.reshape(10, -1) ** 2).sum(axis=1) for g in reference))
    assert np.all(norms > clip)  # every example is cut, so the clipping is exercised
    scale = np.minimum(1.0, clip / norms)
    clipped = [g * scale.reshape(-1, *([1] * (g.ndim - 1))) for g in reference]
    clipped_norms = np.sqrt(sum((g.reshape(10, -1) ** 2).sum(axis=1) for g in clipped))
    np.testing.assert_allclose(clipped_norms, clip, rtol=1e-12)  # on the bound, not over it
    before = [w.copy() for w in model.get_weights()]
    reported = dp_sgd_step(model, X, y, l2_norm_clip=clip, noise_multiplier=0.0, denominator=denominator,
                           optimizer=keras.optimizers.SGD(learning_rate))
    np.testing.assert_allclose(reported, norms, rtol=1e-12)
    for after, start, g in zip(model.get_weights(), before, clipped):
        np.testing.assert_allclose(after, start - learning_rate * g.sum(axis=0) / denominator, rtol=1e-12, atol=1e-15)


def test_one_example_moves_the_weights_by_exactly_the_clipping_norm():
    model = _mlp()
    X, y = _data(1)
    before = np.concatenate([w.ravel() for w in model.get_weights()])
    dp_sgd_step(model, X, y, l2_norm_clip=1e-3, noise_multiplier=0.0, denominator=1.0, optimizer=keras.optimizers.SGD(1.0))
    after = np.concatenate([w.ravel() for w in model.get_weights()])
    assert np.linalg.norm(after - before) == pytest.approx(1e-3, rel=1e-12)


def test_no_noise_and_no_clipping_is_ordinary_sgd():
    """Five steps of dp_sgd_step (no clipping, noise 0, divided by the lot size) against Keras's
    SGD on the gradient of the mean loss: equal in float64 to 1e-12 (summation order differs)."""
    X, y = _data(12)
    private, ordinary = _mlp(seed=3), _mlp(seed=3)
    reference_optimizer = keras.optimizers.SGD(0.3)
    for step in range(5):
        rows = slice(2 * step, 2 * step + 6)
        dp_sgd_step(private, X[rows], y[rows], l2_norm_clip=None, noise_multiplier=0.0, optimizer=keras.optimizers.SGD(0.3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y[rows], ordinary(X[rows])))
        reference_optimizer.apply(tape.gradient(loss, ordinary.trainable_variables), ordinary.trainable_variables)
    for a, b in zip(private.get_weights(), ordinary.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_noise_has_standard_deviation_sigma_times_clip_over_the_lot_size():
    X, y = _data(4)
    noisy, quiet = _mlp(hidden=200, seed=1), _mlp(hidden=200, seed=1)
    settings = dict(l2_norm_clip=2.0, denominator=8.0, optimizer=None)
    dp_sgd_step(noisy, X, y, noise_multiplier=1.5, random_state=0, **settings)
    dp_sgd_step(quiet, X, y, noise_multiplier=0.0, **settings)
    difference = np.concatenate([(a - b).ravel() for a, b in zip(noisy.get_weights(), quiet.get_weights())])
    expected = 0.1 * 1.5 * 2.0 / 8.0  # learning rate 0.1 (default SGD) x sigma x C / L
    assert difference.size > 1500
    assert difference.std() == pytest.approx(expected, rel=0.06)  # 6% ~ 4 standard errors of a std over ~1,800 draws
    assert abs(difference.mean()) < 4 * expected / math.sqrt(difference.size)


def test_fit_dp_sgd_reports_the_accountants_epsilon_and_is_deterministic():
    X, y = _data(60)
    results = []
    for _ in range(2):
        model = _mlp(seed=0)
        results.append((fit_dp_sgd(model, X, y, epochs=3, batch_size=10, noise_multiplier=1.2, random_state=4), model.get_weights()))
    (result, weights), (again, weights_again) = results
    assert result.n_steps == 3 * 6 and result.sampling_probability == pytest.approx(10 / 60)
    assert result.epsilon == dp_sgd_epsilon(1.2, 10 / 60, 18, delta=1e-5)
    for a, b in zip(weights, weights_again):
        np.testing.assert_array_equal(a, b)
    assert result.history.n_epochs == 3 and len(result.clipped_fraction) == 3
    history = result.history  # the package's one training record
    assert history.step == [6, 12, 18] and np.all(np.diff(history["elapsed_s"]) > 0) and "val_accuracy" not in history
    assert np.all(np.diff(history.n_samples_seen) > 0) and len(history["loss"]) == 3
    non_private = fit_dp_sgd(_mlp(), X, y, epochs=1, batch_size=10, l2_norm_clip=None, noise_multiplier=0.0)
    assert non_private.epsilon == math.inf


def test_dp_sgd_learns_without_noise():
    X, y = _data(90)
    model = _mlp(hidden=8)
    result = fit_dp_sgd(model, X, y, epochs=15, batch_size=15, l2_norm_clip=None, noise_multiplier=0.0, learning_rate=0.5, validation_data=(X, y))
    assert result.history["val_accuracy"][-1] > 0.9


# --- accounting -------------------------------------------------------------------------------

def test_epsilon_equals_dp_accounting_composed_step_by_step():
    import dp_accounting
    from dp_accounting import rdp

    for sigma, q, steps in ((1.1, 0.01, 1000), (4.0, 0.05, 300), (0.8, 1.0, 10)):
        accountant = rdp.RdpAccountant()
        accountant.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps)
        assert dp_sgd_epsilon(sigma, q, steps, delta=1e-5) == pytest.approx(accountant.get_epsilon(1e-5), rel=1e-12)


def test_epsilon_without_subsampling_is_below_the_classic_renyi_conversion():
    """For q = 1 the Gaussian mechanism has RDP alpha / (2 sigma^2) per step (Mironov 2017); the
    classic conversion eps = min_alpha T alpha / (2 sigma^2) + log(1/delta) / (alpha - 1) is an
    upper bound on what dp-accounting's tighter conversion returns."""
    sigma, steps, delta = 5.0, 20, 1e-5
    alphas = np.linspace(1.01, 200, 20000)
    classic = np.min(steps * alphas / (2 * sigma**2) + np.log(1 / delta) / (alphas - 1))
    epsilon = dp_sgd_epsilon(sigma, 1.0, steps, delta=delta)
    assert 0.7 * classic < epsilon <= classic * 1.0001


def test_epsilon_grows_with_steps_and_sampling_and_falls_with_noise():
    assert dp_sgd_epsilon(1.0, 0.01, 100) < dp_sgd_epsilon(1.0, 0.01, 1000) < dp_sgd_epsilon(1.0, 0.02, 1000)
    assert dp_sgd_epsilon(2.0, 0.01, 1000) < dp_sgd_epsilon(1.0, 0.01, 1000)
    assert dp_sgd_epsilon(0.0, 0.01, 10) == math.inf and dp_sgd_epsilon(1.0, 0.01, 0) == 0.0


def test_noise_multiplier_for_epsilon_meets_the_target():
    for epsilon in (0.5, 2.0, 8.0):
        sigma = noise_multiplier_for_epsilon(epsilon, 0.03, 500)
        assert dp_sgd_epsilon(sigma, 0.03, 500) == pytest.approx(epsilon, rel=1e-3)


def test_more_data_needs_less_noise_exercise_ex_05_3_more_data():
    """Exercise ex-05-3-more-data: doubling n at fixed lot size and epochs lowers the noise needed."""
    n, lot, epochs = 2000, 64, 15
    small = noise_multiplier_for_epsilon(1.0, lot / n, epochs * round(n / lot))
    large = noise_multiplier_for_epsilon(1.0, lot / (2 * n), epochs * round(2 * n / lot))
    assert large < small


# --- membership inference ---------------------------------------------------------------------

def test_attack_auc_equals_the_pairwise_probability_and_advantage_is_tpr_minus_fpr():
    rng = np.random.default_rng(0)
    members, nonmembers = rng.exponential(0.5, size=40), rng.exponential(1.0, size=30)
    members[:3] = nonmembers[:3]  # ties count one half
    result = loss_threshold_attack(members, nonmembers)
    pairs = (members[:, None] < nonmembers[None, :]) + 0.5 * (members[:, None] == nonmembers[None, :])
    assert result.auc == pytest.approx(pairs.mean(), abs=1e-12)
    threshold = members.mean()
    assert result.advantage == pytest.approx(np.mean(members <= threshold) - np.mean(nonmembers <= threshold), abs=1e-12)
    fpr, tpr = result.roc_curve()
    assert result.best_advantage == pytest.approx(np.max(tpr - fpr)) and result.best_advantage >= result.advantage


def test_attack_is_perfect_on_separated_losses_and_blind_on_identical_ones():
    assert loss_threshold_attack([0.1, 0.2], [1.0, 2.0]).auc == 1.0
    same = np.linspace(0, 1, 50)
    assert loss_threshold_attack(same, same).auc == pytest.approx(0.5)


def test_dp_bounds_match_their_closed_forms():
    for epsilon in (0.1, 1.0, 3.0):
        assert dp_advantage_bound(epsilon) == pytest.approx(math.tanh(epsilon / 2), rel=1e-12)
        crossing = 1 / (math.exp(epsilon) + 1)
        closed = math.exp(epsilon) * crossing**2 / 2 + (1 - crossing) - math.exp(-epsilon) * (1 - crossing) ** 2 / 2
        assert dp_auc_bound(epsilon) == pytest.approx(closed, abs=1e-8)
    assert dp_auc_bound(0.0) == pytest.approx(0.5, abs=1e-9) and dp_advantage_bound(math.inf) == 1.0
    assert dp_advantage_bound(1.0, 1e-5) > dp_advantage_bound(1.0)


def test_dp_bound_is_tighter_than_yeoms_exercise_ex_05_3_yeom():
    """Exercise ex-05-3-yeom: tanh(eps / 2) < exp(eps) - 1, and Yeom's bound exceeds 1 from ln 2."""
    for epsilon in (0.1, 1.0, 2.0):
        assert dp_advantage_bound(epsilon) < math.expm1(epsilon)
    assert math.expm1(math.log(2) + 1e-9) > 1


def test_membership_attack_on_a_model_uses_its_cross_entropy():
    model = _mlp()
    X, y = _data(20)
    result = membership_attack(model, X[:10], y[:10], X[10:], y[10:])
    probabilities = model(X[:10]).numpy()
    np.testing.assert_allclose(result.member_losses, -np.log(probabilities[np.arange(10), y[:10]]), rtol=1e-12)


# --- federated averaging ----------------------------------------------------------------------

def test_client_split_partitions_and_dirichlet_skews_by_label():
    y = np.repeat(np.arange(5), 40)
    iid = client_split(y, 8, random_state=0)
    assert sorted(np.concatenate(iid).tolist()) == list(range(200)) and {len(c) for c in iid} == {25}
    skews = {}
    for alpha in (0.05, 100.0):
        clients = client_split(y, 8, alpha=alpha, random_state=0)
        assert sorted(np.concatenate(clients).tolist()) == list(range(200))
        shares = [np.bincount(y[c], minlength=5).max() / len(c) for c in clients if len(c)]
        skews[alpha] = np.mean(shares)
    assert skews[0.05] > 0.7 > 0.4 > skews[100.0]  # larger alpha, closer to IID
    for a, b in zip(client_split(y, 8, alpha=0.3, random_state=1), client_split(y, 8, alpha=0.3, random_state=1)):
        np.testing.assert_array_equal(a, b)


def test_milder_skew_needs_fewer_rounds_exercise_ex_05_3_alpha():
    """Exercise ex-05-3-alpha, on the digits with E = 5 as in the notebook: alpha = 100 reaches the
    target in fewer rounds than alpha = 0.1."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:1000] / 16.0, y[:1000].astype(np.int64)
    rounds = {}
    for alpha in (0.1, 100.0):
        model = _mlp(n_features=64, n_classes=10, hidden=32, seed=0, dtype="float32")
        result = federated_averaging(model, X[:800], y[:800], client_split(y[:800], 10, alpha=alpha, random_state=0), n_rounds=12,
                                     local_epochs=5, local_batch_size=20, learning_rate=0.1, validation_data=(X[800:], y[800:]), random_state=0)
        rounds[alpha] = result.rounds_to(0.8) or np.inf
    assert rounds[100.0] < rounds[0.1], rounds


def _gradient_descent(model, X, y, n_steps, learning_rate):
    """Reference: full-batch gradient descent with GradientTape."""
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(X)))
        for variable, gradient in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
            variable.assign_sub(learning_rate * gradient)
    return model.get_weights()


def test_one_client_with_full_batch_local_steps_is_centralised_gradient_descent():
    X, y = _data(30)
    federated, central = _mlp(seed=5), _mlp(seed=5)
    federated_averaging(federated, X, y, [np.arange(30)], n_rounds=4, local_epochs=3, local_batch_size=None, learning_rate=0.2)
    for a, b in zip(federated.get_weights(), _gradient_descent(central, X, y, 12, 0.2)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_one_full_batch_step_per_client_averages_to_a_gradient_descent_step():
    """With one local step from the same weights, sum_k n_k/n (w - lr g_k) = w - lr g on all data."""
    X, y = _data(30)
    federated, central = _mlp(seed=6), _mlp(seed=6)
    clients = [np.arange(0, 7), np.arange(7, 19), np.arange(19, 30)]
    federated_averaging(federated, X, y, clients, n_rounds=1, local_batch_size=None, learning_rate=0.2)
    for a, b in zip(federated.get_weights(), _gradient_descent(central, X, y, 1, 0.2)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_fedavg_reports_rounds_to_target_and_centralised_sgd_learns():
    X, y = _data(90)
    result = centralised_sgd(_mlp(hidden=8), X, y, epochs=8, batch_size=10, learning_rate=0.3, validation_data=(X, y), target_accuracy=0.8)
    assert result.rounds_to_target == result.rounds_to(0.8) and result.rounds_to_target is not None
    assert result.rounds_to(1.01) is None and result.history.n_epochs == 8 and result.n_local_steps == 8 * 9
    assert result.history.step[-1] == 8 * 9 and result.history.n_samples_seen[-1] == 8 * 90
    without_validation = centralised_sgd(_mlp(hidden=8), X, y, epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="validation_data must be held-out data"):
        without_validation.rounds_to(0.5)


# --- adversarial examples ---------------------------------------------------------------------

def _image_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape=(6, 6, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(3, activation="softmax"),
    ])


def _pixels(n=12, seed=0):
    X = np.random.default_rng(seed).uniform(0, 1, size=(n, 6, 6, 1)).astype("float32")
    X[:3] = 0.0  # at the bottom of the range
    X[3:5] = 1.0  # at the top
    return X, (np.arange(n) % 3).astype(np.int64)


@pytest.mark.parametrize("epsilon", [0.0, 2 / 255, 0.1, 0.5])
def test_fgsm_and_pgd_stay_in_the_epsilon_ball_and_the_pixel_range(epsilon):
    model = _image_model()
    X, y = _pixels()
    for X_adversarial in (fgsm(model, X, y, epsilon), pgd(model, X, y, epsilon, n_steps=5, random_state=0)):
        assert X_adversarial.shape == X.shape and X_adversarial.dtype == X.dtype
        assert np.abs(X_adversarial - X).max() <= epsilon + 1e-6  # float32 rounding
        assert X_adversarial.min() >= 0.0 and X_adversarial.max() <= 1.0
    if epsilon == 0:
        np.testing.assert_array_equal(fgsm(model, X, y, 0.0), X)


def test_fgsm_moves_every_free_pixel_by_epsilon_along_the_gradient_sign():
    model = _image_model()
    X, y = _pixels()
    epsilon = 0.05
    inside = (X > epsilon) & (X < 1 - epsilon)
    sign = np.sign(input_gradient(model, X, y))
    X_adversarial = fgsm(model, X, y, epsilon)
    np.testing.assert_allclose((X_adversarial - X)[inside & (sign != 0)], (epsilon * sign)[inside & (sign != 0)], atol=1e-6)


def test_input_gradient_is_the_cross_entropy_gradient_from_logits():
    model = _image_model()
    X, y = _pixels(4)
    x = tf.convert_to_tensor(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        losses = keras.losses.sparse_categorical_crossentropy(y, model(x))
    np.testing.assert_allclose(input_gradient(model, X, y), tape.gradient(losses, x).numpy(), rtol=1e-3, atol=1e-6)


def test_attacks_raise_the_loss_and_pgd_is_at_least_as_strong():
    from fusionlab.privacy import per_example_loss

    model = _image_model()
    X, y = _pixels(30, seed=2)
    clean = per_example_loss(model, X, y).mean()
    fast = per_example_loss(model, fgsm(model, X, y, 0.1), y).mean()
    iterative = per_example_loss(model, pgd(model, X, y, 0.1, n_steps=10, random_state=0), y).mean()
    assert clean < fast <= iterative + 1e-6
    accuracies = robust_accuracy(model, X, y, [0.0, 0.1], attack="pgd", n_steps=5)
    assert accuracies[0] == pytest.approx(np.mean(model(X).numpy().argmax(axis=1) == y)) and accuracies[1] <= accuracies[0]


# --- input validation -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: fit_dp_sgd(_mlp(), *_data(20), batch_size=10, noise_multiplier=1.0, l2_norm_clip=None), ValueError, "l2_norm_clip must be a positive float when noise_multiplier > 0"),
        (lambda: fit_dp_sgd(_mlp(), *_data(20), batch_size=50), ValueError, r"batch_size must be an int in \[1, 20\]"),
        (lambda: fit_dp_sgd(_mlp(), *_data(20), batch_size=10, delta=0.0), ValueError, "delta must be a number in"),
        (lambda: fit_dp_sgd(_mlp(), _data(20)[0], _data(20)[1] + 5), ValueError, r"y must be labels in \[0, 2\]"),
        (lambda: dp_sgd_epsilon(1.0, 0.0, 10), ValueError, "sampling_probability must be a number in"),
        (lambda: noise_multiplier_for_epsilon(0.0, 0.1, 10), ValueError, "epsilon must be a number in"),
        (lambda: client_split(np.zeros(10, dtype=int), 20), ValueError, r"n_clients must be an int in \[1, 10\]"),
        (lambda: client_split(np.zeros(10), 2), TypeError, "y must be integer class labels"),
        (lambda: federated_averaging(_mlp(), *_data(20), "clients"), TypeError, "clients must be a non-empty list of index arrays"),
        (lambda: federated_averaging(_mlp(), *_data(20), [np.array([0, 99])]), ValueError, r"clients\[0\] must be indices in \[0, 19\]"),
        (lambda: federated_averaging(_mlp(), *_data(20), [np.arange(20)], target_accuracy=0.9), ValueError, "validation_data must be a"),
        (lambda: fit_dp_sgd(_mlp(), *_data(20), batch_size=10, validation_data=_data(20)[0]), TypeError, r"validation_data must be a \(X_validation, y_validation\) pair"),
        (lambda: centralised_sgd(_mlp(), *_data(20), validation_data=(_data(20)[0], _data(20)[1] + 5)), ValueError, r"validation_data\[1\] must be labels in \[0, 2\]"),
        (lambda: fgsm(_image_model(), _pixels()[0] * 2, _pixels()[1], 0.1), ValueError, r"X must be values in \[clip_min, clip_max\]"),
        (lambda: pgd(_image_model(), *_pixels(), -0.1), ValueError, "epsilon must be a number in"),
        (lambda: robust_accuracy(_image_model(), *_pixels(), [0.1], attack="cw"), ValueError, "attack must be one of"),
        (lambda: loss_threshold_attack([[0.1]], [0.2]), ValueError, "member_losses must be a 1-D array"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
