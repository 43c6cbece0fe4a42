"""Baselines every recommender must beat: the global mean, regularised biases, popularity."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import Int, Real, check_float, check_int
from ._base import BaseRecommender
from .data import check_ratings_matrix

__all__ = ["GlobalMean", "BiasBaseline", "Popularity", "fit_biases"]


def fit_biases(R: sp.csr_matrix, *, reg_user: float = 15.0, reg_item: float = 10.0, n_epochs: int = 10):
    """Regularised user and item biases by alternating least squares.

    Minimises ``sum (r_ui - mu - b_u - b_i)^2 + reg_user * sum b_u^2 + reg_item * sum b_i^2``
    by alternating the two closed-form updates (Koren 2010), each a sparse sum, no loop in
    Python over ratings.

    Parameters
    ----------
    R : sparse matrix of shape (n_users, n_items)
        Observed ratings (see :func:`fusionlab.recsys.check_ratings_matrix`).
    reg_user, reg_item : float, default=15.0, 10.0
        Non-negative penalties.
    n_epochs : int, default=10
        Alternations, at least one.

    Returns
    -------
    mu : float
    user_bias : ndarray of shape (n_users,)
    item_bias : ndarray of shape (n_items,)

    See Also
    --------
    surprise.BaselineOnly : the same model (``bsl_options={'method': 'als'}``), same defaults.
    """
    R = check_ratings_matrix(R)
    reg_user = check_float(reg_user, "reg_user", low=0, fix="Use a non-negative penalty such as reg_user=15.")
    reg_item = check_float(reg_item, "reg_item", low=0, fix="Use a non-negative penalty such as reg_item=10.")
    n_epochs = check_int(n_epochs, "n_epochs", low=1, fix="Use e.g. n_epochs=10.")
    mu = float(R.data.mean())
    users = np.repeat(np.arange(R.shape[0]), np.diff(R.indptr))
    items = R.indices
    user_counts = np.bincount(users, minlength=R.shape[0])
    item_counts = np.bincount(items, minlength=R.shape[1])
    user_bias = np.zeros(R.shape[0])
    item_bias = np.zeros(R.shape[1])
    residual = R.data - mu
    item_denominator = np.maximum(reg_item + item_counts, 1e-300)  # an unrated item with no penalty keeps b_i = 0
    user_denominator = np.maximum(reg_user + user_counts, 1e-300)
    for _ in range(n_epochs):
        item_bias = np.bincount(items, residual - user_bias[users], minlength=R.shape[1]) / item_denominator
        user_bias = np.bincount(users, residual - item_bias[items], minlength=R.shape[0]) / user_denominator
    return mu, user_bias, item_bias


class GlobalMean(BaseRecommender):
    """Predict the mean training rating for every pair: the floor of every table.

    Its ranking has all scores equal, so ``recommend`` returns the lowest item indices;
    use :class:`Popularity` as the non-personalised top-N baseline.
    """

    def _fit(self, R):
        return self

    def _predict_pairs(self, users, items):
        return np.full(users.size, self.global_mean_)

    def _score_users(self, users):
        return np.zeros((users.size, self.n_items_))


class BiasBaseline(BaseRecommender):
    """``r_hat = mu + b_u + b_i`` with regularised biases (see :func:`fit_biases`).

    Parameters
    ----------
    reg_user : float, default=15.0
    reg_item : float, default=10.0
    n_epochs : int, default=10

    Attributes
    ----------
    user_bias_ : ndarray of shape (n_users,)
    item_bias_ : ndarray of shape (n_items,)
    """

    _parameter_rules = {"reg_user": Real(low=0), "reg_item": Real(low=0), "n_epochs": Int(low=1)}

    def __init__(self, reg_user: float = 15.0, reg_item: float = 10.0, n_epochs: int = 10):
        self.reg_user = reg_user
        self.reg_item = reg_item
        self.n_epochs = n_epochs

    def _fit(self, R):
        _, self.user_bias_, self.item_bias_ = fit_biases(R, reg_user=self.reg_user, reg_item=self.reg_item, n_epochs=self.n_epochs)
        return self

    def _predict_pairs(self, users, items):
        return self.global_mean_ + self.user_bias_[users] + self.item_bias_[items]

    def _score_users(self, users):
        return np.broadcast_to(self.item_bias_, (users.size, self.n_items_)).copy()


class Popularity(BaseRecommender):
    """Recommend the items with the most training ratings (at or above ``min_rating``).

    Parameters
    ----------
    min_rating : float or None, default=None
        Count only ratings at or above this value (e.g. 4 for "liked"); ``None`` counts all.

    Attributes
    ----------
    scores_ : ndarray of shape (n_items,)
        The count of each item; it ranks without predicting ratings.
    """

    predicts_ratings = False
    _parameter_rules = {"min_rating": Real(none_ok=True, hint="min_rating=4 counts the ratings of 4 and 5 stars.")}

    def __init__(self, min_rating: float | None = None):
        self.min_rating = min_rating

    def _fit(self, R):
        liked = R if self.min_rating is None else R.multiply(R >= self.min_rating).tocsr()
        liked.eliminate_zeros()
        self.scores_ = np.bincount(liked.indices, minlength=self.n_items_).astype(np.float64)
        return self

    def _score_users(self, users):
        return np.broadcast_to(self.scores_, (users.size, self.n_items_)).copy()
