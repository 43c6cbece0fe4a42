"""Interpretability: attribution maps for image models, tabular importances, why a recommendation (chapter 5.2).

Modules
-------
attributions     gradient saliency, SmoothGrad, integrated gradients (with the completeness gap),
                 occlusion; one 2-D map per image
sanity           Adebayo et al.'s cascading model-randomisation check, with an edge-detector control
tabular          impurity vs permutation importance (``sklearn.inspection``), TreeSHAP values
recommendations  an item-kNN prediction split into the neighbours that made it

TensorFlow, scikit-learn's inspection tools and SHAP are imported inside the functions.
"""

from __future__ import annotations

from .attributions import (
    REDUCTIONS,
    RULES,
    attribution_map,
    completeness_gap,
    integrated_gradients,
    occlusion,
    path_weights,
    resolve_target,
    saliency,
    smoothgrad,
)
from .recommendations import RecommendationExplanation, explain_item_knn
from .sanity import METHODS, METRICS, SanityCheckResult, cascading_randomization, edge_map, explain, rank_correlation
from .tabular import RANDOM_FEATURES, ImportanceComparison, add_random_features, compare_importances, tree_shap

__all__ = [
    "METHODS", "METRICS", "RANDOM_FEATURES", "REDUCTIONS", "RULES", "ImportanceComparison", "RecommendationExplanation",
    "SanityCheckResult", "add_random_features", "attribution_map", "cascading_randomization", "compare_importances",
    "completeness_gap", "edge_map", "explain", "explain_item_knn", "integrated_gradients", "occlusion", "path_weights",
    "rank_correlation", "resolve_target", "saliency", "smoothgrad", "tree_shap",
]
