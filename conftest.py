"""Test-wide settings: no network, no display, quiet TensorFlow, and the two test modes.

This file sits at the repository root so that pytest loads it for every run, including one that
names only notebooks (``pytest --nbval-lax notebooks/X.ipynb``).

* Hermetic (the default): the dataset cache is an empty temporary folder, so every notebook
  runs on its named stand-in whatever the machine's own cache holds. Tests marked
  ``real_data`` are skipped.
* ``--real-data`` (``python3 tasks.py test --real-data``): the notebooks run against the
  user's cache (``$FUSIONLAB_DATA`` or the default) with stand-ins forbidden
  (``FUSIONLAB_REQUIRE_REAL_DATA=1``), together with the tests marked ``real_data``; the other
  unit tests, which never depend on data, are deselected. The run stops at once, with the
  download commands, when a dataset is not available.

Both modes are offline. These variables are set before any test or notebook kernel starts;
nbval kernels inherit them.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

os.environ["FUSIONLAB_OFFLINE"] = "1"  # any attempt to download raises DatasetUnavailable
# Figures: notebook kernels (they inherit this environment) draw inline, as in JupyterLab, so the
# outputs nbval records carry the figures the book shows (tests/book_build.py reuses them); a
# global MPLBACKEND=Agg would leave every chapter of the tested book without its figures. This
# process draws with Agg (the pytest_configure below), never on a display.
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

_EMPTY_CACHE: list[str] = []

# Keeps each notebook's run time and outputs from the nbval run (tools/notebook_runs.py).
pytest_plugins = ["tools.notebook_runs"]


def pytest_addoption(parser):
    parser.addoption("--real-data", action="store_true", default=False,
                     help="run the notebooks and the real_data tests on the cached real datasets (no stand-ins)")


def pytest_configure(config):
    import matplotlib

    matplotlib.use("Agg")  # this process only; kernels keep the inline backend set above
    config.addinivalue_line("markers", "real_data: needs the real datasets; runs only with --real-data")
    if config.getoption("--real-data"):
        from fusionlab.data import DatasetUnavailable, require_available

        os.environ["FUSIONLAB_REQUIRE_REAL_DATA"] = "1"
        try:
            require_available(["cifar10", "movielens-100k"])
        except DatasetUnavailable as exc:
            raise pytest.UsageError(f"--real-data: {exc}") from None
    else:
        os.environ.pop("FUSIONLAB_REQUIRE_REAL_DATA", None)
        _EMPTY_CACHE.append(tempfile.mkdtemp(prefix="fusionlab-empty-cache-"))
        os.environ["FUSIONLAB_DATA"] = _EMPTY_CACHE[-1]


def pytest_unconfigure(config):
    while _EMPTY_CACHE:
        shutil.rmtree(_EMPTY_CACHE.pop(), ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    # The book's build and browser tests go last: they reuse the notebooks nbval has just run.
    items[:] = [item for item in items if not item.get_closest_marker("book")] + [
        item for item in items if item.get_closest_marker("book")]
    if config.getoption("--real-data"):
        keep = [item for item in items if item.path.suffix == ".ipynb" or item.get_closest_marker("real_data")]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        return
    skip = pytest.mark.skip(reason="needs the real datasets: run `python3 tasks.py test --real-data`")
    for item in items:
        if item.get_closest_marker("real_data"):
            item.add_marker(skip)
