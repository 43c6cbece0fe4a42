"""fusionlab.recsys: data, metrics, baselines, neighbourhood CF and the toy example.

References: scikit-learn metrics, dense ridge regression, and brute-force loops written here
(float64, tolerance 1e-10 unless stated).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import mean_absolute_error, ndcg_score, root_mean_squared_error

from fusionlab.recsys import (
    BiasBaseline,
    GlobalMean,
    IdMap,
    ItemKNN,
    NeighbourhoodCF,
    Popularity,
    UserKNN,
    catalogue_coverage,
    check_ratings_matrix,
    fit_biases,
    hit_rate_at_k,
    leave_last_out,
    mae,
    map_at_k,
    matrix_from_ratings,
    ndcg_at_k,
    per_user_holdout,
    precision_at_k,
    random_split,
    ranking_report,
    ratings_matrix,
    recall_at_k,
    rmse,
)
from fusionlab.recsys.toy import TOY_TABLE, TOY_USERS, recommend, toy_recommender


def random_table(n_users=12, n_items=10, density=0.55, seed=0):
    """A small ratings table with gaps (nan) where every user and item has two ratings or more."""
    rng = np.random.default_rng(seed)
    while True:
        table = np.where(rng.random((n_users, n_items)) < density, rng.integers(1, 6, (n_users, n_items)).astype(float), np.nan)
        rated = ~np.isnan(table)
        if rated.sum(1).min() >= 2 and rated.sum(0).min() >= 2:
            return table


def to_sparse(table):
    users, items = np.nonzero(~np.isnan(table))
    return ratings_matrix(users, items, table[users, items], shape=table.shape)


# -- data ----------------------------------------------------------------------------------

def test_id_map_round_trip_and_unknown_id():
    users = IdMap(["b", "a", "b", "c"], name="user_id")
    assert users.to_index(["c", "b", "a"]).tolist() == [2, 0, 1]
    assert users.to_id([0, 2]).tolist() == ["b", "c"]
    with pytest.raises(KeyError, match=r"user_id must be one of the 3 known ids; got user_id='zz'"):
        users.to_index(["zz"])
    with pytest.raises(ValueError, match=r"indices must be ints in \[0, 2\]"):
        users.to_id([3])


def test_ratings_matrix_is_sparse_and_refuses_ambiguous_input():
    R = ratings_matrix([0, 1, 1], [2, 0, 1], [5.0, 3.0, 4.0], shape=(3, 4))
    assert sp.isspmatrix_csr(R) and R.shape == (3, 4) and R.nnz == 3
    assert R[1, 1] == 4.0 and R[2].nnz == 0
    with pytest.raises(ValueError, match=r"each \(user, item\) pair at most once; got .*1 repeated pair"):
        ratings_matrix([0, 0], [1, 1], [3.0, 4.0])
    with pytest.raises(ValueError, match=r"ratings must be non-zero .*got ratings='1 zero rating\(s\)'"):
        ratings_matrix([0, 1], [0, 1], [0.0, 4.0])
    with pytest.raises(ValueError, match=r"ratings must be finite values"):
        ratings_matrix([0, 1], [0, 1], [np.nan, 4.0])
    with pytest.raises(TypeError, match=r"user_ids must be an array of int indices"):
        ratings_matrix(["u1"], [0], [4.0])
    with pytest.raises(ValueError, match=r"indices inside shape=\(2, 2\)"):
        ratings_matrix([0, 2], [0, 1], [4.0, 3.0], shape=(2, 2))


def test_check_ratings_matrix_refuses_dense_and_non_finite():
    with pytest.raises(TypeError, match=r"R must be a scipy.sparse matrix .*got R='ndarray'.*missing ratings must not be stored"):
        check_ratings_matrix(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"R must be finite ratings; got R='1 non-finite rating\(s\)'"):
        check_ratings_matrix(sp.csr_matrix(np.array([[np.inf, 1.0]])))
    with pytest.raises(ValueError, match=r"at least one observed rating"):
        BiasBaseline().fit(sp.csr_matrix((3, 3)))


def test_matrix_from_ratings_keeps_the_full_shape():
    from fusionlab.data import make_synthetic_ratings

    data = make_synthetic_ratings(n_users=30, n_items=20, n_ratings=200, random_state=1)
    R = matrix_from_ratings(data, np.arange(10))
    assert R.shape == (30, 20) and R.nnz == 10
    dense = np.zeros((30, 20))
    dense[data.user_ids, data.item_ids] = data.ratings  # each (user, item) pair once
    np.testing.assert_allclose(matrix_from_ratings(data).toarray(), dense)
    with pytest.raises(TypeError, match="ratings must be a fusionlab.data.Ratings"):
        matrix_from_ratings(np.ones(3))


def test_random_split_partitions_and_repeats():
    train, test = random_split(100, test_size=0.25, random_state=3)
    assert len(test) == 25 and np.array_equal(np.sort(np.r_[train, test]), np.arange(100))
    assert np.array_equal(random_split(100, test_size=0.25, random_state=3)[1], test)
    with pytest.raises(ValueError, match=r"test_size must be a number in \(0, 1\); got test_size=1.5"):
        random_split(100, test_size=1.5)


def test_per_user_holdout_keeps_every_user_in_train():
    rng = np.random.default_rng(0)
    users = rng.integers(0, 20, 300)
    users = np.r_[users, 99]  # a user with one rating
    train, test = per_user_holdout(users, test_size=0.2, random_state=0)
    assert np.array_equal(np.sort(np.r_[train, test]), np.arange(users.size))
    assert set(users[test]) <= set(users[train])
    assert 99 not in set(users[test])
    for user in np.unique(users[users != 99]):
        n = np.sum(users == user)
        assert np.sum(users[test] == user) == min(max(1, int(np.floor(0.2 * n + 0.5))), n - 1)


def test_leave_last_out_holds_out_each_users_newest_rating():
    users = np.array([0, 0, 0, 1, 1, 2])
    times = np.array([5, 9, 1, 3, 2, 7])
    train, test = leave_last_out(users, times)
    assert test.tolist() == [1, 3]  # user 0 at t=9, user 1 at t=3; user 2 has one rating only
    assert train.tolist() == [0, 2, 4, 5]
    with pytest.raises(ValueError, match=r"n_last must be an int in \[1, inf\]; got n_last=0"):
        leave_last_out(users, times, n_last=0)


# -- metrics -------------------------------------------------------------------------------

def test_rating_metrics_equal_scikit_learn():
    rng = np.random.default_rng(0)
    y, p = rng.uniform(1, 5, 50), rng.uniform(1, 5, 50)
    assert rmse(y, p) == pytest.approx(root_mean_squared_error(y, p), abs=1e-12)
    assert mae(y, p) == pytest.approx(mean_absolute_error(y, p), abs=1e-12)
    with pytest.raises(ValueError, match="arrays with the same number of samples"):
        rmse(y, p[:3])


def test_ranking_metrics_by_hand():
    recommended = np.array([[1, 2, 3, 4], [7, 8, 9, 5]])
    relevant = [{2, 4, 9}, [5]]
    # user 0: hits at ranks 2 and 4 of 3 relevant; user 1: a hit at rank 4 of 1 relevant
    assert precision_at_k(recommended, relevant, 4) == pytest.approx((2 / 4 + 1 / 4) / 2)
    assert recall_at_k(recommended, relevant, 4) == pytest.approx((2 / 3 + 1) / 2)
    assert hit_rate_at_k(recommended, relevant, 2) == pytest.approx(0.5)
    assert map_at_k(recommended, relevant, 4) == pytest.approx(((1 / 2 + 2 / 4) / 3 + (1 / 4) / 1) / 2)
    ndcg_user0 = (1 / np.log2(3) + 1 / np.log2(5)) / (1 + 1 / np.log2(3) + 1 / np.log2(4))
    ndcg_user1 = (1 / np.log2(5)) / 1
    assert ndcg_at_k(recommended, relevant, 4) == pytest.approx((ndcg_user0 + ndcg_user1) / 2)
    assert catalogue_coverage(recommended, n_items=20) == pytest.approx(8 / 20)
    report = ranking_report(recommended, relevant, 4, n_items=20)
    assert report["n_users"] == 2 and report["ndcg@4"] == pytest.approx(ndcg_at_k(recommended, relevant, 4))


def test_ranking_metrics_skip_users_without_relevant_items_and_check_k():
    recommended = np.array([[1, 2], [3, 4]])
    assert precision_at_k(recommended, [{1}, set()], 2) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 2\]; got k=3"):
        precision_at_k(recommended, [{1}, {3}], 3)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 2\]; got k=0"):
        ndcg_at_k(recommended, [{1}, {3}], 0)
    with pytest.raises(ValueError, match="relevant must be at least one user with a relevant item"):
        recall_at_k(recommended, [set(), set()], 2)
    with pytest.raises(ValueError, match="relevant must be 2 collections"):
        recall_at_k(recommended, [{1}], 2)


def test_ndcg_equals_scikit_learn():
    rng = np.random.default_rng(1)
    n_users, n_items, k = 40, 30, 10
    scores = rng.random((n_users, n_items))
    truth = (rng.random((n_users, n_items)) < 0.2).astype(float)
    truth[truth.sum(1) == 0, 0] = 1.0  # every user has a relevant item
    recommended = np.argsort(-scores, axis=1)[:, :k]
    relevant = sp.csr_matrix(truth)
    assert ndcg_at_k(recommended, relevant, k) == pytest.approx(ndcg_score(truth, scores, k=k), abs=1e-12)


# -- baselines -----------------------------------------------------------------------------

def test_biases_equal_the_dense_ridge_solution():
    table = random_table()
    R = to_sparse(table)
    users, items = R.nonzero()
    ratings = np.asarray(R[users, items]).ravel()
    mu, reg_user, reg_item = ratings.mean(), 3.0, 2.0
    design = np.zeros((ratings.size, R.shape[0] + R.shape[1]))
    design[np.arange(ratings.size), users] = 1
    design[np.arange(ratings.size), R.shape[0] + items] = 1
    penalty = np.diag(np.r_[np.full(R.shape[0], reg_user), np.full(R.shape[1], reg_item)])
    exact = np.linalg.solve(design.T @ design + penalty, design.T @ (ratings - mu))
    _, user_bias, item_bias = fit_biases(R, reg_user=reg_user, reg_item=reg_item, n_epochs=500)
    np.testing.assert_allclose(np.r_[user_bias, item_bias], exact, atol=1e-8)


def test_baselines_predict_and_popularity_ranks_unseen_items():
    R = ratings_matrix([0, 0, 1, 2, 2, 3], [0, 1, 1, 1, 2, 0], [5.0, 3.0, 4.0, 2.0, 5.0, 4.0], shape=(5, 4))
    assert GlobalMean().fit(R).predict([0, 4], [3, 3]) == pytest.approx([23 / 6] * 2)
    model = BiasBaseline(reg_user=0.0, reg_item=0.0, n_epochs=50).fit(R)
    assert model.predict([0], [0])[0] == pytest.approx(5.0, abs=1e-3)  # no penalty: fits the rating
    popular = Popularity().fit(R)
    assert popular.recommend([1], k=3).tolist() == [[0, 2, 3]]  # item 1 seen; then 2 ratings, 1, 0
    assert popular.recommend([4], k=2).tolist() == [[1, 0]]  # cold-start user: most popular first
    with pytest.raises(TypeError, match="Popularity ranks items but does not predict ratings"):
        popular.predict([0], [0])


def test_cold_start_user_gets_popularity_and_baseline():
    table = random_table(seed=4)
    table[5] = np.nan  # user 5 has no rating in training
    R = to_sparse(np.where(np.isnan(table), np.nan, table))
    for model in (ItemKNN(), UserKNN(), BiasBaseline()):
        model.fit(R)
        assert model.recommend([5], k=4).tolist() == Popularity().fit(R).recommend([5], k=4).tolist()
        expected = model.global_mean_ + model.item_bias_[2]
        assert model.predict([5], [2])[0] == pytest.approx(expected)


def test_unknown_indices_and_bad_k_are_refused():
    model = ItemKNN().fit(to_sparse(random_table()))
    with pytest.raises(ValueError, match=r"user_ids must be indices in \[0, 11\]; got user_ids=\[12\]"):
        model.recommend([12])
    with pytest.raises(ValueError, match=r"item_ids must be indices in \[0, 9\]; got item_ids=\[-1\]"):
        model.predict([0], [-1])
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 10\]; got k=0. Ask for at least one recommendation"):
        model.recommend([0], k=0)
    with pytest.raises(ValueError, match=r"kind must be one of \['item', 'user'\]; got kind='film'"):
        NeighbourhoodCF(kind="film").fit(to_sparse(random_table()))
    with pytest.raises(RuntimeError, match="not fitted yet"):
        ItemKNN().predict([0], [0])


# -- neighbourhood CF against brute force -------------------------------------------------

def brute_similarity(table, kind, similarity, shrinkage, model):
    """Loop over every pair of entities, over their co-raters only."""
    M = table if kind == "item" else table.T
    rater_bias, entity_bias = (model.user_bias_, model.item_bias_) if kind == "item" else (model.item_bias_, model.user_bias_)
    n_raters, n_entities = M.shape
    rater_mean = np.nanmean(M, axis=1)
    entity_mean = np.nanmean(M, axis=0)
    S = np.zeros((n_entities, n_entities))
    for a in range(n_entities):
        for b in range(n_entities):
            if a == b:
                continue
            co = [r for r in range(n_raters) if not np.isnan(M[r, a]) and not np.isnan(M[r, b])]
            offset = {
                "cosine": lambda r, e: 0.0,
                "adjusted_cosine": lambda r, e: rater_mean[r],
                "pearson": lambda r, e: entity_mean[e],
                "pearson_baseline": lambda r, e: model.global_mean_ + rater_bias[r] + entity_bias[e],
            }[similarity]
            za = np.array([M[r, a] - offset(r, a) for r in co])
            zb = np.array([M[r, b] - offset(r, b) for r in co])
            denominator = np.sqrt(np.sum(za**2) * np.sum(zb**2))
            sim = np.sum(za * zb) / denominator if denominator > 0 else 0.0
            if shrinkage > 0:
                sim *= max(len(co) - 1, 0) / (max(len(co) - 1, 0) + shrinkage)
            S[a, b] = max(sim, 0.0)
    return S


def brute_predict(table, kind, S, user, item, k, min_k, centering, model):
    M, rater, entity = (table, user, item) if kind == "item" else (table.T, item, user)
    rater_bias, entity_bias = (model.user_bias_, model.item_bias_) if kind == "item" else (model.item_bias_, model.user_bias_)
    entity_mean = np.nanmean(M, axis=0)

    def offset(e):
        if centering == "baseline":
            return model.global_mean_ + rater_bias[rater] + entity_bias[e]
        return entity_mean[e] if centering == "mean" else 0.0

    rated = [e for e in range(M.shape[1]) if not np.isnan(M[rater, e])]
    neighbours = sorted(rated, key=lambda e: -S[entity, e])[:k]
    neighbours = [e for e in neighbours if S[entity, e] > 0]
    fallback = offset(entity) if centering != "none" else model.global_mean_
    if len(neighbours) < min_k:
        return fallback
    weight = sum(S[entity, e] for e in neighbours)
    return offset(entity) + sum(S[entity, e] * (M[rater, e] - offset(e)) for e in neighbours) / weight


@pytest.mark.parametrize("kind", ["item", "user"])
@pytest.mark.parametrize("similarity, centering, shrinkage", [
    ("cosine", "none", 0.0), ("adjusted_cosine", "mean", 0.0), ("pearson", "mean", 5.0), ("pearson_baseline", "baseline", 100.0),
])
def test_neighbourhood_cf_equals_brute_force(kind, similarity, centering, shrinkage):
    table = random_table(seed=2)
    R = to_sparse(table)
    model = NeighbourhoodCF(kind=kind, similarity=similarity, centering=centering, shrinkage=shrinkage, k=3, min_k=2).fit(R)
    S = brute_similarity(table, kind, similarity, shrinkage, model)
    np.testing.assert_allclose(model.similarity_, S, atol=1e-10)
    users, items = np.meshgrid(np.arange(table.shape[0]), np.arange(table.shape[1]), indexing="ij")
    expected = [brute_predict(table, kind, S, u, i, 3, 2, centering, model) for u, i in zip(users.ravel(), items.ravel())]
    np.testing.assert_allclose(model._predict_pairs(users.ravel(), items.ravel()), expected, atol=1e-10)
    np.testing.assert_allclose(model.predict(users.ravel(), items.ravel()), np.clip(expected, 1, 5), atol=1e-10)


def test_sparse_pruned_similarity_path_equals_the_dense_path():
    table = random_table(n_users=15, n_items=12, seed=5)
    R = to_sparse(table)
    dense = ItemKNN(k=4).fit(R)
    pruned = ItemKNN(k=4, max_neighbours=11).fit(R)  # keeps every neighbour, stored sparse
    assert sp.issparse(pruned.similarity_) and isinstance(dense.similarity_, np.ndarray)
    np.testing.assert_allclose(pruned.similarity_.toarray(), dense.similarity_, atol=1e-12)
    users, items = np.nonzero(np.isnan(table))
    np.testing.assert_allclose(pruned.predict(users, items), dense.predict(users, items), atol=1e-12)
    top2 = ItemKNN(max_neighbours=2).fit(R).similarity_
    assert np.diff(top2.indptr).max() <= 2
    np.testing.assert_allclose(top2.max(axis=1).toarray().ravel(), dense.similarity_.max(axis=1), atol=1e-12)


def test_recommend_excludes_seen_items_and_keeps_order():
    table = random_table(seed=6)
    R = to_sparse(table)
    model = ItemKNN(k=5).fit(R)
    top = model.recommend(np.arange(table.shape[0]), k=3)
    for user, row in enumerate(top):
        unseen = np.flatnonzero(np.isnan(table[user]))
        assert set(row[row >= 0]) <= set(unseen)
        scores = model._predict_pairs(np.full(row.size, user), np.maximum(row, 0))
        assert np.all(np.diff(scores[row >= 0]) <= 1e-12)  # best first
    full = model.recommend([0], k=table.shape[1])[0]
    assert np.sum(full == -1) == np.sum(~np.isnan(table[0]))  # padded with -1 once unseen items run out


# -- the article's toy example, corrected -------------------------------------------------

def test_toy_example_gives_the_hand_checked_recommendations():
    # Worked by hand in notebooks/04_2_recommender.ipynb: Pearson over co-rated films,
    # mean-centred, two nearest users who rated the film.
    expected = {"u1": ["m3", "m6"], "u2": ["m4", "m6"], "u3": ["m5", "m3"], "u4": ["m2"], "u5": ["m2", "m5"]}
    assert {user: recommend(user) for user in TOY_USERS} == expected
    assert recommend("u3", 1) == ["m5"]
    model = toy_recommender()
    # u3 and u4 share m1, m4, m6: z_u3 = (1,5,4) - 3, z_u4 = (2,4,5) - 3.4
    assert model.similarity_[2, 3] == pytest.approx(5.6 / np.sqrt(9 * 4.88))
    # u3's only positive neighbour is u4, who gave m5 five stars: 3 + (5 - 3.4) = 4.6
    assert model.predict([2], [4])[0] == pytest.approx(4.6)
    # u2's neighbours u1 (0.690) and u5 (1.0) rated m4 1 and 2, their means 3 and 3.25
    s15 = model.similarity_[1, 0]
    assert model.predict([1], [3])[0] == pytest.approx(3.5 + (s15 * (1 - 3) + 1.0 * (2 - 3.25)) / (s15 + 1.0))
    assert np.isnan(TOY_TABLE).sum() == 9
    with pytest.raises(KeyError, match="user_id must be one of the 5 known ids; got user_id='u9'"):
        recommend("u9")
    with pytest.raises(ValueError, match=r"num_recommendations must be an int in \[1, inf\]; got num_recommendations=0"):
        recommend("u1", 0)
