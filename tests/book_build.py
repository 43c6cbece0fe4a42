"""One build of the HTML book for the tests, with every notebook's outputs, executed once.

The notebook suite (nbval) runs every notebook; ``tools/notebook_runs.py`` keeps each passing
notebook's outputs in ``_build/test/executed/``. :func:`build_book` puts those into a fresh
jupyter-cache and builds the book with ``execute_notebooks: cache``: a notebook nbval has run
is taken from the cache, and only what is not there (the executable book pages, or a notebook
nbval did not run, as when this test runs alone) is executed by the build. The build treats
warnings as errors, glue references included, because every value now exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "_build" / "test" / "book"
EXECUTED_DIR = ROOT / "_build" / "test" / "executed"


def seed_cache(cache_dir: Path) -> list[str]:
    """Fill a fresh jupyter-cache with the executed notebooks that match today's notebooks."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    shutil.rmtree(cache_dir, ignore_errors=True)
    cache = get_cache(str(cache_dir))
    runs_file = EXECUTED_DIR.parent / "notebook_runs.json"
    runs = json.loads(runs_file.read_text())["notebooks"] if runs_file.exists() else {}
    seeded = []
    for executed in sorted(EXECUTED_DIR.glob("*.ipynb")):
        original = ROOT / "notebooks" / executed.name
        if not original.exists():
            continue
        notebook = nbformat.read(str(executed), as_version=4)
        _, executed_hash = cache.create_hashed_notebook(notebook)
        _, current_hash = cache.create_hashed_notebook(nbformat.read(str(original), as_version=4))
        if executed_hash != current_hash:  # the notebook changed since nbval ran it
            continue
        seconds = runs.get(executed.stem, {}).get("wall_s")
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(original), data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
        seeded.append(executed.stem)
    return seeded


def build_book(out_dir: Path = BUILD_DIR) -> dict:
    """Build the book into ``out_dir/_build/html``; return the command's outcome and what was reused."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = out_dir / "jupyter_cache"
    seeded = seed_cache(cache_dir)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "cache"
    config["execute"]["cache"] = str(cache_dir)
    config["bibtex_bibfiles"] = [str(ROOT / path) for path in config["bibtex_bibfiles"]]
    local = config["sphinx"].get("local_extensions") or {}
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in local.items()}
    config_path = out_dir / "_config.yml"
    config_path.write_text(yaml.safe_dump(config))
    shutil.rmtree(out_dir / "_build", ignore_errors=True)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book if jupyter_book.exists() else shutil.which("jupyter-book")), "build", str(ROOT),
               "--config", str(config_path), "--path-output", str(out_dir), "-W", "-n", "--keep-going"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=3000)
    return {"returncode": result.returncode, "log": result.stdout[-8000:] + result.stderr[-8000:],
            "html": out_dir / "_build" / "html", "seeded": seeded, "seconds": time.perf_counter() - start}
