"""Neighbourhood collaborative filtering, item-based and user-based, on sparse matrices.

Item-based CF (Sarwar et al. 2001) predicts user u's rating of item i from u's own ratings of
the items most similar to i; user-based CF from the ratings of i by the users most similar to
u. Both are one algorithm on a matrix whose *columns* are compared: ``R`` for items, ``R.T``
for users. In that frame a "rater" is a row and an "entity" a column.

Similarity of entities a and b over the raters who rated both (``co``), after subtracting an
offset ``o``::

    sim(a, b) = sum_co z_a z_b / sqrt(sum_co z_a^2 * sum_co z_b^2),   z = m - o
    shrunk:     sim * (n_co - 1) / (n_co - 1 + shrinkage)

with ``o`` = 0 (``"cosine"``), the rater's mean (``"adjusted_cosine"``), the entity's mean
(``"pearson"``) or the baseline ``mu + b_rater + b_entity`` (``"pearson_baseline"``). Four
sparse products give every term; they run over blocks of entities, so memory is
``block x n_entities`` plus what is kept. Only positive similarities are kept (only they are
used), optionally just the ``max_neighbours`` largest per entity.

Prediction, over the ``k`` most similar entities that the rater has rated (positive
similarity only)::

    r_hat = o_pred(r, a) + sum sim (m_rb - o_pred(r, b)) / sum sim

with ``o_pred`` the baseline (``centering="baseline"``, Surprise's KNNBaseline), the entity
mean (``"mean"``, KNNWithMeans) or 0 (``"none"``, KNNBasic). With fewer than ``min_k``
neighbours the prediction is the offset (the global mean for ``"none"``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import Int, OneOf, Real
from ._base import BaseRecommender
from .baselines import fit_biases

__all__ = ["NeighbourhoodCF", "ItemKNN", "UserKNN", "SIMILARITIES", "CENTERINGS"]

SIMILARITIES = ("cosine", "adjusted_cosine", "pearson", "pearson_baseline")
CENTERINGS = ("none", "mean", "baseline")
_DENSE_MAX_ENTITIES = 4096
_BLOCK_ELEMENTS = 2**21  # entries of each dense (block, n_entities) work array


def _row_ids(M: sp.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))


def _with_data(M: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix((data, M.indices, M.indptr), shape=M.shape)


class _Neighbourhood(BaseRecommender):
    """The k-NN algorithm; ``kind`` ("item" or "user") is a parameter of :class:`NeighbourhoodCF`
    and a fixed class attribute of :class:`ItemKNN` and :class:`UserKNN`."""

    kind: str

    _parameter_rules = {
        "kind": OneOf(("item", "user"), hint='kind="item" compares items, kind="user" users.'),
        "similarity": OneOf(SIMILARITIES, hint='"pearson_baseline" predicts ratings best.'),
        "k": Int(low=1),
        "min_k": Int(low=1),
        "shrinkage": Real(low=0, hint="0 disables it."),
        "centering": OneOf(CENTERINGS, hint='"baseline" is KNNBaseline, "mean" KNNWithMeans.'),
        "max_neighbours": Int(low=1, none_ok=True, hint="None keeps every positive similarity."),
        "reg_user": Real(low=0),
        "reg_item": Real(low=0),
        "n_epochs_baseline": Int(low=1),
    }

    def __init__(self, similarity: str = "pearson_baseline", k: int = 40, min_k: int = 1, shrinkage: float = 100.0,
                 centering: str = "baseline", max_neighbours: int | None = None,
                 reg_user: float = 15.0, reg_item: float = 10.0, n_epochs_baseline: int = 10):
        self.similarity, self.k, self.min_k, self.shrinkage = similarity, k, min_k, shrinkage
        self.centering, self.max_neighbours, self.reg_user, self.reg_item = centering, max_neighbours, reg_user, reg_item
        self.n_epochs_baseline = n_epochs_baseline

    # -- fit ------------------------------------------------------------------------------
    def _fit(self, R):
        mu, user_bias, item_bias = fit_biases(R, reg_user=self.reg_user, reg_item=self.reg_item, n_epochs=self.n_epochs_baseline)
        self.user_bias_, self.item_bias_ = user_bias, item_bias
        M = R if self.kind == "item" else R.T.tocsr()
        M.sort_indices()
        self.matrix_ = M
        self.rater_bias_, self.entity_bias_ = (user_bias, item_bias) if self.kind == "item" else (item_bias, user_bias)
        counts = np.bincount(M.indices, minlength=M.shape[1])
        sums = np.bincount(M.indices, M.data, minlength=M.shape[1])
        self.entity_mean_ = np.where(counts > 0, sums / np.maximum(counts, 1), mu)
        self.similarity_ = self._similarities(M, float(self.shrinkage))
        return self

    def _similarity_offsets(self, M):
        rows = _row_ids(M)
        if self.similarity == "cosine":
            return np.zeros(M.nnz)
        if self.similarity == "adjusted_cosine":
            row_mean = np.bincount(rows, M.data, minlength=M.shape[0]) / np.maximum(np.diff(M.indptr), 1)
            return row_mean[rows]
        if self.similarity == "pearson":
            return self.entity_mean_[M.indices]
        return self.global_mean_ + self.rater_bias_[rows] + self.entity_bias_[M.indices]

    def _similarities(self, M, shrinkage):
        n_entities = M.shape[1]
        Z = _with_data(M, M.data - self._similarity_offsets(M))
        Z2 = _with_data(M, Z.data**2)
        B = _with_data(M, np.ones(M.nnz))
        ZT, Z2T, BT = (X.T.tocsr() for X in (Z, Z2, B))  # (n_entities, n_raters)
        keep_dense = self.max_neighbours is None and n_entities <= _DENSE_MAX_ENTITIES
        dense = np.zeros((n_entities, n_entities)) if keep_dense else None
        blocks = []
        block_size = max(1, _BLOCK_ELEMENTS // n_entities)
        for start in range(0, n_entities, block_size):
            rows = slice(start, min(start + block_size, n_entities))
            numerator = (ZT[rows] @ Z).toarray()  # (block, n_entities)
            left = (Z2T[rows] @ B).toarray()  # sum over co-raters of z_a^2
            right = (BT[rows] @ Z2).toarray()  # sum over co-raters of z_b^2
            common = (BT[rows] @ B).toarray()  # n_co
            denominator = np.sqrt(left * right)
            sim = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
            if shrinkage > 0:
                sim *= np.maximum(common - 1, 0) / (np.maximum(common - 1, 0) + shrinkage)
            sim[np.arange(sim.shape[0]), np.arange(rows.start, rows.stop)] = 0.0  # not its own neighbour
            sim[sim < 0] = 0.0
            if self.max_neighbours is not None and self.max_neighbours < n_entities:
                cut = np.argpartition(-sim, self.max_neighbours - 1, axis=1)[:, self.max_neighbours:]
                np.put_along_axis(sim, cut, 0.0, axis=1)
            if keep_dense:
                dense[rows] = sim
            else:
                blocks.append(sp.csr_matrix(sim))
        return dense if keep_dense else sp.vstack(blocks, format="csr")

    # -- predict --------------------------------------------------------------------------
    def _offset(self, rater, entities):
        if self.centering == "baseline":
            return self.global_mean_ + self.rater_bias_[rater] + self.entity_bias_[entities]
        if self.centering == "mean":
            return self.entity_mean_[entities]
        return np.zeros(np.size(entities))

    def _block(self, A, J):
        if isinstance(self.similarity_, np.ndarray):
            return self.similarity_[np.ix_(A, J)]
        return self.similarity_[A][:, J].toarray()

    def _predict_frame(self, raters, entities):
        """Predictions for (rater, entity) pairs, grouped by rater."""
        M, k = self.matrix_, self.k
        prediction = np.empty(raters.size)
        order = np.argsort(raters, kind="stable")
        sorted_raters = raters[order]
        bounds = np.flatnonzero(np.r_[True, sorted_raters[1:] != sorted_raters[:-1], True])
        for start, stop in zip(bounds[:-1], bounds[1:]):
            rater, where = sorted_raters[start], order[start:stop]
            A = entities[where]
            offset = self._offset(rater, A)
            fallback = offset if self.centering != "none" else np.full(A.size, self.global_mean_)
            J = M.indices[M.indptr[rater]:M.indptr[rater + 1]]
            if J.size == 0:
                prediction[where] = fallback
                continue
            deviation = M.data[M.indptr[rater]:M.indptr[rater + 1]] - self._offset(rater, J)  # (|J|,)
            sim = self._block(A, J)  # (|A|, |J|)
            if J.size > k:
                top = np.argsort(-sim, axis=1, kind="stable")[:, :k]  # (|A|, k); ties -> lower index
                sim, deviation = np.take_along_axis(sim, top, axis=1), deviation[top]
            weight = sim.sum(axis=1)
            n_used = np.count_nonzero(sim > 0, axis=1)
            estimate = np.divide((sim * deviation).sum(axis=1), weight, out=np.zeros(A.size), where=weight > 0)
            prediction[where] = np.where(n_used >= self.min_k, offset + estimate, fallback)
        return prediction

    def _predict_pairs(self, users, items):
        return self._predict_frame(users, items) if self.kind == "item" else self._predict_frame(items, users)

    def _score_users(self, users):
        """Predicted rating of every item for each user, shape (batch, n_items)."""
        all_users = np.repeat(users, self.n_items_)
        all_items = np.tile(np.arange(self.n_items_), users.size)
        return self._predict_pairs(all_users, all_items).reshape(users.size, self.n_items_)


class NeighbourhoodCF(_Neighbourhood):
    """k-nearest-neighbour collaborative filtering (see the module docstring for the maths).

    Parameters
    ----------
    kind : {"item", "user"}, default="item"
    similarity : {"cosine", "adjusted_cosine", "pearson", "pearson_baseline"}, default="pearson_baseline"
    k : int, default=40
        Neighbours used in each prediction.
    min_k : int, default=1
        Fewer neighbours than this and the prediction falls back to the offset.
    shrinkage : float, default=100.0
        Pulls similarities computed from few common raters towards 0; 0 disables it.
    centering : {"none", "mean", "baseline"}, default="baseline"
    max_neighbours : int or None, default=None
        Keep only this many most similar entities per entity (memory ~ n_entities x
        max_neighbours). ``None`` keeps every positive similarity.
    reg_user, reg_item, n_epochs_baseline : float, float, int, default=15, 10, 10
        Baseline regularisation (see :func:`fusionlab.recsys.fit_biases`).

    Attributes
    ----------
    similarity_ : ndarray or csr_matrix of shape (n_entities, n_entities)
        Positive similarities (zero diagonal); dense when ``n_entities <= 4096`` and
        ``max_neighbours`` is None, sparse otherwise.
    user_bias_, item_bias_ : ndarray
        The baseline biases (:func:`fusionlab.recsys.fit_biases`).
    matrix_ : csr_matrix of shape (n_raters, n_entities)
        The training ratings with the compared entities as columns (``R`` or ``R.T``).
    rater_bias_, entity_bias_, entity_mean_ : ndarray
        The biases and mean ratings in that frame.

    See Also
    --------
    surprise.KNNBaseline, surprise.KNNWithMeans, surprise.KNNBasic : the reference
        implementations (item-based with ``sim_options={'user_based': False}``).
    """

    def __init__(self, kind: str = "item", similarity: str = "pearson_baseline", k: int = 40, min_k: int = 1,
                 shrinkage: float = 100.0, centering: str = "baseline", max_neighbours: int | None = None,
                 reg_user: float = 15.0, reg_item: float = 10.0, n_epochs_baseline: int = 10):
        self.kind = kind
        super().__init__(similarity, k, min_k, shrinkage, centering, max_neighbours, reg_user, reg_item, n_epochs_baseline)


class ItemKNN(_Neighbourhood):
    """Item-based CF (Sarwar et al. 2001): :class:`NeighbourhoodCF` with ``kind="item"``.

    The parameters, defaults and attributes are :class:`NeighbourhoodCF`'s, without ``kind``;
    the defaults are Surprise's KNNBaseline.
    """

    kind = "item"


class UserKNN(_Neighbourhood):
    """User-based CF (GroupLens; Resnick et al. 1994): :class:`NeighbourhoodCF` with ``kind="user"``.

    The parameters, defaults and attributes are :class:`NeighbourhoodCF`'s, without ``kind``.
    """

    kind = "user"
