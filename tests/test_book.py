"""The book builds with warnings as errors, glue references included.

The build reuses the outputs of the notebook suite's nbval run (tests/book_build.py), so in
``python3 tasks.py test`` no notebook executes twice; run alone, this test executes what it
needs. The root conftest orders it after the notebooks.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.book


def test_book_builds_with_warnings_as_errors(built_book):
    assert built_book["returncode"] == 0, built_book["log"]
    html = built_book["html"]
    assert (html / "index.html").exists()
    assert "Background" in (html / "notebooks" / "01_background.html").read_text()


def test_every_notebook_page_has_its_outputs(built_book):
    """Executed, not merely rendered: each chapter page shows at least one cell output."""
    assert built_book["returncode"] == 0, built_book["log"]
    for page in sorted((built_book["html"] / "notebooks").glob("*.html")):
        assert 'class="cell_output' in page.read_text(), f"{page.name} shows no outputs: was it executed?"
