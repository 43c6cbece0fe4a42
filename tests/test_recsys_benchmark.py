"""benchmarks/recsys.py runs end to end on generated data in the exact ml-100k format (never real
data), and its ranking protocol (split and metrics) matches microsoft/recommenders' definitions,
checked against brute-force loops written from those definitions."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pytest
from benchmark_modules import load_benchmark
from data_fixtures import make_movielens_archive

from fusionlab.results import load_results


@pytest.fixture(scope="module")
def benchmark():
    return load_benchmark("recsys")


def test_benchmark_reads_the_five_official_folds(benchmark, tmp_path, capsys):
    archive, table = make_movielens_archive(tmp_path, n_users=40, n_items=30, n_ratings=600)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path)
    summary = benchmark.run_movielens(tmp_path / "ml-100k")
    output = capsys.readouterr().out
    assert {"biases", "item kNN (baseline)", "MF (SGD)", "MF (ALS)"} <= set(summary)
    assert all(np.isfinite(row["rmse"]) and 0 < row["rmse"] < 4 and len(row["rmse_folds"]) == 5 for row in summary.values())
    assert output.count("fold u") >= 20 and "mean RMSE over the five folds" in output
    assert "target 0.93" in output and "target 0.92" in output


def test_benchmark_writes_a_valid_results_file(benchmark, tmp_path, monkeypatch, capsys):
    """The whole movielens command on a generated folder, NeuMF swapped for a fast stand-in entry."""
    archive, _ = make_movielens_archive(tmp_path, n_users=40, n_items=30, n_ratings=600)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path)
    fast = {name: entry for name, entry in benchmark.RANKING_MODELS.items() if name != "NeuMF"}
    monkeypatch.setattr(benchmark, "RANKING_MODELS", fast)
    assert benchmark.main(["movielens", str(tmp_path / "ml-100k"), "--seeds", "0", "1", "--output", str(tmp_path / "out")]) == 0
    record = load_results("recsys_movielens", tmp_path / "out")
    assert record["dataset"]["stand_in"] is False and record["dataset"]["content_sha256"].startswith("sha256:")
    assert "given explicitly" in record["dataset"]["note"]
    ranking = record["figures"]["ranking"]
    assert set(ranking["models"]) == set(fast) and ranking["seeds"] == [0, 1]
    assert all(0 <= row["ndcg@10"] <= 1 and row["ndcg@10_std"] >= 0 for row in ranking["models"].values())
    assert record["figures"]["rating"]["models"]["biases"]["rmse"] > 0
    assert "Results written to" in capsys.readouterr().out


def test_adding_a_model_to_the_tables_is_one_entry(benchmark):
    from fusionlab.recsys import Popularity

    models = {"most rated": (lambda seed: Popularity(), "interactions")}
    from fusionlab.data import make_synthetic_ratings

    data = make_synthetic_ratings(n_users=60, n_items=80, n_ratings=1_500, random_state=0)
    ranking = benchmark.run_ranking(data, seeds=(0,), models=models)
    assert list(ranking["models"]) == ["most rated"] and ranking["models"]["most rated"]["fitted_on"] == "interactions"
    assert all(callable(factory) and fitted_on in {"interactions", "ratings"} for factory, fitted_on in benchmark.RANKING_MODELS.values())
    assert all(callable(factory) for factory in benchmark.RATING_MODELS.values())


def test_stratified_split_keeps_round_three_quarters_of_each_user(benchmark):
    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(12), [1, 2, 3, 4, 5, 6, 10, 22, 26, 30, 41, 7])
    users = users[rng.permutation(users.size)]
    train, test = benchmark.stratified_split(users, 0.75, random_state=3)
    assert np.array_equal(np.sort(np.r_[train, test]), np.arange(users.size))
    for user in range(12):
        n = int(np.sum(users == user))
        assert np.sum(users[train] == user) == round(0.75 * n), (user, n)  # Python's round: 26 -> 20, 22 -> 16
    again, _ = benchmark.stratified_split(users, 0.75, random_state=3)
    other, _ = benchmark.stratified_split(users, 0.75, random_state=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def _oracle(recommended, relevant, k):
    """microsoft/recommenders' ranking metrics, one user at a time, as their docstrings define them."""
    rows = []
    for row, truth in zip(recommended, relevant):
        truth = set(int(item) for item in truth)
        hits = [int(row[j]) in truth for j in range(k)]
        precisions = [sum(hits[: j + 1]) / (j + 1) for j in range(k)]
        dcg = sum(1 / math.log(1 + j + 1) for j in range(k) if hits[j])  # natural log, as their default
        ideal = sum(1 / math.log(1 + j + 1) for j in range(min(k, len(truth))))
        ap = sum(p for p, h in zip(precisions, hits) if h)
        rows.append((sum(hits) / k, sum(hits) / len(truth), dcg / ideal, ap / min(k, len(truth)), ap / len(truth)))
    return dict(zip(["precision@10", "recall@10", "ndcg@10", "map@10", "map"], np.mean(rows, axis=0)))


def test_ranking_metrics_equal_a_brute_force_oracle(benchmark):
    rng = np.random.default_rng(0)
    n_users, n_items, k = 50, 40, 10
    recommended = np.array([rng.permutation(n_items)[:k] for _ in range(n_users)])
    relevant = [rng.choice(n_items, size=rng.integers(1, 25), replace=False) for _ in range(n_users)]
    measured = benchmark.ranking_metrics(recommended, relevant, k)
    expected = _oracle(recommended, relevant, k)
    assert set(measured) == set(expected)
    for key, value in expected.items():
        assert measured[key] == pytest.approx(value, abs=1e-12), key
    assert measured["map"] < measured["map@10"]  # users with more than 10 relevant items


def test_benchmark_synthetic_smoke_size(benchmark, capsys):
    rows = benchmark.run_synthetic(["10k"])
    assert [row["model"] for row in rows] == ["item kNN (baseline)", "MF (SGD)", "MF (ALS)"]
    assert all(row["peak_mb"] > 0 and row["rmse"] < 1.3 for row in rows)
    assert "dense would be" in capsys.readouterr().out
