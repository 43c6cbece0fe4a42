"""The book builds with warnings as errors.

Execution is off here because nbval already runs every notebook in this suite; glue references
therefore have no values, so only the glue warnings are silenced (tests/test_project.py checks
that every glued key is defined by a cell). The README's book command executes everything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.book
def test_book_builds_with_warnings_as_errors(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    config["sphinx"]["config"]["suppress_warnings"] = [
        *config["sphinx"]["config"].get("suppress_warnings", []),
        "mystnb.glue",
        "mystnb.glue_ref",
    ]
    config["bibtex_bibfiles"] = [str(ROOT / path) for path in config["bibtex_bibfiles"]]
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in config["sphinx"].get("local_extensions", {}).items()}
    config_path = tmp_path / "_config.yml"
    config_path.write_text(yaml.safe_dump(config))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(jupyter_book if jupyter_book.exists() else shutil.which("jupyter-book")),
        "build", str(ROOT), "--config", str(config_path), "--path-output", str(tmp_path),
        "-W", "-n", "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    index = tmp_path / "_build" / "html" / "index.html"
    assert index.exists()
    html = (tmp_path / "_build" / "html" / "notebooks" / "01_background.html").read_text()
    assert "Background" in html
    assert "Exercise 1.1" in html and "Exercise 1.3" in html  # numbered per chapter (book/_ext/chapter_exercises.py)
    references = (tmp_path / "_build" / "html" / "book" / "references.html").read_text()
    assert references.count("we could not locate it") == 3 and "Times listed" in references  # the computed table
    intro = (tmp_path / "_build" / "html" / "book" / "intro.html").read_text()
    assert "we could not locate 3" in intro  # the count, computed by book/_ext/article_references.py
