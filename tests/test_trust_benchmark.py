"""benchmarks/trust.py: a clear exit without CIFAR-10, and its whole code path on the stand-in."""

from __future__ import annotations

from benchmark_modules import exit_without_data, load_benchmark

from fusionlab.results import KEYS, load_results


def _benchmark():
    return load_benchmark("trust")


def test_benchmark_exits_with_instructions_when_cifar10_is_not_available(tmp_path, monkeypatch, capsys):
    code, message = exit_without_data("trust", [], tmp_path, monkeypatch, capsys)
    assert code == 2
    assert "CIFAR-10 is not available" in message and "python -m fusionlab.data download cifar10" in message
    assert "--stand-in" in message


def test_benchmark_writes_a_valid_results_record_on_the_stand_in(tmp_path, capsys):
    arguments = ["--stand-in", "--n-train", "300", "--n-test", "100", "--dp-epochs", "1", "--lot", "50", "--overfit-epochs", "1",
                 "--rounds", "1", "--local-epochs", "1", "--cnn-train", "100", "--cnn-epochs", "1", "--n-attack", "10",
                 "--n-explain", "2", "--output", str(tmp_path)]
    assert _benchmark().main(arguments) == 0
    assert "NOT CIFAR-10 numbers" in capsys.readouterr().out
    record = load_results("trust", tmp_path)  # validates the schema
    assert tuple(record) == KEYS
    assert record["schema"] == 1 and record["name"] == "trust" and record["dataset"]["stand_in"] is True
    assert record["command"].startswith("python benchmarks/trust.py --stand-in")
    figures = record["figures"]
    assert [row["epsilon"] for row in figures["dp_sgd"]][-1] == "inf" and len(figures["dp_sgd"]) == 5
    assert figures["robust_accuracy"]["epsilons_255"][0] == 0 and len(figures["robust_accuracy"]["PGD-10"]) == 7
    assert figures["sanity_check"]["absolute"]["passed"]["edge_detector"] is False
    assert {"dp-accounting", "shap", "numpy"} <= set(record["packages"])


def test_a_stand_in_run_writes_nothing_without_output(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUSIONLAB_RESULTS", str(tmp_path))
    benchmark = _benchmark()  # the measurements replaced by fixed figures: only the writing is under test
    monkeypatch.setattr(benchmark, "dp_and_membership", lambda dataset, arguments: ({"rows": [], "setup": {"n_train": 1}, "overfit": {}}, None))
    monkeypatch.setattr(benchmark, "federated", lambda dataset, arrays, arguments: {"n_clients": 10})
    monkeypatch.setattr(benchmark, "cnn_checks", lambda dataset, arguments: {"cnn": {"test_accuracy": 0.5}})
    assert benchmark.main(["--stand-in"]) == 0
    assert not list(tmp_path.iterdir()), "a stand-in run must not overwrite the committed CIFAR-10 results"
    assert benchmark.main(["--stand-in", "--output", str(tmp_path)]) == 0
    assert load_results("trust", tmp_path)["figures"]["cnn"] == {"test_accuracy": 0.5}
