"""Rating metrics (RMSE, MAE) and top-k ranking metrics for recommenders.

Ranking metrics take ``recommended``, an int array of shape (n_users, n_recommended) of item
indices in rank order (padding with -1 allowed), and ``relevant``, one collection of relevant
item indices per user (a list of arrays/sets, or a sparse users x items matrix whose stored
entries are the relevant items). Relevance is binary. Users with no relevant item are left out
of the average (their precision and recall are undefined); the number of users averaged is
returned by :func:`ranking_report`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import check_array, check_consistent_length, check_int, error_message

__all__ = [
    "rmse",
    "mae",
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "average_precision_at_k",
    "map_at_k",
    "hit_rate_at_k",
    "catalogue_coverage",
    "median_popularity",
    "ranking_report",
]


def _pair(y_true, y_pred):
    y_true = check_array(y_true, "y_true", ndim=1)
    y_pred = check_array(y_pred, "y_pred", ndim=1)
    check_consistent_length(y_true=y_true, y_pred=y_pred)
    return y_true, y_pred


def rmse(y_true, y_pred) -> float:
    """Root mean squared error of predicted ratings (lower is better).

    See Also
    --------
    sklearn.metrics.root_mean_squared_error : the reference.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error of predicted ratings (lower is better).

    See Also
    --------
    sklearn.metrics.mean_absolute_error : the reference.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def _relevant_sets(relevant, n_users: int) -> list[np.ndarray]:
    if sp.issparse(relevant):
        relevant = sp.csr_matrix(relevant)
        if relevant.shape[0] != n_users:
            raise ValueError(error_message("relevant", f"a matrix with {n_users} rows (one per recommended user)", f"shape {relevant.shape}", "Pass the test matrix of the same users."))
        return [relevant.indices[relevant.indptr[u]:relevant.indptr[u + 1]] for u in range(n_users)]
    sets = [np.fromiter(set(np.asarray(list(items) if isinstance(items, (set, frozenset)) else items).ravel().tolist()), dtype=np.int64) for items in relevant]
    if len(sets) != n_users:
        raise ValueError(error_message("relevant", f"{n_users} collections (one per recommended user)", f"{len(sets)} collections", "Pass one set of relevant items per row of recommended."))
    return sets


def _hits(recommended, relevant, k):
    """Return (hits (n_users, k) bool, n_relevant (n_users,)) for users with relevant items."""
    recommended = check_array(recommended, "recommended", ndim=2, dtype=None)
    if recommended.dtype.kind not in "iu":
        raise TypeError(error_message("recommended", "an int array of item indices", f"dtype {recommended.dtype}", "Pass the output of model.recommend(...)."))
    k = check_int(k, "k", low=1, high=recommended.shape[1], fix=f"Recommend at least k items per user (recommended has {recommended.shape[1]} columns).")
    sets = _relevant_sets(relevant, recommended.shape[0])
    top = recommended[:, :k]
    hits = np.zeros(top.shape, dtype=bool)
    for user, items in enumerate(sets):
        if items.size:
            hits[user] = np.isin(top[user], items) & (top[user] >= 0)
    n_relevant = np.array([items.size for items in sets], dtype=np.int64)
    keep = n_relevant > 0
    if not np.any(keep):
        raise ValueError(error_message("relevant", "at least one user with a relevant item", "no relevant items", "Check the test split and the relevance threshold."))
    return hits[keep], n_relevant[keep]


def precision_at_k(recommended, relevant, k: int = 10) -> float:
    """Mean over users of (relevant items among the top k) / k."""
    hits, _ = _hits(recommended, relevant, k)
    return float(np.mean(hits.sum(axis=1) / k))


def recall_at_k(recommended, relevant, k: int = 10) -> float:
    """Mean over users of (relevant items among the top k) / (number of relevant items)."""
    hits, n_relevant = _hits(recommended, relevant, k)
    return float(np.mean(hits.sum(axis=1) / n_relevant))


