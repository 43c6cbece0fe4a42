"""A pytest plugin that keeps what nbval computes: each notebook's run time and its outputs.

nbval (``pytest --nbval-lax``) executes every notebook of the suite, cell by cell, in its own
kernel, and then throws the outputs away. This plugin, loaded by the root ``conftest.py``,
keeps two things from that run, so that nothing has to execute twice:

* **Run times.** Per notebook: the wall-clock seconds from starting its kernel to the end of
  its last cell, the CPU seconds its kernel process used (user + system, threads included; a
  measure that other programs' load inflates much less than wall time), the machine's load
  average while it ran, and whether every cell passed. They are written to
  ``_build/test/notebook_runs.json`` after every run. With ``--record-times`` (which needs
  ``--real-data``: the classroom runs on the real datasets) and every notebook of the book
  passing, they are also written to ``book/results/classroom_times.json`` through
  :mod:`fusionlab.results`, which the instructor guide's session plan reads.
* **Executed notebooks.** A notebook whose cells all passed is written, with its outputs, to
  ``_build/test/executed/NAME.ipynb``. Its code cells and metadata are the original's, so
  ``tests/book_build.py`` can hand it to the book build's execution cache instead of running
  the notebook a second time.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNS_DIR = ROOT / "_build" / "test"
EXECUTED_DIR = RUNS_DIR / "executed"
RUNS_FILE = RUNS_DIR / "notebook_runs.json"
CLASSROOM_TIMES = "classroom_times"
RECORD_COMMAND = "python3 tasks.py test --real-data --record-times"


def pytest_addoption(parser):
    parser.addoption("--record-times", action="store_true", default=False,
                     help="with --real-data: write the notebooks' measured classroom run times to "
                          "book/results/classroom_times.json (the instructor guide's session plan)")


def pytest_configure(config):
    if config.getoption("--record-times") and not config.getoption("--real-data"):
        raise pytest.UsageError("--record-times measures the classroom run on the real datasets: "
                                "add --real-data (python3 tasks.py test --real-data --record-times)")
    config.pluginmanager.register(NotebookRuns(config), "fusionlab-notebook-runs")


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell_num")


def _kernel_cpu_s(notebook_file) -> float | None:
    """User + system CPU seconds of the notebook's kernel process so far (None if unknown)."""
    try:
        import psutil

        kernel = psutil.Process(notebook_file.kernel.km.provisioner.pid)
        times = [kernel.cpu_times()]
        for child in kernel.children(recursive=True):  # worker processes still alive (joblib, loky)
            try:
                times.append(child.cpu_times())
            except psutil.Error:
                pass
    except Exception:  # no kernel, no psutil, a remote provisioner: the time is simply not known
        return None
    return sum(t.user + t.system + t.children_user + t.children_system for t in times)


class NotebookRuns:
    """Collects, per notebook file, the outputs and times of the cells nbval runs."""

    def __init__(self, config):
        self.config = config
        self.real_data = bool(config.getoption("--real-data"))
        self.runs: dict[str, dict] = {}
        self._open: dict[str, dict] = {}

    # one record per notebook, opened at its first cell and closed after its last
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        if _is_nbval_cell(item) and item.parent.nodeid not in self._open:
            path = Path(str(item.parent.path))
            (EXECUTED_DIR / path.name).unlink(missing_ok=True)  # never leave a stale copy behind
            self._open[item.parent.nodeid] = {
                "path": path, "start": time.perf_counter(), "load": [os.getloadavg()[0]],
                "outputs": {}, "failed": [], "skipped": [],
            }
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        record = self._open.get(item.parent.nodeid) if _is_nbval_cell(item) else None
        if record is not None and (report.failed or report.skipped):
            (record["failed"] if report.failed else record["skipped"]).append(item.cell_num)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        record = self._open.get(item.parent.nodeid) if _is_nbval_cell(item) else None
        if record is not None:
            if item.test_outputs is not None:
                record["outputs"][item.cell_num] = list(item.test_outputs)
            if nextitem is None or nextitem.parent is not item.parent:  # the notebook's last cell: kernel still up
                self._close(item.parent, record)
        yield

    def _close(self, notebook_file, record) -> None:
        del self._open[notebook_file.nodeid]
        wall_s = time.perf_counter() - record["start"]
        record["load"].append(os.getloadavg()[0])
        n_cells = len([c for c in notebook_file.nb.cells if c.cell_type == "code"])
        passed = not record["failed"] and not record["skipped"] and len(record["outputs"]) == n_cells
        cpu_s = _kernel_cpu_s(notebook_file)
        self.runs[record["path"].stem] = {
            "wall_s": round(wall_s, 2), "cpu_s": None if cpu_s is None else round(cpu_s, 2),
            "load_average": round(sum(record["load"]) / len(record["load"]), 2),
            "code_cells": n_cells, "passed": passed,
        }
        if passed:
            write_executed(notebook_file.nb, record["outputs"], EXECUTED_DIR / record["path"].name)

    def pytest_sessionfinish(self, session):
        if not self.runs:
            return
        summary = {"mode": "real-data" if self.real_data else "hermetic", "cpu_count": os.cpu_count(),
                   "platform": platform.platform(), "notebooks": self.runs}
        RUNS_DIR.mkdir(parents=True, exist_ok=True)
        RUNS_FILE.write_text(json.dumps(summary, indent=2) + "\n")
        if self.config.getoption("--record-times"):
            path = record_classroom_times(self.runs)
            session.config.get_terminal_writer().line(f"\nclassroom run times written to {path}")


