"""Recommenders are scikit-learn estimators: parameters, cloning, declared kinds, one compare_models contract."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.base import clone

from fusionlab.recsys import (
    ALSMF,
    BiasBaseline,
    BiasedMF,
    GlobalMean,
    ImplicitALS,
    ItemKNN,
    NeighbourhoodCF,
    Popularity,
    UserKNN,
    compare_models,
    fit_biases,
    format_table,
    ratings_matrix,
)

ALL = [GlobalMean, BiasBaseline, Popularity, ItemKNN, UserKNN, NeighbourhoodCF, BiasedMF, ALSMF, ImplicitALS]


def _ratings(seed=0, n_users=30, n_items=20):
    rng = np.random.default_rng(seed)
    keep = rng.random((n_users, n_items)) < 0.4
    keep[:, 0] = keep[0, :] = True  # every user and item has a rating
    users, items = np.nonzero(keep)
    return ratings_matrix(users, items, rng.integers(1, 6, users.size).astype(float), shape=(n_users, n_items))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_params_round_trip_clone_and_repr(cls):
    model = cls()
    params = model.get_params()
    declared = set() if cls.__init__ is object.__init__ else set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert set(params) == declared
    assert repr(model).startswith(cls.__name__ + "(")
    twin = clone(model)
    assert twin is not model and twin.get_params() == params
    fitted = clone(model).fit(_ratings())
    learned = [name for name in vars(fitted) if name not in params]
    assert learned and all(name.endswith("_") for name in learned), learned  # fitted state ends in _
    assert not any(name.endswith("_") for name in vars(model))  # __init__ stores parameters only


def test_neighbourhood_models_expose_every_baseline_parameter():
    for cls in (ItemKNN, UserKNN):
        assert {"reg_user", "reg_item", "n_epochs_baseline"} <= set(cls().get_params())
        assert "kind" not in cls().get_params() and cls().kind == cls.__name__[:4].lower()
    R = _ratings()
    loose = ItemKNN(reg_user=0.0, reg_item=0.0, n_epochs_baseline=50).fit(R)
    _, user_bias, item_bias = fit_biases(R, reg_user=0.0, reg_item=0.0, n_epochs=50)
    np.testing.assert_array_equal(loose.user_bias_, user_bias)
    np.testing.assert_array_equal(loose.item_bias_, item_bias)
    assert ItemKNN().set_params(k=5).k == 5


@pytest.mark.parametrize(
    ("model", "error", "match"),
    [
        (ItemKNN(reg_user=-1.0), ValueError, r"reg_user must be a number in \[0, inf\]; got reg_user=-1\.0\. Use e\.g\. reg_user=15\.0 \(the default\)\."),
        (UserKNN(n_epochs_baseline=0), ValueError, r"n_epochs_baseline must be an int in \[1, inf\]; got n_epochs_baseline=0\. Use e\.g\. n_epochs_baseline=10"),
        (ItemKNN(max_neighbours=0), ValueError, r"max_neighbours must be an int in \[1, inf\] or None; got max_neighbours=0\. .*None keeps every positive similarity"),
        (ItemKNN(k=2.5), TypeError, r"k must be an int in \[1, inf\]; got k=2\.5\. Use e\.g\. k=40 \(the default\)\."),
        (ItemKNN(similarity="jaccard"), ValueError, r"similarity must be one of \['cosine', 'adjusted_cosine', 'pearson', 'pearson_baseline'\]; got similarity='jaccard'"),
        (NeighbourhoodCF(centering="median"), ValueError, r"centering must be one of \['none', 'mean', 'baseline'\]; got centering='median'\. .*KNNBaseline"),
        (BiasBaseline(reg_item=float("nan")), ValueError, r"reg_item must be a finite number; got reg_item=nan"),
        (Popularity(min_rating="4"), TypeError, r"min_rating must be a real number or None; got min_rating='4'"),
        (BiasedMF(batch_size=0), ValueError, r"batch_size must be an int in \[1, inf\]; got batch_size=0\. Use e\.g\. batch_size=1024 \(the default\)\. batch_size=1 is Funk's"),
        (ALSMF(reg=0.0), ValueError, r"reg must be a number in \(0, inf\]; got reg=0\.0\. Use e\.g\. reg=0\.1 \(the default\)\. ALS needs a positive penalty"),
        (ImplicitALS(alpha=-1), ValueError, r"alpha must be a number in \(0, inf\]; got alpha=-1"),
    ],
)
def test_parameters_are_checked_at_fit_from_one_table(model, error, match):
    with pytest.raises(error, match=match):
        model.fit(_ratings())


def test_fit_biases_checks_its_inputs():
    with pytest.raises(TypeError, match=r"R must be a scipy.sparse matrix"):
        fit_biases(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"reg_user must be a number in \[0, inf\]; got reg_user=-1"):
        fit_biases(_ratings(), reg_user=-1)
    with pytest.raises(ValueError, match=r"n_epochs must be an int in \[1, inf\]; got n_epochs=0"):
        fit_biases(_ratings(), n_epochs=0)


def test_ranking_only_and_implicit_models_say_so():
    ranking_only = {cls.__name__ for cls in ALL if not cls.predicts_ratings}
    assert ranking_only == {"Popularity", "ImplicitALS"}
    assert {cls.__name__ for cls in ALL if cls.feedback == "implicit"} == {"ImplicitALS"}
    with pytest.raises(TypeError, match="ImplicitALS ranks items but does not predict ratings; use recommend"):
        ImplicitALS(n_epochs=1).fit(_ratings()).predict([0], [0])


def test_compare_models_clones_and_follows_each_models_declaration():
    R_train, R_test = _ratings(seed=1), _ratings(seed=2)
    models = {"biases": BiasBaseline(), "popularity": Popularity(), "implicit ALS": ImplicitALS(n_epochs=2, random_state=0)}
    results = compare_models(models, R_train, R_test, k=3, verbose=False)
    assert list(results) == list(models)
    assert not hasattr(models["biases"], "train_")  # the caller's estimators stay unfitted
    assert results["biases"].rmse is not None and results["popularity"].rmse is None and results["implicit ALS"].mae is None
    assert set(np.unique(results["implicit ALS"].model.train_.data)) == {1.0}  # fitted on implicit feedback
    assert set(np.unique(results["biases"].model.train_.data)) > {1.0}
    assert results["biases"].fit_time_s >= 0 and results["biases"].recommend_time_s >= 0
    table = format_table(results, ["rmse", "ndcg@3"])
    assert table.splitlines()[0].split() == ["model", "rmse", "ndcg@3"] and "popularity" in table
    with pytest.raises(TypeError, match=r"models must be a non-empty dict of name to recommender; got models='list'"):
        compare_models([BiasBaseline()], R_train, R_test)


def test_storage_bytes_and_the_popularity_of_recommendations():
    from fusionlab.recsys import dense_bytes, median_popularity, sparse_bytes

    R = ratings_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 1, 2, 3], [5.0, 3.0, 4.0, 2.0, 5.0, 4.0], shape=(3, 4))
    assert sparse_bytes(R) == 6 * 8 + 6 * R.indices.itemsize + 4 * R.indptr.itemsize
    assert dense_bytes(3, 4) == 96 and dense_bytes(162_541, 59_047) / 1e9 == pytest.approx(76.78, abs=0.01)
    # ratings per item: 1, 3, 1, 1; lists [0, 3] and [1, padding] show items rated 1, 1 and 3 times
    assert median_popularity(np.array([[0, 3], [1, -1]]), R) == 1.0
    assert median_popularity(np.array([[1, 3], [1, -1]]), R) == 3.0
    assert median_popularity(np.arange(4)[None, :], R) == 1.0  # the catalogue's median
    with pytest.raises(ValueError, match=r"recommended must be item indices in \[0, 3\] \(at least one\); got recommended='1 item\(s\), largest 9'"):
        median_popularity(np.array([[9, -1]]), R)
    with pytest.raises(ValueError, match=r"n_users must be an int in \[1, inf\]; got n_users=0"):
        dense_bytes(0, 4)
