"""The ratings stand-in teaches chapter 4.2's lessons: MovieLens-100K's statistics and model orderings.

The statistics are compared with MovieLens-100K's, measured on the real ``u.data`` and kept in
``fusionlab.data.MOVIELENS_100K_STATISTICS`` (with ``--real-data`` a test re-measures them on
the cached file). The orderings are those measured on real MovieLens-100K with chapter 4.2's
protocol (per-user 80/20 holdout, 300 users ranked, top 10, relevant = rated 4 or more); the
margins are below the smallest gap seen over five seeds on both the real data and the stand-in
(see the notebook's "Margins" note).
"""

from __future__ import annotations

import numpy as np
import pytest

from fusionlab.data import MOVIELENS_100K_STATISTICS, make_synthetic_ratings, rating_statistics
from fusionlab.recsys import (ALSMF, BiasBaseline, BiasedMF, ImplicitALS, ItemKNN, Popularity, UserKNN, compare_models,
                              matrix_from_ratings, per_user_holdout)

REAL = MOVIELENS_100K_STATISTICS
RATING_MODELS = ("biases", "item kNN", "user kNN", "MF (SGD)", "MF (ALS)")


@pytest.fixture(scope="module")
def stand_in():
    return make_synthetic_ratings(random_state=0)


@pytest.fixture(scope="module")
def fitted(stand_in):
    """Chapter 4.2's models fitted once on the default stand-in, with the notebook's protocol."""
    from fusionlab.recsys import NeuMF

    train, test = per_user_holdout(stand_in.user_ids, test_size=0.2, random_state=0)
    R_train, R_test = matrix_from_ratings(stand_in, train), matrix_from_ratings(stand_in, test)
    models = {
        "biases": BiasBaseline(), "popularity": Popularity(min_rating=4), "item kNN": ItemKNN(), "user kNN": UserKNN(),
        "MF (SGD)": BiasedMF(random_state=0), "MF (ALS)": ALSMF(random_state=0),
        "implicit ALS": ImplicitALS(random_state=0), "NeuMF": NeuMF(n_epochs=4, random_state=0),
    }
    return compare_models(models, R_train, R_test, k=10, n_ranking_users=300, verbose=False)


def test_stand_in_has_movielens_100k_shape_and_star_shares(stand_in):
    stats = rating_statistics(stand_in)
    assert (stats["n_ratings"], stats["n_users"], stats["n_items"]) == (100_000, 943, 1682)
    assert stats["density"] == pytest.approx(REAL["density"], abs=5e-5)
    np.testing.assert_allclose(stats["star_shares"], REAL["star_shares"], atol=0.002)
    assert stats["mean"] == pytest.approx(REAL["mean"], abs=0.01)
    assert stats["std"] == pytest.approx(REAL["std"], abs=0.01)
    codes = stand_in.user_ids * stand_in.n_items + stand_in.item_ids
    assert np.unique(codes).size == codes.size, "each (user, item) pair is rated once"


def test_stand_in_reproduces_user_activity(stand_in):
    stats = rating_statistics(stand_in)
    assert stats["user_min"] == REAL["user_min"] == 20
    assert stats["user_median"] == pytest.approx(REAL["user_median"], abs=8)
    assert 0.7 * REAL["user_max"] <= stats["user_max"] <= 1.3 * REAL["user_max"]


def test_stand_in_reproduces_item_popularity_and_its_link_to_quality(stand_in):
    stats = rating_statistics(stand_in)
    assert stats["item_gini"] == pytest.approx(REAL["item_gini"], abs=0.03)
    assert stats["item_top10_share"] == pytest.approx(REAL["item_top10_share"], abs=0.03)
    assert stats["items_under_5"] == pytest.approx(REAL["items_under_5"], abs=50)
    assert stats["item_median"] == pytest.approx(REAL["item_median"], abs=5)
    assert stats["popularity_mean_corr"] == pytest.approx(REAL["popularity_mean_corr"], abs=0.06)


def _taste_lift(data, factors):
    """Mean taste match of the rated pairs minus that of the same items given to random users,
    in standard deviations of the latter (0 when choice ignores taste)."""
    match = np.einsum("nk,nk->n", factors[data.user_ids], data.item_factors[data.item_ids])
    shuffled = np.random.default_rng(0).permutation(data.user_ids)  # same items, same popularity
    baseline = np.einsum("nk,nk->n", factors[shuffled], data.item_factors[data.item_ids])
    return (match.mean() - baseline.mean()) / baseline.std()


def test_which_items_a_user_rates_depends_on_taste(stand_in):
    """Users rate items that match their taste more often than popularity alone predicts, and
    their choice taste is correlated with their rating taste (so choices predict ratings)."""
    assert _taste_lift(stand_in, stand_in.choice_factors) > 0.4  # 0.66 at seed 0
    assert _taste_lift(stand_in, stand_in.user_factors) > 0.15  # 0.27 at seed 0
    blind = make_synthetic_ratings(n_ratings=20_000, taste_strength=0.0, random_state=0)
    assert abs(_taste_lift(blind, blind.user_factors)) < 0.05


def test_personalised_rankers_beat_popularity(fitted):
    ndcg = {name: result.ranking["ndcg@10"] for name, result in fitted.items()}
    assert ndcg["implicit ALS"] > 1.3 * ndcg["popularity"], ndcg
    assert ndcg["NeuMF"] > 1.3 * ndcg["popularity"], ndcg


def test_rating_trained_models_rank_below_popularity(fitted):
    ndcg = {name: result.ranking["ndcg@10"] for name, result in fitted.items()}
    assert max(ndcg[name] for name in RATING_MODELS) < ndcg["popularity"] / 1.3, ndcg


def test_item_knn_and_mf_beat_the_biases_on_rmse(fitted):
    rmse = {name: result.rmse for name, result in fitted.items() if result.rmse is not None}
    assert rmse["item kNN"] < rmse["biases"] - 0.01, rmse
    assert rmse["MF (SGD)"] < rmse["biases"] - 0.01, rmse
    assert rmse["MF (ALS)"] < rmse["biases"] - 0.01, rmse


@pytest.mark.real_data
def test_the_recorded_movielens_statistics_are_those_of_the_cached_file():
    from fusionlab.data import load_movielens_100k

    measured = rating_statistics(load_movielens_100k(download=False))
    for key, value in REAL.items():
        np.testing.assert_allclose(measured[key], value, atol=6e-4 if isinstance(value, float) and value < 1 else 0.0051,
                                   err_msg=key)
