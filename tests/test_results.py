"""fusionlab.results: the schema of book/results/*.json, and every number a chapter quotes from them.

A chapter quotes a results file only through ``glue_results(record, {glue_name: path, ...})``
with a literal dict, after ``load_results("NAME")``. These tests read the notebooks' code (no
execution), check that every quoted path leads to a number in the committed file, and that every
``res_*`` glue name the prose uses is one of those quotes.
"""

from __future__ import annotations

import ast
import json
import re
from numbers import Real
from pathlib import Path

import pytest

from fusionlab.results import (KEYS, benchmark_command, figure, iter_numbers, load_results, make_results, markdown_table,
                               run_dataset_record, source_line, stand_in_record, validate_results, write_results)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "book" / "results"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FILES = sorted(RESULTS.glob("*.json"))


def _record(**changes):
    record = make_results("demo_run", {"accuracy": 0.5, "runs": [{"epochs": 3}]}, command="python benchmarks/demo.py",
                          dataset=stand_in_record("digits", "scikit-learn's digits"))
    record.update(changes)
    return record


def test_benchmark_command_quotes_the_arguments_it_was_given():
    assert benchmark_command("cnn_cifar10.py", ["--widths", "16,32,64", "--output", "/tmp/a b"]) == (
        "python benchmarks/cnn_cifar10.py --widths 16,32,64 --output '/tmp/a b'")
    assert benchmark_command("scale.py", []) == "python benchmarks/scale.py"


def test_run_dataset_record_names_the_stand_in_it_used(tmp_path, monkeypatch):
    from fusionlab.data import load_image_dataset
    from fusionlab.data.registry import DatasetUnavailable

    digits = load_image_dataset(prefer="digits", verbose=False)
    record = run_dataset_record("cifar10", digits)
    assert record["stand_in"] is True and record["checksum"] is None
    assert record["note"] == f"{digits.describe()}; a stand-in, not cifar10"
    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))  # an empty cache: the real record cannot be made up
    with pytest.raises(DatasetUnavailable, match="cifar10 is not available"):
        run_dataset_record("cifar10")


def _cells(notebook: Path, kind: str) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == kind]


def _quotes(notebook: Path):
    """(results names loaded, {glue name: (results name, path)}) from the notebook's code cells.

    Each ``glue_results(record, {...})`` must quote a ``record`` bound by
    ``record = load_results("NAME")``, so that each quote's source file is unambiguous.
    """
    loaded, quotes = {}, {}
    for source in _cells(notebook, "code"):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "load_results":
                loaded[node.targets[0].id] = ast.literal_eval(node.value.args[0])
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue_results":
                record = getattr(node.args[0], "id", None)
                assert record in loaded, f"{notebook.name}: glue_results({record}, ...) needs {record} = load_results('NAME') before it"
                quotes.update({name: (loaded[record], path) for name, path in ast.literal_eval(node.args[1]).items()})  # a literal dict
    return set(loaded.values()), quotes


def test_the_benchmarks_results_are_committed():
    assert {path.stem for path in FILES} >= {"cnn_cifar10", "recsys_movielens"}


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_results_file_follows_the_schema(path):
    record = load_results(path.stem, RESULTS)  # validates
    assert tuple(record) == KEYS
    assert record["dataset"]["stand_in"] is False, "committed results come from real data"
    assert any(True for _ in iter_numbers(record["figures"]))
    assert path.read_text().endswith("\n")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_number_the_prose_quotes_exists_in_its_results_file(notebook):
    _, quotes = _quotes(notebook)
    prose = "\n".join(_cells(notebook, "markdown"))
    used = set(re.findall(r"\{glue(?::text|:md)?\}`(res_[A-Za-z0-9_]+)", prose))
    assert used <= set(quotes), f"prose quotes {sorted(used - set(quotes))} without glue_results"
    if not quotes:
        return
    for glue_name, (results, path) in quotes.items():
        assert glue_name.startswith("res_"), glue_name
        value = figure(load_results(results, RESULTS), *path)
        assert isinstance(value, Real) and not isinstance(value, bool), (glue_name, results, path, value)
    assert set(quotes) <= used, f"glued but never quoted: {sorted(set(quotes) - used)}"


def test_chapters_4_1_and_4_2_show_full_size_results():
    for stem, results in (("04_1_cnn_image_recognition", "cnn_cifar10"), ("04_2_recommender", "recsys_movielens"),
                           ("04_2_recommender", "recsys_frontier")):
        names, quotes = _quotes(ROOT / "notebooks" / f"{stem}.ipynb")
        assert results in names and quotes, stem
        assert "Full-size results" in "\n".join(_cells(ROOT / "notebooks" / f"{stem}.ipynb", "markdown"))


def test_write_and_load_round_trip(tmp_path):
    record = _record()
    path = write_results(record, tmp_path)
    assert path == tmp_path / "demo_run.json" and load_results("demo_run", tmp_path) == record
    assert not list(tmp_path.glob(".*.part")), "no partial file is left behind"
    assert figure(record, "runs", 0, "epochs") == 3
    assert [(path, value) for path, value in iter_numbers(record["figures"])] == [(("accuracy",), 0.5), (("runs", 0, "epochs"), 3)]
    assert "on 20" in source_line(record) and "the stand-in digits" in source_line(record)


def test_markdown_table_formats_and_marks_missing_values():
    table = markdown_table([("a", {"x": 0.12345}), ("b", {})], {"X": ("x", ".2f")})
    assert table.splitlines() == ["| model | X |", "|---|---:|", "| a | 0.12 |", "| b | – |"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schema": 2}, r"schema must be 1; got schema=2"),
        ({"date": "yesterday"}, r"date must be an ISO 8601 date and time in UTC"),
        ({"date": "2026-12-01T10:00:00+02:00"}, r"date must be an ISO 8601 date and time in UTC"),
        ({"cpu_count": 0}, r"cpu_count must be a positive int"),
        ({"packages": {"numpy": "2.4.6"}}, r"packages must be versions of at least numpy and scikit-learn"),
        ({"figures": {}}, r"figures must be a non-empty dict"),
        ({"figures": {"accuracy": float("nan")}}, r"figures.accuracy must be a finite number"),
        ({"command": " "}, r"command must be the command that reruns the benchmark"),
    ],
)
def test_bad_records_are_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match=message):
        validate_results(_record(**changes))


def test_bad_dataset_records_are_refused():
    with pytest.raises(ValueError, match=r"dataset must be a dict with exactly the keys"):
        validate_results(_record(dataset={"name": "x"}))
    real = {"name": "cifar10", "stand_in": False, "checksum": None, "content_sha256": None, "note": "read from a folder"}
    with pytest.raises(ValueError, match=r"a checksum or content_sha256 for real data"):
        validate_results(_record(dataset=real))
    with pytest.raises(ValueError, match=r"dataset.checksum must be null or 'md5:'"):
        validate_results(_record(dataset={**real, "checksum": "abc"}))
    with pytest.raises(ValueError, match=r"record keys must be exactly"):
        validate_results({key: value for key, value in _record().items() if key != "platform"})
    with pytest.raises(ValueError, match=r"name must be 'other' \(the file's stem\)"):
        validate_results(_record(), name="other")
    with pytest.raises(TypeError, match=r"record must be a dict"):
        validate_results([])


def test_missing_file_and_missing_figure_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No results file .*nothing\.json\. Run the benchmark"):
        load_results("nothing", tmp_path)
    with pytest.raises(KeyError, match=r"demo_run.json has no figures/runs/0/loss: nothing at 'loss' under runs/0"):
        figure(_record(), "runs", 0, "loss")
