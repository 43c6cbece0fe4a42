"""Fixtures shared by the unit tests.

The test-wide settings (offline, the hermetic empty dataset cache, ``--real-data``) live in the
repository's root ``conftest.py``, so that they also apply when only notebooks are run
(``pytest --nbval-lax notebooks/04_2_recommender.ipynb``).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def built_book():
    """The HTML book, built once per test session (see tests/book_build.py)."""
    from book_build import build_book

    return build_book()