def hit_rate_at_k(recommended, relevant, k: int = 10) -> float:
    """Fraction of users with at least one relevant item in their top k."""
    hits, _ = _hits(recommended, relevant, k)
    return float(np.mean(hits.any(axis=1)))


def ndcg_at_k(recommended, relevant, k: int = 10) -> float:
    """Mean normalised discounted cumulative gain at k, binary relevance.

    ``DCG = sum_r hit_r / log2(r + 1)`` over ranks ``r = 1..k``; the ideal DCG puts
    ``min(k, n_relevant)`` hits first (Järvelin & Kekäläinen 2002).

    See Also
    --------
    sklearn.metrics.ndcg_score : the reference (equal when every relevant item is scored).
    """
    hits, n_relevant = _hits(recommended, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts
    ideal = np.cumsum(discounts)[np.minimum(n_relevant, k) - 1]
    return float(np.mean(dcg / ideal))


def average_precision_at_k(recommended, relevant, k: int = 10) -> np.ndarray:
    """Average precision at k of each user with relevant items, shape (n_kept_users,).

    ``AP@k = sum_r precision@r * hit_r / min(k, n_relevant)``.
    """
    hits, n_relevant = _hits(recommended, relevant, k)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return (precision_at_rank * hits).sum(axis=1) / np.minimum(n_relevant, k)


def map_at_k(recommended, relevant, k: int = 10) -> float:
    """Mean average precision at k."""
    return float(np.mean(average_precision_at_k(recommended, relevant, k)))


def catalogue_coverage(recommended, n_items: int, k: int | None = None) -> float:
    """Fraction of the catalogue that appears in at least one user's top k."""
    recommended = check_array(recommended, "recommended", ndim=2, dtype=np.int64)
    n_items = check_int(n_items, "n_items", low=1, fix="Pass the number of items in the catalogue.")
    k = recommended.shape[1] if k is None else check_int(k, "k", low=1, high=recommended.shape[1], fix="Use k <= the number of recommended columns.")
    shown = recommended[:, :k]
    return float(np.unique(shown[shown >= 0]).size / n_items)


def median_popularity(recommended, R_train) -> float:
    """How mainstream the recommended items are: the median number of training ratings per item shown.

    Parameters
    ----------
    recommended : int array of shape (n_users, k)
        Item indices, padding -1 ignored (e.g. ``model.recommend(users, k)``).
    R_train : sparse matrix of shape (n_users_train, n_items)
        The training ratings; an item's popularity is its number of stored ratings.

    Returns
    -------
    median : float
        Compare with ``median_popularity(np.arange(n_items)[None], R_train)``, the catalogue's.
    """
    recommended = check_array(recommended, "recommended", ndim=2, dtype=np.int64)
    R_train = sp.csc_matrix(R_train)
    shown = recommended[recommended >= 0]
    if shown.size == 0 or shown.max() >= R_train.shape[1]:
        raise ValueError(error_message("recommended", f"item indices in [0, {R_train.shape[1] - 1}] (at least one)", f"{shown.size} item(s), largest {shown.max() if shown.size else None}", "Pass model.recommend(users, k) of a model fitted on R_train."))
    return float(np.median(np.diff(R_train.indptr)[shown]))


def ranking_report(recommended, relevant, k: int = 10, n_items: int | None = None) -> dict:
    """All ranking metrics at k in one dict (and coverage when ``n_items`` is given)."""
    hits, _ = _hits(recommended, relevant, k)
    report = {
        f"precision@{k}": precision_at_k(recommended, relevant, k),
        f"recall@{k}": recall_at_k(recommended, relevant, k),
        f"ndcg@{k}": ndcg_at_k(recommended, relevant, k),
        f"map@{k}": map_at_k(recommended, relevant, k),
        f"hit_rate@{k}": hit_rate_at_k(recommended, relevant, k),
        "n_users": int(hits.shape[0]),
    }
    if n_items is not None:
        report["coverage"] = catalogue_coverage(recommended, n_items, k)
    return report
