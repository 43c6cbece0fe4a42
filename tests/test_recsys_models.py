"""fusionlab.recsys matrix factorisation and NeuMF, against plain-NumPy oracles and planted data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from fusionlab.data import make_synthetic_ratings
from fusionlab.recsys import (
    ALSMF,
    BiasBaseline,
    BiasedMF,
    ImplicitALS,
    Popularity,
    hit_rate_at_k,
    matrix_from_ratings,
    random_split,
    ratings_matrix,
    rmse,
)
from fusionlab.recsys.factorization import als_solve_rows


@pytest.fixture(scope="module")
def planted():
    """MovieLens-100K-sized synthetic ratings with strong planted structure (rank 3, low noise),
    an 80/20 split and the planted noise floor."""
    data = make_synthetic_ratings(rank=3, noise_std=0.5, random_state=0)
    train, test = random_split(len(data), test_size=0.2, random_state=0)
    floor = float(np.sqrt(np.mean((data.ratings[test] - data.clean_scores[test]) ** 2)))
    return matrix_from_ratings(data, train), data.user_ids[test], data.item_ids[test], data.ratings[test], floor


def funk_sgd(R, n_factors, n_epochs, learning_rate, reg, init_std, seed):
    """Sequential SGD, one rating at a time (Funk 2006; Surprise's SVD), in plain NumPy."""
    rng = np.random.default_rng(seed)
    users, items = R.nonzero()
    ratings = np.asarray(R[users, items]).ravel()
    mu = ratings.mean()
    P = rng.normal(0.0, init_std, (R.shape[0], n_factors))
    Q = rng.normal(0.0, init_std, (R.shape[1], n_factors))
    bu, bi = np.zeros(R.shape[0]), np.zeros(R.shape[1])
    for _ in range(n_epochs):
        for n in rng.permutation(ratings.size):
            u, i = users[n], items[n]
            error = ratings[n] - (mu + bu[u] + bi[i] + P[u] @ Q[i])
            bu[u] += learning_rate * (error - reg * bu[u])
            bi[i] += learning_rate * (error - reg * bi[i])
            pu = P[u].copy()
            P[u] += learning_rate * (error * Q[i] - reg * P[u])
            Q[i] += learning_rate * (error * pu - reg * Q[i])
    return P, Q, bu, bi


def test_biased_mf_with_batch_size_one_is_funks_sequential_sgd():
    rng = np.random.default_rng(0)
    codes = rng.choice(15 * 12, size=80, replace=False)
    R = ratings_matrix(codes // 12, codes % 12, rng.integers(1, 6, 80).astype(float), shape=(15, 12))
    model = BiasedMF(n_factors=3, n_epochs=3, learning_rate=0.02, reg=0.05, batch_size=1, random_state=7).fit(R)
    P, Q, bu, bi = funk_sgd(R, 3, 3, 0.02, 0.05, 0.1, 7)
    np.testing.assert_allclose(model.user_factors_, P, atol=1e-12)
    np.testing.assert_allclose(model.item_factors_, Q, atol=1e-12)
    np.testing.assert_allclose(model.user_bias_, bu, atol=1e-12)
    np.testing.assert_allclose(model.item_bias_, bi, atol=1e-12)


def test_mini_batch_scatter_adds_repeated_rows():
    from fusionlab.recsys._kernels import _scatter

    rows = np.array([2, 0, 2, 2, 5])
    updates = np.arange(10.0).reshape(5, 2)
    expected = np.zeros((6, 2))
    np.add.at(expected, rows, updates)
    for n_rows in (6, 6000):  # a small table (one dense add) and a large one (distinct rows only)
        index, matrix = _scatter(rows, n_rows)
        result = np.zeros((n_rows, 2))
        result[index] += matrix @ updates
        np.testing.assert_allclose(result[:6], expected)
        assert not result[6:].any()
    assert _scatter(rows, 6000)[1].shape == (3, 5)  # one row per distinct target


def test_mf_reaches_the_planted_noise_level(planted):
    R, users, items, ratings, floor = planted
    bias = rmse(ratings, BiasBaseline().fit(R).predict(users, items))
    sgd = BiasedMF(random_state=0).fit(R)
    als = ALSMF(random_state=0).fit(R)
    for model in (sgd, als):
        error = rmse(ratings, model.predict(users, items))
        # The floor is E[stars | planted score], a non-linear function of the score, so a linear
        # model cannot reach it; MF must close most of the gap the biases leave (0.62 at seed 0).
        assert error < floor + 0.6 * (bias - floor), (type(model).__name__, error, floor, bias)
        assert error < bias, (type(model).__name__, error, bias)
    assert sgd.history_["rmse"][-1] < sgd.history_["rmse"][0] and sgd.history_.epoch[-1] == sgd.n_epochs
    assert np.all(np.diff(als.history_["rmse"]) < 1e-9)  # ALS never increases its objective's fit much


def test_als_half_step_solves_each_ridge_regression_exactly(planted):
    R = planted[0][:60, :80].tocsr()
    R = R[np.diff(R.indptr) > 0]
    model = ALSMF(n_factors=4, n_epochs=3, reg=0.1, random_state=0).fit(R)
    # the last half-step solved the items given the users: check three items by dense ridge
    design = np.column_stack([model.user_factors_, np.ones(R.shape[0])])
    Rc = R.tocsc()
    for item in np.flatnonzero(np.diff(Rc.indptr) > 0)[:3]:
        raters = Rc.indices[Rc.indptr[item]:Rc.indptr[item + 1]]
        target = Rc.data[Rc.indptr[item]:Rc.indptr[item + 1]] - model.global_mean_ - model.user_bias_[raters]
        X = design[raters]
        exact = np.linalg.solve(X.T @ X + 0.1 * len(raters) * np.eye(5), X.T @ target)
        np.testing.assert_allclose(np.r_[model.item_factors_[item], model.item_bias_[item]], exact, atol=1e-10)


def test_als_solve_rows_equals_dense_implicit_als_solves():
    rng = np.random.default_rng(0)
    dense = (rng.random((7, 9)) < 0.4) * rng.integers(1, 6, (7, 9)).astype(float)
    R = sp.csr_matrix(dense)
    Y, alpha, reg = rng.normal(size=(9, 3)), 2.0, 0.5
    extra, confidence = R.copy(), R.copy()
    extra.data, confidence.data = alpha * R.data, 1 + alpha * R.data
    X = als_solve_rows(extra, confidence, Y, np.full(3, reg), base_gram=Y.T @ Y, chunk_size=3)
    for user in range(7):
        C = np.diag(1 + alpha * dense[user])  # Hu, Koren & Volinsky (2008), eq. (4)
        p = (dense[user] > 0).astype(float)
        np.testing.assert_allclose(X[user], np.linalg.solve(Y.T @ C @ Y + reg * np.eye(3), Y.T @ C @ p), atol=1e-10)


def two_taste_groups(seed=0):
    """60 users in two groups; each group watches (implicitly) only its own 20 of 40 items."""
    rng = np.random.default_rng(seed)
    group = np.repeat([0, 1], 30)
    watched = (rng.random((60, 40)) < 0.5) & (np.arange(40)[None, :] // 20 == group[:, None])
    users, items = np.nonzero(watched)
    return ratings_matrix(users, items, shape=(60, 40)), group


def test_implicit_als_recommends_the_users_own_taste_group():
    R, group = two_taste_groups()
    top = ImplicitALS(n_factors=4, reg=0.1, alpha=5.0, random_state=0).fit(R).recommend(np.arange(60), k=5)
    assert np.mean(top // 20 == group[:, None]) > 0.95
    popular = Popularity().fit(R).recommend(np.arange(60), k=5)
    assert np.mean(popular // 20 == group[:, None]) < 0.8  # popularity ignores taste


def test_factorization_parameters_are_checked():
    R = two_taste_groups()[0]
    with pytest.raises(ValueError, match=r"n_factors must be an int in \[1, inf\]; got n_factors=0"):
        BiasedMF(n_factors=0).fit(R)
    with pytest.raises(ValueError, match=r"learning_rate must be a number in \(0, inf\]; got learning_rate=0.0"):
        BiasedMF(learning_rate=0.0).fit(R)
    with pytest.raises(ValueError, match=r"reg must be a number in \(0, inf\]; got reg=0.0"):
        ALSMF(reg=0.0).fit(R)
    with pytest.raises(ValueError, match="non-negative feedback for ImplicitALS"):
        ImplicitALS().fit(sp.csr_matrix(np.array([[-1.0, 2.0]])))


def test_mf_is_deterministic_given_random_state(planted):
    R = planted[0][:100].tocsr()
    first = BiasedMF(n_epochs=2, random_state=3).fit(R).user_factors_
    np.testing.assert_array_equal(first, BiasedMF(n_epochs=2, random_state=3).fit(R).user_factors_)


# -- NeuMF ---------------------------------------------------------------------------------

def test_negative_samples_are_never_observed_pairs():
    from fusionlab.recsys import sample_negatives

    R, _ = two_taste_groups()
    users, items = sample_negatives(R, 4, np.random.default_rng(0))
    assert users.size == 4 * R.nnz
    assert np.all(np.asarray(R[users, items]).ravel() == 0)
    full = sp.csr_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="rated every item"):
        sample_negatives(full, 1, np.random.default_rng(0))


def test_build_neumf_shapes_and_seeded_weights():
    from fusionlab.recsys import build_neumf

    model = build_neumf(10, 7, mf_dim=4, mlp_layers=(8, 4), seed=1)
    out = model.predict([np.array([0, 9]), np.array([6, 0])], verbose=0)
    assert out.shape == (2, 1) and np.all((out > 0) & (out < 1))
    # embeddings: GMF 10*4 + 7*4, MLP 10*4 + 7*4; dense 8->4 (36); output (4+4)->1 (9)
    assert model.count_params() == 68 + 68 + 36 + 9
    again = build_neumf(10, 7, mf_dim=4, mlp_layers=(8, 4), seed=1)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"mf_dim must be an int in \[1, inf\]; got mf_dim=0"):
        build_neumf(10, 7, mf_dim=0)


def test_neumf_learns_taste_groups_from_implicit_feedback():
    from fusionlab.recsys import NeuMF

    R, group = two_taste_groups(seed=1)
    model = NeuMF(mf_dim=4, mlp_layers=(16, 8), n_epochs=8, batch_size=256, learning_rate=0.01, random_state=0).fit(R)
    top = model.recommend(np.arange(60), k=5)
    assert model.history_["loss"][-1] < model.history_["loss"][0]
    assert np.mean(top // 20 == group[:, None]) > 0.9
    relevant = [set(np.flatnonzero(np.arange(40) // 20 == g)) - set(R[u].indices) for u, g in enumerate(group)]
    assert hit_rate_at_k(top, relevant, 5) > 0.9
    with pytest.raises(TypeError, match="NeuMF ranks items but does not predict ratings"):
        model.predict([0], [0])
