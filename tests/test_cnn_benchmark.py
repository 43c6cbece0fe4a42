"""benchmarks/cnn_cifar10.py: a clear exit without CIFAR-10, and its whole code path on the stand-in."""

from __future__ import annotations

import pytest
from benchmark_modules import load_benchmark

from fusionlab.results import load_results


def _benchmark():
    return load_benchmark("cnn_cifar10")


def test_benchmark_exits_with_instructions_when_cifar10_is_not_available(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        _benchmark().main([])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert "CIFAR-10 is not available" in message
    assert "python -m fusionlab.data download cifar10" in message and "--stand-in" in message


def test_benchmark_runs_end_to_end_on_the_stand_in(tmp_path, capsys):
    code = _benchmark().main(["--stand-in", "--epochs", "2", "--widths", "4,8,16", "--fast-widths", "4,8", "--output", str(tmp_path)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "NOT CIFAR-10 numbers" in printed and "Targets not checked" in printed
    record = load_results("cnn_cifar10", tmp_path)  # validates the schema
    assert record["dataset"]["stand_in"] is True and record["dataset"]["checksum"] is None
    assert record["command"].startswith("python benchmarks/cnn_cifar10.py --stand-in --epochs 2")
    assert record["figures"]["targets_fast"] == {"1": 0.74, "3": 0.80}
    results = record["figures"]["runs"]
    assert [r["model"] for r in results] == ["article's CNN", "improved 4,8,16 (1x time)", "improved 4,8,16 (2x time)",
                                             "fast 4,8 (1x time)", "fast 4,8 (3x time)"]
    seed, once, twice, fast_once, fast_thrice = results
    assert seed["epochs"] == 2 and seed["parameters"] == 122_570 and seed["setup_s"] == 0.0
    assert once["stopped_by"] == twice["stopped_by"] == fast_once["stopped_by"] == fast_thrice["stopped_by"] == "time_budget"
    assert once["train_s"] >= seed["train_s"] and twice["train_s"] >= 2 * seed["train_s"]
    assert fast_once["train_s"] >= seed["train_s"] and fast_thrice["train_s"] >= 3 * seed["train_s"]  # whitening counted
    assert fast_once["setup_s"] > 0 and fast_once["widths"] == [4, 8] and fast_once["test_time_flips"] is False  # digits
    assert all(0.0 <= r["test_accuracy"] <= 1.0 and r["images_per_second"] > 0 for r in results)


def test_benchmark_accepts_an_extracted_folder_without_the_archive(tmp_path, monkeypatch, capsys):
    """One definition of 'available': a complete cifar-10-batches-bin/ is enough (issue 9)."""
    from data_fixtures import make_cifar10_archive, point_registry

    from fusionlab.data import extracted

    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path / "cache"))
    archive, _ = make_cifar10_archive(tmp_path)
    point_registry(monkeypatch, "cifar10", archive)
    folder = extracted("cifar10")  # copies the archive into the cache and extracts it
    (tmp_path / "cache" / "cifar-10-binary.tar.gz").unlink()
    dataset = _benchmark().load_data(stand_in=False)
    assert folder.is_dir() and dataset.name == "CIFAR-10"
