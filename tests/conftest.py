"""Fixtures shared by the unit tests.

The test-wide settings (offline, the hermetic empty dataset cache, ``--real-data``) live in the
repository's root ``conftest.py``, so that they also apply when only notebooks are run
(``pytest --nbval-lax notebooks/04_2_recommender.ipynb``).
"""
