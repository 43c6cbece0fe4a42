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


def test_exercises_are_numbered_per_chapter_and_the_article_references_computed(built_book):
    assert built_book["returncode"] == 0, built_book["log"]
    html = built_book["html"]
    page = (html / "notebooks" / "01_background.html").read_text()
    assert "Exercise 1.1" in page and "Exercise 1.3" in page  # numbered per chapter (book/_ext/chapter_exercises.py)
    references = (html / "book" / "references.html").read_text()
    assert references.count("we could not locate it") == 3 and "Times listed" in references  # the computed table
    intro = (html / "book" / "intro.html").read_text()
    assert "we could not locate 3" in intro  # the count, computed by book/_ext/article_references.py
