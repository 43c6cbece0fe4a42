"""Recommender systems at scale: sparse ratings, baselines, neighbourhood CF, matrix
factorisation and neural CF, with rating and ranking metrics (chapter 4.2).

Every model follows one face: ``fit(R)`` on a sparse users x items matrix whose stored entries
are the observed ratings, ``predict(user_ids, item_ids)`` for ratings, ``recommend(user_ids, k)``
for top-N lists that leave out what the user already rated. Users without training ratings get
the popularity ranking (cold start).

Modules
-------
data           id maps, the sparse rating matrix, splits (MovieLens files: fusionlab.data)
baselines      global mean, regularised biases, popularity
neighbours     item- and user-based k-NN CF (cosine, adjusted cosine, Pearson, Pearson-baseline)
factorization  biased MF by SGD and by ALS; implicit ALS (Hu, Koren & Volinsky 2008)
_kernels       the compiled (Numba) inner loops of factorization, with NumPy twins
ease           EASE (Steck 2019), the closed-form item x item ranking model
autoencoder    I-AutoRec and its kernel-sparsified form (Sparse FC), trained with L-BFGS
blend          least-squares blends of rating models, weights fitted on held-out ratings
neural         NeuMF = GMF + MLP (He et al. 2017) in Keras, with negative sampling
metrics        RMSE, MAE, precision/recall/NDCG/MAP/hit rate at k, coverage
evaluation     fit several models on one split, time them, tabulate their metrics
toy            the source article's 4x4 example, as written and corrected
"""

from __future__ import annotations

import importlib

from .autoencoder import KernelAutoRec
from .baselines import BiasBaseline, GlobalMean, Popularity, fit_biases
from .blend import BlendRecommender, fit_blend_weights
from .data import (
    IdMap,
    check_ratings_matrix,
    dense_bytes,
    leave_last_out,
    matrix_from_ratings,
    per_user_holdout,
    random_split,
    ratings_matrix,
    sparse_bytes,
)
from .ease import EASE
from .evaluation import ModelResult, compare_models, format_table, implicit_matrix, item_labels, relevant_matrix
from .factorization import ALSMF, BiasedMF, ImplicitALS
from .metrics import (
    average_precision_at_k,
    catalogue_coverage,
    hit_rate_at_k,
    mae,
    map_at_k,
    median_popularity,
    ndcg_at_k,
    precision_at_k,
    ranking_report,
    recall_at_k,
    rmse,
)
from .neighbours import ItemKNN, NeighbourhoodCF, UserKNN

_LAZY = {"NeuMF": "neural", "build_neumf": "neural", "sample_negatives": "neural"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALSMF", "BiasBaseline", "BiasedMF", "BlendRecommender", "EASE", "GlobalMean", "KernelAutoRec", "fit_blend_weights", "IdMap", "ImplicitALS", "ItemKNN", "NeighbourhoodCF",
    "NeuMF", "Popularity", "UserKNN", "average_precision_at_k", "build_neumf", "catalogue_coverage",
    "check_ratings_matrix", "fit_biases", "hit_rate_at_k", "leave_last_out", "mae", "matrix_from_ratings", "map_at_k", "ndcg_at_k",
    "per_user_holdout", "precision_at_k", "random_split", "ranking_report", "ratings_matrix",
    "recall_at_k", "rmse", "sample_negatives", "ModelResult", "compare_models", "format_table", "implicit_matrix", "item_labels",
    "relevant_matrix", "dense_bytes", "sparse_bytes", "median_popularity",
]
