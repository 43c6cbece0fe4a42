"""benchmarks/trust.py: a clear exit without CIFAR-10, and its whole code path on the stand-in."""

from __future__ import annotations

import json

import pytest
from benchmark_modules import load_benchmark


def _benchmark():
    return load_benchmark("trust")


def test_benchmark_exits_with_instructions_when_cifar10_is_not_cached(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        _benchmark().main([])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert "CIFAR-10 is not cached" in message and "--stand-in" in message


def test_benchmark_writes_a_schema_1_record_on_the_stand_in(tmp_path, capsys):
    output = tmp_path / "trust.json"
    arguments = ["--stand-in", "--n-train", "300", "--n-test", "100", "--dp-epochs", "1", "--lot", "50", "--overfit-epochs", "1",
                 "--rounds", "1", "--local-epochs", "1", "--cnn-train", "100", "--cnn-epochs", "1", "--n-attack", "10",
                 "--n-explain", "2", "--output", str(output)]
    assert _benchmark().main(arguments) == 0
    assert "NOT CIFAR-10 numbers" in capsys.readouterr().out
    record = json.loads(output.read_text())
    assert set(record) == {"schema", "name", "command", "date", "cpu_count", "platform", "packages", "dataset", "figures"}
    assert record["schema"] == 1 and record["name"] == "trust" and record["dataset"]["stand_in"] is True
    assert record["command"].startswith("python benchmarks/trust.py --stand-in")
    figures = record["figures"]
    assert [row["epsilon"] for row in figures["dp_sgd"]][-1] == "inf" and len(figures["dp_sgd"]) == 5
    assert figures["robust_accuracy"]["epsilons_255"][0] == 0 and len(figures["robust_accuracy"]["PGD-10"]) == 7
    assert figures["sanity_check"]["absolute"]["passed"]["edge_detector"] is False
    assert {"dp-accounting", "shap", "numpy"} <= set(record["packages"])
