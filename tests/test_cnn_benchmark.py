"""benchmarks/cnn_cifar10.py: a clear exit without CIFAR-10, and its whole code path on the stand-in."""

from __future__ import annotations

import json

import pytest
from benchmark_modules import load_benchmark


def _benchmark():
    return load_benchmark("cnn_cifar10")


def test_benchmark_exits_with_instructions_when_cifar10_is_not_cached(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        _benchmark().main([])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert "CIFAR-10 is not cached" in message
    assert "python -m fusionlab.data download cifar10" in message and "--stand-in" in message


def test_benchmark_runs_end_to_end_on_the_stand_in(tmp_path, capsys):
    output = tmp_path / "results.json"
    code = _benchmark().main(["--stand-in", "--epochs", "2", "--widths", "4,8,16", "--json", str(output)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "NOT CIFAR-10 numbers" in printed and "Targets not checked" in printed
    results = json.loads(output.read_text())["results"]
    assert [r["model"] for r in results] == ["article's CNN", "improved 4,8,16 (1x time)", "improved 4,8,16 (2x time)"]
    seed, once, twice = results
    assert seed["epochs"] == 2 and seed["parameters"] == 122_570
    assert once["stopped_by"] == twice["stopped_by"] == "time_budget"
    assert once["train_s"] >= seed["train_s"] and twice["train_s"] >= 2 * seed["train_s"]
    assert all(0.0 <= r["test_accuracy"] <= 1.0 and r["images_per_second"] > 0 for r in results)
