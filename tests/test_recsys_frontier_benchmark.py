"""benchmarks/recsys_frontier.py: its split, and each section end to end on generated ml-100k files
(never real data), with small models so that the smoke run takes seconds."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import pytest
from data_fixtures import make_movielens_archive

from fusionlab.recsys import ALSMF, BiasedMF, EASE, ImplicitALS, Popularity
from fusionlab.results import load_results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def frontier():
    spec = importlib.util.spec_from_file_location("recsys_frontier_benchmark", ROOT / "benchmarks" / "recsys_frontier.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def movielens_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ml")
    archive, _ = make_movielens_archive(folder, n_users=40, n_items=30, n_ratings=600)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(folder)
    return folder / "ml-100k"


def test_stratified_split_keeps_round_three_quarters_of_each_user(frontier):
    users = np.repeat(np.arange(5), [1, 2, 4, 7, 10])
    train, test = frontier.stratified_split(users, 0.75, random_state=3)
    assert np.intersect1d(train, test).size == 0 and np.union1d(train, test).size == users.size
    np.testing.assert_array_equal(np.bincount(users[train], minlength=5), np.rint(0.75 * np.array([1, 2, 4, 7, 10])))
    again, _ = frontier.stratified_split(users, 0.75, random_state=3)
    other, _ = frontier.stratified_split(users, 0.75, random_state=4)
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)


def test_rating_section_runs_and_writes_the_common_schema(frontier, movielens_folder, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(frontier, "rating_models", lambda random_state=0: {"MF (SGD)": BiasedMF(n_factors=4, n_epochs=3, random_state=0), "MF (ALS)": ALSMF(n_factors=3, n_epochs=2, random_state=0)})
    figures = frontier.run_rating(movielens_folder, folds=(1, 2), validate=False)
    assert set(figures["per_fold"]["MF (SGD)"]) == {"u1", "u2"}
    assert all(0 < row["rmse"] < 4 for rows in figures["per_fold"].values() for row in rows.values())
    record = frontier.write_section("rating", figures, movielens_folder, tmp_path, ["rating", str(movielens_folder)])
    saved = load_results("recsys_frontier", tmp_path)  # validates the schema of fusionlab.results
    assert saved == record and saved["dataset"]["stand_in"] is False and saved["figures"]["rating"]["command"].endswith("rating ml-100k/")
    assert record["figures"]["rating"]["summary"]["MF (SGD)"]["u1_rmse"] == pytest.approx(figures["per_fold"]["MF (SGD)"]["u1"]["rmse"])
    again = frontier.write_section("speed", {"note": "another section"}, movielens_folder, tmp_path, ["speed", str(movielens_folder)])
    assert set(again["figures"]) == {"rating", "speed"}  # a section is added, the others are kept
    assert "u1 RMSE" in capsys.readouterr().out


def test_interactions_are_ones_or_stars_over_their_mean(frontier, movielens_folder):
    data = frontier.load_movielens_100k(movielens_folder, download=False)
    index = np.arange(0, data.ratings.size, 2)
    binary, rating = frontier._interactions(data, index, "binary"), frontier._interactions(data, index, "rating")
    assert binary.nnz == rating.nnz == index.size and np.all(binary.data == 1)
    assert rating.data.mean() == pytest.approx(1.0)
    stars = np.asarray(data.ratings, dtype=float)[index]
    assert rating[data.user_ids[index[0]], data.item_ids[index[0]]] == pytest.approx(stars[0] / stars.mean())


def test_ranking_section_chooses_on_validation_and_scores_the_fusion(frontier, movielens_folder, monkeypatch):
    monkeypatch.setattr(frontier, "EASE_L2_GRID", (5.0, 50.0))
    monkeypatch.setattr(frontier, "IALS_GRID", [("binary", 4, 1.0, 1.0), ("rating", 4, 1.0, 1.0)])
    models = lambda l2, ials, binary: {"popularity": Popularity, "implicit ALS (validated)": lambda: ImplicitALS(n_factors=4, n_epochs=2, random_state=0),
                                       "EASE (validated)": lambda: EASE(l2=l2)}
    monkeypatch.setattr(frontier, "ranking_models", models)
    figures = frontier.run_ranking(movielens_folder, seeds=(42, 0))
    assert figures["chosen"]["ease_l2"] in (5.0, 50.0) and figures["chosen"]["fusion_weight"] in frontier.BLEND_GRID
    # two stages: both coarse points, then the best one's 8 neighbours in (reg, alpha)
    assert len(figures["validation"]["ials"]) == 2 + 8 and figures["chosen"]["ials"]["weighting"] in ("binary", "rating")
    chosen = figures["chosen"]["ials"]
    assert figures["validation"]["ials"][frontier._ials_label(*chosen.values())] == max(figures["validation"]["ials"].values())
    assert set(figures["test"]) == {"popularity", "implicit ALS (validated)", "EASE (validated)", "fusion: EASE + implicit ALS"}
    assert all(0 <= row["ndcg@10"] <= 1 for row in figures["test"].values())
    assert set(figures["other_split_seeds"]) == {"seed 0"} and figures["search_s"] > 0
    assert figures["other_split_seeds_summary"]["EASE"]["mean"] == figures["other_split_seeds"]["seed 0"]["EASE"]


def test_summarise_splits_gives_count_mean_and_range(frontier):
    summary = frontier.summarise_splits({"seed 0": {"a": 0.4, "b": 0.1}, "seed 1": {"a": 0.5, "b": 0.3}})
    assert summary["n_splits"] == 2 and summary["a"] == pytest.approx({"mean": 0.45, "min": 0.4, "max": 0.5})
    assert summary["b"]["max"] == pytest.approx(0.3) and frontier.summarise_splits({}) == {"n_splits": 0}


def test_speed_section_times_both_solvers_against_the_references(frontier, movielens_folder):
    figures = frontier.run_speed(movielens_folder, sizes=("100k",), repeats=1, n_factors=4, n_epochs=2)
    row = figures["implicit_als"]["100k"]
    assert row["n_ratings"] == 100_000
    for solver in frontier.SOLVERS:
        assert row[f"fusionlab_{solver}_3_epochs_s"] > 0 and np.isfinite(row[f"fusionlab_{solver}_per_iteration_cpu_s"])
        if importlib.util.find_spec("implicit"):  # a difference of tiny timings: its sign is noise here
            assert np.isfinite(row[f"ratio_{solver}"]) and np.isfinite(row[f"cpu_ratio_{solver}"])
    assert "fusionlab BiasedMF, Numba, batch 1024 (default)" in figures["sgd_mf"]
