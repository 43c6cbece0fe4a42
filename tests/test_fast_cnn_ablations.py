"""benchmarks/fast_cnn_ablations.py: a clear exit without CIFAR-10, and its code path on the stand-in."""

from __future__ import annotations

import pytest
from benchmark_modules import load_benchmark

from fusionlab.results import load_results


def test_ablations_exit_with_instructions_when_cifar10_is_not_available(tmp_path, monkeypatch):
    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))
    with pytest.raises(SystemExit, match=r"(?s)cifar10 is not in the cache.*python -m fusionlab.data download cifar10.*--stand-in --epochs 1 --output"):
        load_benchmark("fast_cnn_ablations").main([])


def test_stand_in_ablations_need_an_output_directory():
    with pytest.raises(SystemExit, match="--stand-in needs --output"):
        load_benchmark("fast_cnn_ablations").main(["--stand-in"])


def test_ablations_run_end_to_end_on_the_stand_in(tmp_path, capsys):
    module = load_benchmark("fast_cnn_ablations")
    assert module.main(["--stand-in", "--epochs", "0.5", "--only", "full recipe", "whitening", "dirac", "--output", str(tmp_path)]) == 0
    record = load_results("fast_cnn_ablations", tmp_path)  # validates the schema
    assert record["dataset"]["stand_in"] is True and record["command"].startswith("python benchmarks/fast_cnn_ablations.py --stand-in")
    rows = record["figures"]["rows"]
    assert [row["variant"] for row in rows] == ["full recipe", "whitening", "dirac"]
    assert rows[0]["accuracy_change"] == 0.0 and rows[1]["accuracy_change"] == rows[1]["test_accuracy"] - rows[0]["test_accuracy"]
    assert all(0.0 <= row["test_accuracy"] <= 1.0 and row["images_per_second"] > 0 for row in rows)
    assert module.main(["--stand-in", "--epochs", "0.5", "--only", "dirac", "--update", "--output", str(tmp_path)]) == 0
    updated = load_results("fast_cnn_ablations", tmp_path)
    assert [row["variant"] for row in updated["figures"]["rows"]] == ["full recipe", "whitening", "dirac"]  # the order kept
    assert updated["command"] == record["command"] and updated["figures"]["updates"][0]["variants"] == ["dirac"]
    with pytest.raises(SystemExit, match="--update needs the earlier run's epochs, 0.5; got --epochs 1.0"):
        module.main(["--stand-in", "--epochs", "1", "--only", "dirac", "--update", "--output", str(tmp_path)])
    assert set(module.ABLATIONS) >= {"whitening", "dirac", "lookahead", "label_smoothing", "translate", "flip", "float32"}
