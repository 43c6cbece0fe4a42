"""EASE, the kernelised autoencoder, the blend and the compiled kernels, against brute-force oracles."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from fusionlab.data import make_synthetic_ratings
from sklearn.base import clone

from fusionlab.recsys import _cg_kernels, _kernels, matrix_from_ratings, random_split, ratings_matrix, rmse
from fusionlab.recsys.autoencoder import KernelAutoRec, autorec_loss, init_autorec_params, local_kernel
from fusionlab.recsys.blend import BlendRecommender, fit_blend_weights
from fusionlab.recsys.ease import EASE, ease_weights
from fusionlab.recsys.factorization import ALSMF, BiasedMF, ImplicitALS


def toy_interactions(n_users=30, n_items=12, density=0.3, seed=0):
    rng = np.random.default_rng(seed)
    dense = (rng.random((n_users, n_items)) < density).astype(float)
    dense[np.arange(n_users), rng.integers(0, n_items, n_users)] = 1.0  # every user has an item
    return sp.csr_matrix(dense)


# -- EASE ---------------------------------------------------------------------------------------
def ease_oracle(X, l2):
    """The constrained least-squares problem solved column by column, without the closed form:
    column j regresses X[:, j] on the other columns with a ridge penalty."""
    X = np.asarray(X.todense())
    n_items = X.shape[1]
    B = np.zeros((n_items, n_items))
    for j in range(n_items):
        others = [i for i in range(n_items) if i != j]
        A = X[:, others]
        B[others, j] = np.linalg.solve(A.T @ A + l2 * np.eye(n_items - 1), A.T @ X[:, j])
    return B


@pytest.mark.parametrize("l2", [0.5, 10.0])
def test_ease_closed_form_equals_the_column_by_column_ridge_regressions(l2):
    X = toy_interactions()
    np.testing.assert_allclose(ease_weights(X, l2), ease_oracle(X, l2), rtol=1e-9, atol=1e-11)


def test_ease_dropout_is_ridge_with_a_popularity_scaled_penalty():
    X = toy_interactions(seed=1)
    dense = np.asarray(X.todense())
    p = 0.3
    penalty = 2.0 + p / (1 - p) * np.diag(dense.T @ dense)  # lambda_j of Steck (2020)
    P = np.linalg.inv(dense.T @ dense + np.diag(penalty))
    expected = -P / np.diag(P)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(ease_weights(X, 2.0, p), expected, rtol=1e-9, atol=1e-12)


def test_ease_recommends_from_scores_x_b_and_leaves_seen_items_out():
    X = toy_interactions(seed=2)
    model = EASE(l2=5.0).fit(X)
    scores = np.asarray(X.todense()) @ ease_oracle(X, 5.0)
    scores[X.nonzero()] = -np.inf
    top = model.recommend(np.arange(X.shape[0]), k=3)
    np.testing.assert_array_equal(np.sort(np.take_along_axis(scores, top, 1), axis=1)[:, ::-1], -np.sort(-scores, axis=1)[:, :3])
    assert not np.any(np.asarray(X.todense())[np.arange(X.shape[0])[:, None], top])


def test_ease_binarises_ratings_by_default():
    X = toy_interactions(seed=3)
    ratings = X.copy()
    ratings.data = np.random.default_rng(0).integers(1, 6, ratings.nnz).astype(float)
    np.testing.assert_allclose(EASE(l2=3.0).fit(ratings).weights_, ease_weights(X, 3.0))
    assert not np.allclose(EASE(l2=3.0, binarize=False).fit(ratings).weights_, ease_weights(X, 3.0))


def test_ease_refuses_bad_parameters_and_rating_prediction():
    X = toy_interactions()
    with pytest.raises(ValueError, match="l2"):
        EASE(l2=0.0).fit(X)
    with pytest.raises(ValueError, match="l2"):
        EASE(l2=-1.0).fit(X)
    with pytest.raises(ValueError, match="dropout"):
        EASE(dropout=1.0).fit(X)
    with pytest.raises(TypeError, match="l2"):
        EASE(l2="big").fit(X)
    negative = X.copy()
    negative.data = -negative.data
    with pytest.raises(ValueError, match="non-negative"):
        EASE().fit(negative)
    with pytest.raises(TypeError, match="ranks items"):
        EASE().fit(X).predict([0], [0])


# -- the kernelised autoencoder -------------------------------------------------------------------
def test_local_kernel_is_the_finite_support_kernel():
    rng = np.random.default_rng(0)
    u, v = rng.normal(0, 0.6, (4, 3)), rng.normal(0, 0.6, (5, 3))
    expected = np.array([[max(0.0, 1.0 - np.sum((a - b) ** 2)) for b in v] for a in u])
    np.testing.assert_allclose(local_kernel(u, v), expected, atol=1e-12)
    assert 0 < np.mean(expected == 0) < 1  # both regimes are exercised


@pytest.mark.parametrize("kernel", [True, False])
def test_autorec_masked_loss_matches_a_hand_computation(kernel):
    rng = np.random.default_rng(1)
    X = np.where(rng.random((6, 4)) < 0.5, rng.integers(1, 6, (6, 4)), 0).astype(float)  # (items, users)
    mask = (X != 0).astype(float)
    params = init_autorec_params(4, 3, 1, 2, rng, kernel=kernel)
    if kernel:
        params[2], params[3] = rng.normal(0, 0.5, (4, 2)), rng.normal(0, 0.5, (3, 2))
        params[6], params[7] = rng.normal(0, 0.5, (3, 2)), rng.normal(0, 0.5, (4, 2))
        W1, b1, u1, v1, W2, b2, u2, v2 = params
        K1 = np.array([[max(0.0, 1 - np.sum((a - b) ** 2)) for b in v1] for a in u1])
        K2 = np.array([[max(0.0, 1 - np.sum((a - b) ** 2)) for b in v2] for a in u2])
    else:
        W1, b1, W2, b2 = params
        K1, K2 = np.ones_like(W1), np.ones_like(W2)
    total = 0.0
    for item in range(X.shape[0]):  # one sample at a time, unobserved entries skipped
        hidden = 1 / (1 + np.exp(-(X[item] @ (W1 * K1) + b1)))
        output = hidden @ (W2 * K2) + b2
        total += 0.5 * sum((X[item, user] - output[user]) ** 2 for user in range(X.shape[1]) if X[item, user] != 0)
    total += 0.5 * 0.7 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    if kernel:
        total += 0.5 * 0.2 * (np.sum(K1 ** 2) + np.sum(K2 ** 2))
    assert autorec_loss(params, X, mask, l2=0.7, sparsity=0.2, kernel=kernel) == pytest.approx(total, rel=1e-12)


def test_autorec_loss_in_tensorflow_equals_numpy_and_its_gradient_is_finite_differences():
    tf = pytest.importorskip("tensorflow")
    from fusionlab.recsys.autoencoder import _TFNumpy

    rng = np.random.default_rng(2)
    X = np.where(rng.random((5, 4)) < 0.6, rng.integers(1, 6, (5, 4)), 0).astype(float)
    mask = (X != 0).astype(float)
    params = init_autorec_params(4, 3, 1, 2, rng)
    params = [p + rng.normal(0, 0.3, p.shape) for p in params]
    variables = [tf.Variable(p) for p in params]
    with tf.GradientTape() as tape:
        loss = autorec_loss(variables, tf.constant(X), tf.constant(mask), l2=0.3, sparsity=0.1, xp=_TFNumpy(tf))
    gradient = tape.gradient(loss, variables[2])  # d loss / d u of the first layer
    assert float(loss) == pytest.approx(autorec_loss(params, X, mask, l2=0.3, sparsity=0.1), rel=1e-12)
    step, numeric = 1e-6, np.zeros_like(params[2])
    for index in np.ndindex(params[2].shape):
        plus = [p.copy() for p in params]
        minus = [p.copy() for p in params]
        plus[2][index] += step
        minus[2][index] -= step
        numeric[index] = (autorec_loss(plus, X, mask, l2=0.3, sparsity=0.1) - autorec_loss(minus, X, mask, l2=0.3, sparsity=0.1)) / (2 * step)
    np.testing.assert_allclose(gradient.numpy(), numeric, rtol=1e-5, atol=1e-7)


@pytest.fixture(scope="module")
def small_ratings():
    data = make_synthetic_ratings(120, 90, 3000, random_state=0)
    train, test = random_split(len(data), test_size=0.2, random_state=0)
    return matrix_from_ratings(data, train), data.user_ids[test], data.item_ids[test], data.ratings[test]


def test_kernel_autorec_learns_beyond_the_global_mean_and_sparsifies(small_ratings):
    R, users, items, ratings = small_ratings
    model = KernelAutoRec(n_hidden=32, n_epochs=8, n_steps=10, l2=5.0, sparsity=0.05, random_state=0).fit(R)
    baseline = rmse(ratings, np.full(ratings.size, R.data.mean()))
    assert rmse(ratings, model.predict(users, items)) < baseline - 0.05
    history = model.history_
    assert list(history.epoch) == list(range(1, 9)) and history["loss"][-1] < history["loss"][0]
    assert 0 < np.diff(history.step).min() and history.step[-1] <= 8 * 10 and np.all(np.diff(history.elapsed_s) >= 0)
    assert len(model.density_) == 3 and min(model.density_) < 1.0  # the kernel cut some weights
    again = KernelAutoRec(n_hidden=32, n_epochs=8, n_steps=10, l2=5.0, sparsity=0.05, random_state=0).fit(R)
    np.testing.assert_allclose(again.prediction_, model.prediction_, rtol=1e-5, atol=1e-5)  # same seed, same numbers


def test_kernel_autorec_cold_users_and_items_get_the_baseline():
    R = ratings_matrix([0, 0, 1, 1, 2], [0, 1, 0, 2, 1], [4.0, 3.0, 5.0, 2.0, 4.0], shape=(4, 4))  # user 3, item 3 unrated
    model = KernelAutoRec(n_hidden=4, n_epochs=2, n_steps=3, random_state=0).fit(R)
    from fusionlab.recsys.baselines import fit_biases

    mu, user_bias, item_bias = fit_biases(R)
    assert model.predict([3], [0], clip=False)[0] == pytest.approx(mu + user_bias[3] + item_bias[0])
    assert model.predict([0], [3], clip=False)[0] == pytest.approx(mu + user_bias[0] + item_bias[3])


def test_kernel_autorec_refuses_bad_parameters(small_ratings):
    R = small_ratings[0]
    with pytest.raises(ValueError, match="n_hidden"):
        KernelAutoRec(n_hidden=0).fit(R)
    with pytest.raises(ValueError, match="sparsity"):
        KernelAutoRec(sparsity=-1.0).fit(R)
    with pytest.raises(ValueError, match="dtype"):
        KernelAutoRec(dtype="float16").fit(R)


# -- the blend --------------------------------------------------------------------------------------
def test_blend_weights_equal_scikit_learns_ridge():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)
    intercept, weights = fit_blend_weights(X, y, alpha=2.5)
    reference = Ridge(alpha=2.5).fit(X, y)
    np.testing.assert_allclose(weights, reference.coef_, rtol=1e-10)
    assert intercept == pytest.approx(reference.intercept_, rel=1e-10)


def test_blend_of_two_models_beats_both_on_planted_data(small_ratings):
    R, users, items, ratings = small_ratings
    members = [("mf", BiasedMF(n_factors=10, n_epochs=30, random_state=0)), ("als", ALSMF(n_factors=5, random_state=0))]
    blend = BlendRecommender(members, holdout=0.15, random_state=0).fit(R)
    errors = {name: rmse(ratings, model.predict(users, items)) for name, model in blend.estimators_}
    assert rmse(ratings, blend.predict(users, items)) <= min(errors.values()) + 0.005
    assert set(blend.holdout_rmse_) == {"mf", "als", "blend"} and blend.weights_.shape == (2,)
    # refit=True: every member was refitted on all the training ratings
    assert all(model.train_.nnz == R.nnz for _, model in blend.estimators_)
    top = blend.recommend([0, 1], k=5)
    assert top.shape == (2, 5)


def test_blend_refuses_bad_members(small_ratings):
    R = small_ratings[0]
    with pytest.raises(TypeError, match="estimators"):
        BlendRecommender([BiasedMF()]).fit(R)
    with pytest.raises(ValueError, match="distinct names"):
        BlendRecommender([("a", BiasedMF()), ("a", ALSMF())]).fit(R)
    with pytest.raises(ValueError, match=r"holdout must be a number in \(0, 1\); got holdout=1\.0\. Use e\.g\. holdout=0\.1 \(the default\)"):
        BlendRecommender([("a", BiasedMF())], holdout=1.0).fit(R)
    with pytest.raises(TypeError, match=r"estimators must be a non-empty list of \(name, rating recommender\) pairs"):
        BlendRecommender([("ease", EASE())]).fit(R)  # a ranking-only model has no rating to blend


# -- compiled kernels equal their NumPy twins ---------------------------------------------------------
needs_numba = pytest.mark.skipif(_kernels.numba is None, reason="Numba is not installed")


@needs_numba
@pytest.mark.parametrize("batch_size", [1, 7, 256, 10_000])
def test_compiled_sgd_epoch_equals_numpy(batch_size):
    data = make_synthetic_ratings(60, 40, 900, random_state=1)
    runs = []
    for epoch in (_kernels.sgd_epoch_numpy, _kernels._sgd_epoch_numba):
        rng = np.random.default_rng(0)
        state = [rng.normal(0, 0.1, (60, 4)), rng.normal(0, 0.1, (40, 4)), np.zeros(60), np.zeros(40)]
        squared_error = epoch(data.user_ids, data.item_ids, data.ratings, rng.permutation(900), *state, 3.5, 0.02, 0.05, batch_size)
        runs.append((squared_error, state))
    assert runs[0][0] == pytest.approx(runs[1][0], rel=1e-12)
    for numpy_array, numba_array in zip(runs[0][1], runs[1][1]):
        np.testing.assert_allclose(numba_array, numpy_array, rtol=1e-12, atol=1e-14)


def _row_problem(with_base):
    """Per-row weighted ridge problems: (indicator weights, targets, design, per-row ridge, base Gram)."""
    R = matrix_from_ratings(make_synthetic_ratings(50, 30, 500, random_state=2))
    indicator = R.copy()
    indicator.data = np.linspace(0.5, 2.0, R.nnz)
    design = np.random.default_rng(0).normal(size=(30, 5))
    ridge = np.random.default_rng(1).uniform(0.1, 1.0, (50, 5))
    return indicator, R, design, ridge, design.T @ design if with_base else None


@needs_numba
@pytest.mark.parametrize("with_base", [False, True])
def test_compiled_als_solve_rows_equals_numpy(with_base, monkeypatch):
    monkeypatch.setenv("FUSIONLAB_NUMBA", "1")
    problem = _row_problem(with_base)
    expected = _kernels.als_solve_rows_numpy(*problem)
    np.testing.assert_allclose(_kernels.als_solve_rows(*problem), expected, rtol=1e-10, atol=1e-12)


@needs_numba
@pytest.mark.parametrize("with_base", [False, True])
def test_compiled_cg_rows_equal_numpy(with_base, monkeypatch):
    monkeypatch.setenv("FUSIONLAB_NUMBA", "1")
    problem = _row_problem(with_base)
    start = np.random.default_rng(2).normal(size=(50, 5))
    expected = _cg_kernels.als_cg_rows_numpy(*problem, start, n_steps=3)
    np.testing.assert_allclose(_cg_kernels.als_cg_rows(*problem, start, n_steps=3), expected, rtol=1e-8, atol=1e-10)


@needs_numba
def test_models_give_the_same_numbers_with_and_without_numba(small_ratings, monkeypatch):
    R = small_ratings[0]
    results = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("FUSIONLAB_NUMBA", flag)
        assert _kernels.numba_enabled() is (flag == "1")
        results[flag] = (BiasedMF(n_factors=5, n_epochs=3, random_state=0).fit(R).user_factors_,
                         ALSMF(n_factors=4, n_epochs=3, random_state=0).fit(R).item_factors_,
                         ImplicitALS(n_factors=4, n_epochs=3, random_state=0).fit(R).user_factors_)
    for without, with_ in zip(results["0"], results["1"]):
        np.testing.assert_allclose(with_, without, rtol=1e-8, atol=1e-10)


# -- conjugate-gradient ALS ------------------------------------------------------------------------
def _cg_problem(seed=3):
    R = matrix_from_ratings(make_synthetic_ratings(40, 25, 400, random_state=seed))
    indicator = R.copy()
    indicator.data = np.linspace(0.5, 2.0, R.nnz)
    design = np.random.default_rng(seed).normal(size=(25, 6))
    return indicator, R, design, np.full(6, 0.7), design.T @ design


@pytest.mark.parametrize("flag", ["0", "1"])
def test_cg_rows_reach_the_exact_solve_and_improve_every_step(flag, monkeypatch):
    monkeypatch.setenv("FUSIONLAB_NUMBA", flag)
    indicator, R, design, ridge, base = _cg_problem()
    exact = _kernels.als_solve_rows_numpy(indicator, R, design, ridge, base)
    start = np.zeros_like(exact)
    # n_dims steps of CG solve an n_dims-dimensional SPD system (up to rounding)
    np.testing.assert_allclose(_cg_kernels.als_cg_rows(indicator, R, design, ridge, base, start, n_steps=6), exact, rtol=1e-6, atol=1e-8)
    errors = [np.abs(_cg_kernels.als_cg_rows(indicator, R, design, ridge, base, start, n_steps=n) - exact).max() for n in (1, 2, 3)]
    assert errors[0] > errors[1] > errors[2]
    np.testing.assert_array_equal(start, 0.0)  # the warm start is not modified
    # started at the solution, CG stays there
    np.testing.assert_allclose(_cg_kernels.als_cg_rows(indicator, R, design, ridge, base, exact, n_steps=3), exact, rtol=1e-9, atol=1e-11)


def test_cg_and_cholesky_implicit_als_agree(small_ratings):
    R = small_ratings[0]
    exact = ImplicitALS(n_factors=4, n_epochs=3, solver="cholesky", random_state=0).fit(R)
    full_cg = ImplicitALS(n_factors=4, n_epochs=3, solver="cg", n_cg_steps=4, random_state=0).fit(R)
    np.testing.assert_allclose(full_cg.user_factors_, exact.user_factors_, rtol=1e-5, atol=1e-7)
    # the default (three warm-started steps) ranks almost as the exact solve does
    short = ImplicitALS(n_factors=4, n_epochs=10, random_state=0).fit(R).recommend(np.arange(20), k=5)
    exact_top = ImplicitALS(n_factors=4, n_epochs=10, solver="cholesky", random_state=0).fit(R).recommend(np.arange(20), k=5)
    assert np.mean([len(set(a) & set(b)) / 5 for a, b in zip(short, exact_top)]) >= 0.8
    assert list(full_cg.history_.epoch) == [1, 2, 3] and len(full_cg.history_.elapsed_s) == 3


@needs_numba
def test_compiled_row_solvers_refuse_mismatched_patterns(monkeypatch):
    monkeypatch.setenv("FUSIONLAB_NUMBA", "1")  # the NumPy twins accept any pair of patterns
    indicator, R, design, ridge, base = _cg_problem()
    other = R[:, ::-1].tocsr()
    message = r"weighted_targets must be the sparsity pattern of indicator \(same indptr and indices\).*Build both from one matrix"
    with pytest.raises(ValueError, match=message):
        _kernels.als_solve_rows(indicator, other, design, ridge, base)
    with pytest.raises(ValueError, match=message):
        _cg_kernels.als_cg_rows(indicator, other, design, ridge, base, np.zeros((40, 6)))


# -- the new models follow the estimator conventions ----------------------------------------------
SMALL = [EASE(l2=5.0), KernelAutoRec(n_hidden=4, n_epochs=2, n_steps=2, random_state=0),
         BlendRecommender([("mf", BiasedMF(n_factors=2, n_epochs=2, random_state=0)), ("als", ALSMF(n_factors=2, n_epochs=2, random_state=0))], random_state=0)]


@pytest.mark.parametrize("model", SMALL, ids=lambda m: type(m).__name__)
def test_new_models_are_estimators_with_fitted_state_ending_in_underscore(model, small_ratings):
    params = model.get_params(deep=False)
    twin = clone(model)
    assert twin is not model and set(twin.get_params(deep=False)) == set(params) and repr(model).startswith(type(model).__name__ + "(")
    fitted = twin.fit(small_ratings[0])
    learned = [name for name in vars(fitted) if name not in params]
    assert learned and all(name.endswith("_") for name in learned), learned
    assert not any(name.endswith("_") for name in vars(model))


def test_new_models_declare_what_they_are():
    assert (EASE.predicts_ratings, EASE.feedback) == (False, "implicit")
    assert (KernelAutoRec.predicts_ratings, KernelAutoRec.feedback) == (True, "explicit")
    assert (BlendRecommender.predicts_ratings, BlendRecommender.feedback) == (True, "explicit")


@pytest.mark.parametrize(
    ("model", "error", "match"),
    [
        (EASE(l2=-1.0), ValueError, r"l2 must be a number in \[0, inf\]; got l2=-1\.0\. Use e\.g\. l2=500\.0 \(the default\)\."),
        (EASE(dropout=1.0), ValueError, r"dropout must be a number in \[0, 1\); got dropout=1\.0\. Use e\.g\. dropout=0\.0 \(the default\)\. dropout=0 is plain EASE"),
        (KernelAutoRec(n_layers=0), ValueError, r"n_layers must be an int in \[1, inf\]; got n_layers=0\. Use e\.g\. n_layers=2 \(the default\)"),
        (KernelAutoRec(n_epochs=2.5), TypeError, r"n_epochs must be an int in \[1, inf\]; got n_epochs=2\.5"),
        (KernelAutoRec(dtype="float16"), ValueError, r"dtype must be one of \['float32', 'float64'\]; got dtype='float16'\. .*float64 is for gradient checks"),
        (BlendRecommender(alpha=-0.5), ValueError, r"alpha must be a number in \[0, inf\]; got alpha=-0\.5"),
        (ImplicitALS(solver="lu"), ValueError, r"solver must be one of \['cg', 'cholesky'\]; got solver='lu'\. Use e\.g\. solver='cg' \(the default\)"),
        (ImplicitALS(n_cg_steps=0), ValueError, r"n_cg_steps must be an int in \[1, inf\]; got n_cg_steps=0"),
    ],
)
def test_new_parameters_are_checked_at_fit_from_one_table(model, error, match, small_ratings):
    with pytest.raises(error, match=match):
        model.fit(small_ratings[0])
