"""The notebook suite's by-products (tools/notebook_runs.py): executed notebooks the book build
reuses instead of running them again, and the measured classroom run times the instructor
guide's session plan reads from ``book/results/classroom_times.json``."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import book_build
from fusionlab.results import load_results
from tools import notebook_runs
from tools.notebook_runs import CLASSROOM_TIMES, record_classroom_times, write_executed

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _notebook():
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title"),
                      nbformat.v4.new_code_cell("x = 1\nprint(x)", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("x + 1")]
    return notebook


def test_an_executed_copy_keeps_the_code_and_gains_the_outputs(tmp_path):
    notebook = _notebook()
    outputs = {0: [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
               1: [{"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}}]}
    path = tmp_path / "demo.ipynb"
    write_executed(notebook, outputs, path)
    executed = nbformat.read(str(path), as_version=4)
    nbformat.validate(executed)
    assert [c.source for c in executed.cells] == [c.source for c in notebook.cells]
    assert executed.cells[1].outputs[0].text == "1\n" and executed.cells[2].outputs[0].data["text/plain"] == "2"
    assert [c.execution_count for c in executed.cells[1:]] == [1, 2] and executed.cells[2].outputs[0].execution_count == 2
    assert not notebook.cells[1].outputs, "the original notebook object is left as it was"


def test_a_trailing_semicolon_hides_the_value_as_in_jupyter(tmp_path):
    """nbval cannot hide a ``;``-terminated cell's value; the executed copy does, so no figure shows twice."""
    notebook = _notebook()
    notebook.cells[2].source = "plot(\n    x);  # a figure"
    figure = {"data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}, "metadata": {}}
    outputs = {1: [{"output_type": "execute_result", **figure}, {"output_type": "display_data", **figure}]}
    write_executed(notebook, outputs, tmp_path / "demo.ipynb")
    executed = nbformat.read(str(tmp_path / "demo.ipynb"), as_version=4)
    assert [out.output_type for out in executed.cells[2].outputs] == ["display_data"]
    notebook.cells[2].source = "plot(x)"  # no semicolon: Jupyter shows the value, and so does the copy
    write_executed(notebook, outputs, tmp_path / "demo.ipynb")
    executed = nbformat.read(str(tmp_path / "demo.ipynb"), as_version=4)
    assert [out.output_type for out in executed.cells[2].outputs] == ["execute_result", "display_data"]


def test_the_book_build_takes_an_executed_copy_only_while_its_code_is_unchanged(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    executed_dir = tmp_path / "executed"
    original = _notebook()
    nbformat.write(original, str(tmp_path / "notebooks" / "demo.ipynb"))
    write_executed(original, {0: [], 1: [{"output_type": "stream", "name": "stdout", "text": "2\n"}]}, executed_dir / "demo.ipynb")
    monkeypatch.setattr(book_build, "ROOT", tmp_path)
    monkeypatch.setattr(book_build, "EXECUTED_DIR", executed_dir)
    assert book_build.seed_cache(tmp_path / "cache") == ["demo"]
    from jupyter_cache import get_cache

    record = get_cache(str(tmp_path / "cache")).match_cache_notebook(nbformat.read(str(tmp_path / "notebooks" / "demo.ipynb"), as_version=4))
    assert record is not None  # what myst-nb's cache mode looks up
    original.cells[1].source = "x = 2\nprint(x)"  # the chapter changed after nbval ran it
    nbformat.write(original, str(tmp_path / "notebooks" / "demo.ipynb"))
    assert book_build.seed_cache(tmp_path / "cache") == []


def test_times_are_recorded_only_when_every_notebook_of_the_book_passed(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_runs, "_toc_notebooks", lambda: ["01_a", "02_b"])
    runs = {"01_a": {"wall_s": 1.0, "cpu_s": 1.0, "load_average": 0.5, "code_cells": 3, "passed": True},
            "02_b": {"wall_s": 1.0, "cpu_s": 1.0, "load_average": 0.5, "code_cells": 3, "passed": False}}
    with pytest.raises(RuntimeError, match=r"did not run or did not pass.*\['02_b'\].*--record-times"):
        record_classroom_times(runs, tmp_path)
    with pytest.raises(RuntimeError, match=r"\['02_b'\]"):
        record_classroom_times({"01_a": runs["01_a"]}, tmp_path)
    assert not list(tmp_path.iterdir()), "nothing is written when a notebook is missing"


def test_record_times_needs_the_real_data():
    class Options:  # a pytest config with only the two options the plugin reads
        def __init__(self, **options):
            self.options = options

        def getoption(self, name):
            return self.options[name.lstrip("-").replace("-", "_")]

    with pytest.raises(pytest.UsageError, match=r"add --real-data"):
        notebook_runs.pytest_configure(Options(record_times=True, real_data=False))


def test_the_committed_classroom_times_cover_the_session_plan_and_fit_the_budget():
    record = load_results(CLASSROOM_TIMES)  # validates the schema
    assert record["dataset"]["stand_in"] is False and record["figures"]["size"] == "classroom"
    assert record["command"] == notebook_runs.RECORD_COMMAND
    runs = record["figures"]["notebooks"]
    rerun = f"rerun `{notebook_runs.RECORD_COMMAND}`"
    assert set(runs) <= set(notebook_runs._toc_notebooks()) == set(NOTEBOOKS), (
        f"{sorted(set(runs) - set(NOTEBOOKS))} were measured but are no longer in the book: {rerun}")
    # every notebook that has a session in the instructor guide's plan quotes its measured time; a
    # notebook added since the last recording shows as "not measured yet" in the guide's table
    planned = set(re.findall(r"\{glue:text\}`cpu_(\w+):", (ROOT / "book" / "instructors.md").read_text()))
    assert len(planned) >= 7 and planned <= set(NOTEBOOKS), planned
    assert planned <= set(runs), f"the session plan quotes times for {sorted(planned - set(runs))}: {rerun}"
    for name, run in runs.items():
        assert run["passed"] and run["cpu_s"] is not None and run["wall_s"] > 0, name
        # the classroom budget is 90 s on a 2-core laptop; CPU time is what load does not inflate
        assert run["cpu_s"] <= 90, f"{name} used {run['cpu_s']} CPU seconds at classroom size"

