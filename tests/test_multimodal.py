"""fusionlab.multimodal and the content of the ratings data: the FM against a brute-force oracle,
features, the cold-start fallback, late fusion, the warm/cold split, and the planted content
effects of the stand-in (content must genuinely help there, and only because it is informative)."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest

from fusionlab.data import load_movielens_100k, make_synthetic_ratings
from fusionlab.data.content import MOVIELENS_GENRE_SHARES
from fusionlab.multimodal import (YEAR_BANDS, ColdStartWarning, FactorizationMachine, LateFusion, SideInformation,
                                  cold_item_split, evaluate_warm_cold, fm_predict, title_years)
from fusionlab.recsys import rmse

CONTENT = ("user", "genres", "title", "year", "demographics")


@pytest.fixture(scope="module")
def small():
    return make_synthetic_ratings(n_users=300, n_items=400, n_ratings=24_000, random_state=1)


@pytest.fixture(scope="module")
def side(small):
    return SideInformation.from_ratings(small)


def test_fm_identity_equals_the_pairwise_double_sum():
    rng = np.random.default_rng(0)
    X, w, V = rng.normal(size=(5, 7)), rng.normal(size=7), rng.normal(size=(7, 3))
    brute = np.array([0.3 + x @ w + sum((V[i] @ V[j]) * x[i] * x[j] for i in range(7) for j in range(i + 1, 7)) for x in X])
    np.testing.assert_allclose(fm_predict(X, 0.3, w, V), brute, rtol=1e-12)
    import scipy.sparse as sp

    np.testing.assert_allclose(fm_predict(sp.csr_matrix(X), 0.3, w, V), brute, rtol=1e-12)


def test_side_information_blocks_and_encoding(small, side):
    assert side.blocks["genres"].shape == (400, 19) and side.blocks["demographics"].shape[0] == 300
    for block in side.blocks.values():
        np.testing.assert_allclose(np.asarray(block.sum(axis=1)).ravel(), 1.0)  # every row normalised
    known = np.zeros(400, bool)
    known[:10] = True
    X = side.encode(np.array([0, 1]), np.array([5, 50]), ("user", "item", "genres"), known_items=known)
    assert X.shape == (2, 300 + 400 + 19)
    assert X[0, 300 + 5] == 1 and X[1, 300:700].sum() == 0  # the unseen film has no id feature
    assert list(title_years(["Toy Story (1995)", "unknown", "Heat (1995) "])) == [1995, 0, 1995]
    assert side.blocks["year"].shape == (400, len(YEAR_BANDS))
    with pytest.raises(ValueError, match=r"groups must be names from"):
        side.encode(np.array([0]), np.array([0]), ("user", "plot"))
    with pytest.raises(ValueError, match=r"data must be ratings with titles, genres, ages"):
        SideInformation.from_ratings(replace(small, user_ages=None))


def test_pure_cf_falls_back_to_mean_plus_user_bias_on_cold_films_and_says_so(small, side):
    train = ~np.isin(small.item_ids, [3, 4])
    cf = FactorizationMachine(side, groups=("user", "item"), n_epochs=2, random_state=0)
    cf.fit(small.user_ids[train], small.item_ids[train], small.ratings[train])
    with pytest.warns(ColdStartWarning, match=r"2 film\(s\) in 2 pair\(s\) have no training ratings: collaborative filtering cannot "
                                              r"score them and falls back to the global mean plus the user's bias"):
        cold = cf.predict([7, 7], [3, 4], clip=False)
    assert cold[0] == cold[1] == pytest.approx(cf.w0_ + cf.w_[7])  # w0 + w_user, the same for every cold film
    content = FactorizationMachine(side, groups=CONTENT, n_epochs=2, random_state=0).fit(small.user_ids[train], small.item_ids[train], small.ratings[train])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scored = content.predict([7, 7], [3, 4])
    assert scored[0] != scored[1]  # content tells cold films apart
    with pytest.raises(ValueError, match=r"item_ids must be indices in \[0, 399\]"):
        cf.predict([0], [400])
    with pytest.raises(ValueError, match=r"groups must be distinct names from"):
        FactorizationMachine(side, groups=("user", "user")).fit([0], [0], [3.0])
    with pytest.raises(TypeError, match=r"side must be a fusionlab.multimodal.SideInformation"):
        FactorizationMachine(None).fit([0], [0], [3.0])


def test_cold_item_split_holds_out_whole_films(small):
    split = cold_item_split(small, cold_fraction=0.1, random_state=0)
    parts = [split[name] for name in ("train", "validation", "warm_test", "cold_test")]
    assert sum(part.size for part in parts) == small.n_ratings and np.unique(np.concatenate(parts)).size == small.n_ratings
    assert set(np.unique(small.item_ids[split["cold_test"]])) == set(split["cold_items"])
    for name in ("train", "validation", "warm_test"):
        assert not np.isin(small.item_ids[split[name]], split["cold_items"]).any()


def test_late_fusion_uses_content_alone_on_cold_films_and_picks_kappa_on_validation(small, side):
    split = cold_item_split(small, random_state=0)
    triple = lambda index: (small.user_ids[index], small.item_ids[index], small.ratings[index])  # noqa: E731
    late = LateFusion(FactorizationMachine(side, groups=("user", "item"), n_epochs=3, random_state=0),
                      FactorizationMachine(side, groups=CONTENT, n_epochs=3, random_state=0), kappas=(0, 10, 1e9))
    late.fit(*triple(split["train"]), validation=triple(split["validation"]))
    users, items, _ = triple(split["cold_test"][:50])
    np.testing.assert_allclose(late.predict(users, items), late.content_.predict(users, items))
    assert late.kappa_ == min(late.validation_rmse_, key=late.validation_rmse_.get) and set(late.validation_rmse_) == {0, 10, 1e9}
    with pytest.raises(ValueError, match=r"validation must be a \(user_ids, item_ids, ratings\) triple"):
        late.fit(*triple(split["train"]))


def test_planted_content_helps_on_cold_films_and_only_because_it_is_informative(small):
    split = cold_item_split(small, cold_fraction=0.15, random_state=0)
    shuffled = np.random.default_rng(0).permutation(small.n_items)
    scrambled = replace(small, item_genres=small.item_genres[shuffled], item_titles=[small.item_titles[i] for i in shuffled])
    options = dict(n_epochs=8, random_state=0)
    results = {}
    for name, data in (("planted", small), ("scrambled", scrambled)):
        side = SideInformation.from_ratings(data)
        models = {"CF": FactorizationMachine(side, groups=("user", "item"), **options), "content": FactorizationMachine(side, groups=CONTENT, **options)}
        results[name] = evaluate_warm_cold(models, data, split, n_ranking_users=50, verbose=False)
    planted, scrambled_results = results["planted"], results["scrambled"]
    assert planted["content"]["cold"]["rmse"] < planted["CF"]["cold"]["rmse"] - 0.02, planted
    assert scrambled_results["content"]["cold"]["rmse"] > planted["content"]["cold"]["rmse"] + 0.01, scrambled_results
    assert set(planted["CF"]) == {"fit_time_s", "model", "warm", "cold"} and set(planted["CF"]["cold"]) == {"rmse", "ndcg@10", "n_users"}


def test_the_stand_in_has_content_with_planted_effects_and_unchanged_ratings():
    data = make_synthetic_ratings(random_state=0)
    assert data.has_content and len(data.item_titles) == 1682 and data.item_genres.shape == (1682, 19)
    np.testing.assert_allclose(data.item_genres.mean(axis=0), MOVIELENS_GENRE_SHARES, atol=0.03)  # MovieLens's genre shares
    assert 30 < data.user_ages.mean() < 38 and 0.6 < np.mean(data.user_genders == "M") < 0.8
    assert np.bincount(data.user_occupations, minlength=21).argmax() == data.occupation_names.index("student")
    # genres carry information about the planted taste: least squares on them explains the first factor
    design = np.column_stack([np.ones(1682), data.item_genres])
    coefficients, *_ = np.linalg.lstsq(design, data.item_factors[:, 0], rcond=None)
    explained = 1 - np.var(data.item_factors[:, 0] - design @ coefficients) / np.var(data.item_factors[:, 0])
    assert explained > 0.3, explained
    # older films have higher planted item biases (as on MovieLens, where the old films still rated are classics)
    years = title_years(data.item_titles)
    assert years.min() >= 1922 and years.max() <= 1998
    assert np.corrcoef(years, data.item_bias)[0, 1] < -0.2
    without = make_synthetic_ratings(n_users=200, n_items=300, n_ratings=6000, random_state=5)
    again = make_synthetic_ratings(n_users=200, n_items=300, n_ratings=6000, random_state=5)
    np.testing.assert_array_equal(without.ratings, again.ratings)
    assert without.item_titles == again.item_titles


def test_movielens_loader_reads_users_and_occupations(tmp_path):
    import zipfile

    from data_fixtures import OCCUPATIONS, make_movielens_archive

    archive, _ = make_movielens_archive(tmp_path)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path)
    data = load_movielens_100k(tmp_path / "ml-100k")
    assert data.has_content and data.occupation_names == OCCUPATIONS
    assert data.user_ages[0] == 19 and data.user_genders[2] == "F" and data.occupation_names[data.user_occupations[0]] == OCCUPATIONS[1]
    (tmp_path / "ml-100k" / "u.user").write_text("1|24|M|astronaut|85711\n")
    from fusionlab.data import DatasetCorrupt

    with pytest.raises(DatasetCorrupt, match=r"u.user has a line that is not 'id\|age\|gender\|occupation\|zip'"):
        load_movielens_100k(tmp_path / "ml-100k")
    (tmp_path / "ml-100k" / "u.user").unlink()
    with pytest.raises(ValueError, match=r"It lacks \['u.user'\]"):
        load_movielens_100k(tmp_path / "ml-100k")


@pytest.mark.real_data
def test_movielens_users_from_the_real_cache():
    data = load_movielens_100k(download=False)
    assert data.has_content and len(data.occupation_names) == 21
    assert np.sum(data.user_genders == "M") == 670 and data.user_ages.min() == 7 and data.user_ages.max() == 73
    assert data.item_titles[0] == "Toy Story (1995)"