def write_executed(notebook, outputs: dict, path: Path) -> None:
    """Write ``notebook`` (an nbformat node) with nbval's ``outputs`` ({code cell index: list})."""
    import copy

    import nbformat

    from IPython.core.displayhook import DisplayHook

    executed = copy.deepcopy(notebook)
    code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        cell.execution_count = index + 1
        cell.outputs = [nbformat.from_dict(dict(out)) for out in outputs.get(index, [])]
        # nbval runs cells with store_history=False, so IPython cannot see a trailing ";" and shows the
        # cell's value anyway: a figure would appear twice (its value, then the inline backend's copy).
        # Jupyter, and the book's own execution, hide the value; so does the executed copy.
        if DisplayHook.semicolon_at_end_of_expression(cell.source):
            cell.outputs = [out for out in cell.outputs if out.output_type != "execute_result"]
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = index + 1
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".ipynb.partial")
    nbformat.write(executed, str(partial))
    partial.replace(path)


def _toc_notebooks() -> list[str]:
    import yaml

    def files(node):
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "file"] + [f for v in node.values() for f in files(v)]
        return [f for v in node for f in files(v)] if isinstance(node, list) else []

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [Path(entry).name for entry in files(toc) if entry.startswith("notebooks/")]


def record_classroom_times(runs: dict, directory=None) -> Path:
    """Write the real-data run times of every notebook in the book to ``classroom_times.json``.

    Raises ``RuntimeError`` (nothing written) unless every notebook of ``_toc.yml`` ran and passed.
    """
    import hashlib

    from fusionlab.results import dataset_record, make_results, write_results

    from fusionlab import course_size

    if course_size() != "classroom":
        raise RuntimeError("--record-times records the classroom size; unset FUSIONLAB_SIZE and run again")
    wanted = _toc_notebooks()
    missing = [stem for stem in wanted if not runs.get(stem, {}).get("passed")]
    if missing:
        raise RuntimeError(f"--record-times: these notebooks did not run or did not pass, so no times were "
                           f"recorded: {missing}. Run the whole suite: {RECORD_COMMAND}")
    datasets = [dataset_record(name) for name in ("cifar10", "movielens-100k")]
    digests = [d["checksum"] or d["content_sha256"] for d in datasets]
    dataset = {
        "name": "cifar10+movielens-100k", "stand_in": False, "checksum": None,
        "content_sha256": "sha256:" + hashlib.sha256("\n".join(digests).encode()).hexdigest(),
        "note": "the classroom run reads both real datasets; content_sha256 is the SHA-256 of their own digests, "
                + ", ".join(f"{d['name']} {digest}" for d, digest in zip(datasets, digests)),
    }
    figures = {"size": "classroom", "notebooks": {stem: runs[stem] for stem in wanted}}
    record = make_results(CLASSROOM_TIMES, figures, command=RECORD_COMMAND, dataset=dataset, extra_packages=("nbval",))
    return write_results(record, directory)
