"""Multimodal fusion for recommendation (chapter 5.5): ratings, film content and user side information.

Modules
-------
features  SideInformation: genres, hashed title words, release years and demographics as sparse blocks
fm        FactorizationMachine (Rendle 2010): early fusion; with ids only, biased MF (pure CF)
fusion    LateFusion (a convex blend, weight chosen on validation data), the warm/cold split,
          evaluation on warm and cold films

NumPy, SciPy and scikit-learn only.
"""

from __future__ import annotations

from .features import AGE_BANDS, GROUPS, YEAR_BANDS, SideInformation, title_years
from .fm import ColdStartWarning, FactorizationMachine, fm_predict
from .fusion import LateFusion, cold_item_split, evaluate_warm_cold

__all__ = ["AGE_BANDS", "ColdStartWarning", "FactorizationMachine", "GROUPS", "LateFusion", "SideInformation", "cold_item_split",
           "evaluate_warm_cold", "fm_predict", "title_years", "YEAR_BANDS"]
