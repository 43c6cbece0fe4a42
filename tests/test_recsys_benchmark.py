"""benchmarks/recsys.py runs end to end on generated data in the exact ml-100k format (never real data)."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from benchmark_modules import load_benchmark
from data_fixtures import make_movielens_archive


@pytest.fixture(scope="module")
def benchmark():
    return load_benchmark("recsys")


def test_benchmark_reads_the_five_official_folds(benchmark, tmp_path, capsys):
    archive, table = make_movielens_archive(tmp_path, n_users=40, n_items=30, n_ratings=600)
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path)
    summary = benchmark.run_movielens(tmp_path / "ml-100k")
    output = capsys.readouterr().out
    assert {"item kNN (baseline)", "MF (SGD)", "MF (ALS)"} <= set(summary)
    assert all(np.isfinite(error) and 0 < error < 4 for error, _ in summary.values())
    assert output.count("fold u") >= 15 and "mean RMSE over the five folds" in output
    assert "target 0.93" in output and "target 0.92" in output


def test_benchmark_synthetic_smoke_size(benchmark, capsys):
    rows = benchmark.run_synthetic(["10k"])
    assert [row["model"] for row in rows] == ["item kNN (baseline)", "MF (SGD)", "MF (ALS)"]
    assert all(row["peak_mb"] > 0 and row["rmse"] < 1.2 for row in rows)
    assert "dense would be" in capsys.readouterr().out
