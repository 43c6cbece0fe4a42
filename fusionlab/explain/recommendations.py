"""Why was this film recommended? Item-kNN predictions split into the neighbours that made them.

Item-based collaborative filtering (chapter 4.2) predicts user u's rating of item i from u's
own ratings of the ``k`` items most similar to i::

    r_hat(u, i) = b(u, i) + sum_j w_j (r(u, j) - b(u, j)),     w_j = s(i, j) / sum_j' s(i, j')

with ``b`` the model's offset (a baseline, an item mean, or 0). The prediction is therefore a
sum: the offset plus one term per rated neighbour, ``w_j (r(u, j) - b(u, j))``. A neighbour
the user liked more than expected pushes the prediction up; one they liked less pulls it down.
:func:`explain_item_knn` returns those terms; they add up to the model's prediction exactly
(up to float64 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int, error_message


@dataclass
class RecommendationExplanation:
    """One item-kNN prediction, split into its offset and one contribution per neighbour.

    Attributes
    ----------
    user, item : int
    neighbours : ndarray of int of shape (n_neighbours,)
        The rated items used, most similar first.
    contributions : ndarray of shape (n_neighbours,)
        ``w_j (r(u, j) - b(u, j))``.
    prediction : float
        ``offset + contributions.sum()``, the model's unclipped prediction.
    offset : float
        ``b(u, i)``, where the prediction starts.
    similarities : ndarray of shape (n_neighbours,)
    ratings : ndarray of shape (n_neighbours,)
        The user's ratings of the neighbours.
    """

    user: int
    item: int
    neighbours: np.ndarray = field(repr=False)
    contributions: np.ndarray = field(repr=False)
    prediction: float
    offset: float
    similarities: np.ndarray = field(repr=False)
    ratings: np.ndarray = field(repr=False)

    def top(self, n: int = 5) -> np.ndarray:
        """Positions of the ``n`` neighbours with the largest absolute contribution."""
        return np.argsort(-np.abs(self.contributions), kind="stable")[:n]

    def table(self, item_names=None, n: int = 5) -> str:
        """The largest contributions as text, with item names when given."""
        name = (lambda j: str(item_names[j])) if item_names is not None else (lambda j: f"item {j}")  # noqa: E731
        rows = [f"prediction {self.prediction:.2f} = offset {self.offset:.2f} + {len(self.neighbours)} neighbour term(s)"]
        rows.append(f"{'neighbour':<40} {'rating':>6} {'similarity':>10} {'contribution':>12}")
        for position in self.top(n):
            j = int(self.neighbours[position])
            rows.append(f"{name(j)[:40]:<40} {self.ratings[position]:>6.1f} {self.similarities[position]:>10.3f} {self.contributions[position]:>+12.3f}")
        return "\n".join(rows)


def _item_knn_parts(model, user: int, item: int):
    """Everything the explanation needs from a fitted item-kNN model, read in one place.

    Uses only the estimator's parameters (``k``, ``min_k``, ``centering``) and its fitted
    state: ``matrix_`` (users x items training ratings), ``similarity_`` (item x item),
    ``global_mean_``, ``rater_bias_`` (per user), ``entity_bias_`` and ``entity_mean_`` (per
    item). If the recommender classes change, this is the one function to update; the test that
    the contributions add up to ``model.predict`` catches any drift.
    """
    import scipy.sparse as sp

    M = model.matrix_  # (n_users, n_items), columns sorted within each row
    row = slice(M.indptr[user], M.indptr[user + 1])
    rated, ratings = M.indices[row].astype(np.int64), M.data[row].astype(np.float64)
    similarity = model.similarity_
    sims = (similarity[item][:, rated].toarray().ravel() if sp.issparse(similarity) else np.asarray(similarity[item, rated], dtype=np.float64))
    items = np.r_[item, rated]
    if model.centering == "baseline":
        offsets = model.global_mean_ + model.rater_bias_[user] + model.entity_bias_[items]
    elif model.centering == "mean":
        offsets = model.entity_mean_[items]
    else:
        offsets = np.zeros(items.size)
    fallback = offsets[0] if model.centering != "none" else model.global_mean_
    return rated, ratings, sims, offsets[0], offsets[1:], fallback, int(model.k), int(model.min_k)


def explain_item_knn(model, user: int, item: int) -> RecommendationExplanation:
    """Split an item-kNN prediction into the offset and one contribution per rated neighbour.

    Parameters
    ----------
    model : fitted fusionlab.recsys.ItemKNN
    user, item : int
        Indices (map raw ids with ``IdMap.to_index``).

    Returns
    -------
    explanation : RecommendationExplanation
        ``explanation.offset + explanation.contributions.sum()`` equals
        ``model.predict([user], [item], clip=False)[0]``.

    See Also
    --------
    surprise.KNNBaseline : the reference item-kNN whose prediction rule this decomposes.

    Notes
    -----
    Herlocker, Konstan & Riedl (2000) found that showing users the neighbours behind a
    recommendation was among the most persuasive explanations. Used in chapter 5.2.
    """
    if getattr(model, "kind", None) != "item" or not hasattr(model, "matrix_"):
        raise TypeError(error_message("model", "a fitted item-based kNN recommender (ItemKNN)", type(model).__name__, "Fit fusionlab.recsys.ItemKNN(...) on the training matrix first."))
    n_users, n_items = model.matrix_.shape
    user = check_int(user, "user", low=0, high=n_users - 1, fix="Pass a user index; map raw ids with IdMap.to_index.")
    item = check_int(item, "item", low=0, high=n_items - 1, fix="Pass an item index; map raw ids with IdMap.to_index.")
    rated, ratings, sims, offset, rated_offsets, fallback, k, min_k = _item_knn_parts(model, user, item)
    if rated.size > k:
        keep = np.argsort(-sims, kind="stable")[:k]  # the k most similar rated items; ties -> lower index
        rated, ratings, sims, rated_offsets = rated[keep], ratings[keep], sims[keep], rated_offsets[keep]
    used = sims > 0
    if np.count_nonzero(used) < min_k or sims.sum() <= 0:
        empty = np.zeros(0)
        return RecommendationExplanation(user, item, empty.astype(np.int64), empty, float(fallback), float(fallback), empty, empty)
    rated, ratings, sims, rated_offsets = rated[used], ratings[used], sims[used], rated_offsets[used]
    order = np.argsort(-sims, kind="stable")
    rated, ratings, sims, rated_offsets = rated[order], ratings[order], sims[order], rated_offsets[order]
    contributions = sims / sims.sum() * (ratings - rated_offsets)
    return RecommendationExplanation(user, item, rated, contributions, float(offset + contributions.sum()), float(offset), sims, ratings)


__all__ = ["RecommendationExplanation", "explain_item_knn"]
