"""A factorisation machine (Rendle 2010) for ratings: early fusion of ids, content and side information.

For a feature row ``x`` (one-hot user and film ids, genres, title words, demographics)

    y_hat(x) = w_0 + sum_i w_i x_i + sum_{i<j} <v_i, v_j> x_i x_j,

every pair of features interacts through the dot product of their factor vectors. The pairwise
sum costs O(k n) instead of O(k n^2):

    sum_{i<j} <v_i, v_j> x_i x_j = 1/2 sum_f [ (sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2 ].

With the user and film ids as the only features this *is* biased matrix factorisation; adding
content lets the model score a film nobody has rated, from its genres and title. Trained by
mini-batch Adam on the squared error with per-rating L2 penalties on the features used.
NumPy and SciPy only. Used in chapter 5.5.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .._validation import Int, Real, check_array, check_consistent_length, check_params, check_random_state, error_message
from ..history import History
from .features import GROUPS

__all__ = ["ColdStartWarning", "FactorizationMachine", "fm_predict"]


class ColdStartWarning(UserWarning):
    """A model without content was asked about films (or users) it never saw in training."""


def fm_predict(X, w0: float, w: np.ndarray, V: np.ndarray) -> np.ndarray:
    """The factorisation machine's output for the rows of ``X`` (sparse or dense), by the O(k n) identity."""
    XV = X @ V  # (n_rows, n_factors)
    X2V2 = (X.multiply(X) if sp.issparse(X) else X * X) @ (V * V)
    return w0 + X @ w + 0.5 * np.sum(XV * XV - X2V2, axis=1)


class FactorizationMachine(BaseEstimator):
    """Rating prediction from ids, content and side information (Rendle 2010).

    Parameters
    ----------
    side : fusionlab.multimodal.SideInformation
    groups : tuple of str, default=("user", "item", "genres", "title", "year", "demographics")
        Feature groups to use: ``("user", "item")`` is biased matrix factorisation (pure
        collaborative filtering); without ``"item"`` it is a content model.
    n_factors : int, default=16
    n_epochs : int, default=15
    learning_rate : float, default=0.005
        Adam's step size.
    reg : float, default=0.3
        L2 penalty per rating on the weights and factors of the features it uses (as in
        per-rating SGD: a feature met in more ratings is penalised more often).
    batch_size : int, default=512
    init_std : float, default=0.01
    item_dropout : float, default=0.0
        Share of training rows whose film id is hidden, so that the content features learn to
        predict without it, as they must for a film nobody has rated (0: never hidden).
    random_state : None, int or Generator, default=None

    Attributes
    ----------
    w0_ : float
    w_ : ndarray of shape (n_features,)
    V_ : ndarray of shape (n_features, n_factors)
    known_users_, known_items_ : ndarray of bool
        Ids with training ratings; the others get no id feature at prediction.
    item_counts_ : ndarray of shape (n_items,)
    history_ : fusionlab.history.History
        Training RMSE per epoch (``"rmse"``), with ``elapsed_s``.

    See Also
    --------
    libFM (Rendle 2012) : the reference implementation (SGD, ALS and MCMC).
    fusionlab.recsys.BiasedMF : the same model as ``groups=("user", "item")``, by SGD.
    """

    _parameter_rules = {"n_factors": Int(low=1), "n_epochs": Int(low=1), "learning_rate": Real(low=0, low_inclusive=False),
                        "reg": Real(low=0), "batch_size": Int(low=1), "init_std": Real(low=0),
                        "item_dropout": Real(low=0, high=1, high_inclusive=False)}

    def __init__(self, side=None, groups=GROUPS, n_factors: int = 16, n_epochs: int = 15, learning_rate: float = 0.005,
                 reg: float = 0.3, batch_size: int = 512, init_std: float = 0.01, item_dropout: float = 0.0, random_state=None):
        self.side, self.groups, self.n_factors, self.n_epochs = side, groups, n_factors, n_epochs
        self.learning_rate, self.reg, self.batch_size, self.init_std = learning_rate, reg, batch_size, init_std
        self.item_dropout, self.random_state = item_dropout, random_state

    @property
    def uses_content(self) -> bool:
        return any(group not in ("user", "item") for group in self.groups)

    def _check(self):
        check_params(self, self._parameter_rules)
        if not hasattr(self.side, "encode"):
            raise TypeError(error_message("side", "a fusionlab.multimodal.SideInformation", type(self.side).__name__,
                                          "Build it with SideInformation.from_ratings(data)."))
        groups = tuple(self.groups) if isinstance(self.groups, (tuple, list)) else None
        if not groups or any(group not in GROUPS for group in groups) or len(set(groups)) != len(groups):
            raise ValueError(error_message("groups", f"distinct names from {list(GROUPS)}", self.groups, "E.g. ('user', 'item') for pure CF."))
        return groups

    def _pairs(self, user_ids, item_ids, ratings=None):
        users = check_array(user_ids, "user_ids", ndim=1, dtype=np.int64)
        items = check_array(item_ids, "item_ids", ndim=1, dtype=np.int64)
        check_consistent_length(user_ids=users, item_ids=items)
        for name, ids, high in (("user_ids", users, self.side.n_users), ("item_ids", items, self.side.n_items)):
            if ids.size and (ids.min() < 0 or ids.max() >= high):
                raise ValueError(error_message(name, f"indices in [0, {high - 1}]", ids[(ids < 0) | (ids >= high)][:3].tolist(), "Use 0-based indices of the same dataset."))
        if ratings is None:
            return users, items
        ratings = check_array(ratings, "ratings", ndim=1)
        check_consistent_length(user_ids=users, ratings=ratings)
        return users, items, ratings

    def fit(self, user_ids, item_ids, ratings):
        """Learn from observed ratings (three aligned 1-D arrays); return ``self``."""
        groups = self._check()
        users, items, ratings = self._pairs(user_ids, item_ids, ratings)
        rng = check_random_state(self.random_state)
        self.known_users_ = np.bincount(users, minlength=self.side.n_users) > 0
        self.item_counts_ = np.bincount(items, minlength=self.side.n_items)
        self.known_items_ = self.item_counts_ > 0
        self.rating_range_ = (float(ratings.min()), float(ratings.max()))
        X = self.side.encode(users, items, groups)
        n_features = X.shape[1]
        item_start = sum(self.side.width(group) for group in groups[:groups.index("item")]) if "item" in groups else None
        params = {"w0": np.array([ratings.mean()]), "w": np.zeros(n_features), "V": rng.normal(0.0, self.init_std, (n_features, self.n_factors))}
        moments = {name: (np.zeros_like(value), np.zeros_like(value)) for name, value in params.items()}
        beta1, beta2, step = 0.9, 0.999, 0
        self.history_ = History()
        start = time.perf_counter()
        for epoch in range(1, self.n_epochs + 1):
            order, squared = rng.permutation(ratings.size), 0.0
            for begin in range(0, ratings.size, self.batch_size):
                batch = order[begin:begin + self.batch_size]
                Xb, yb = X[batch], ratings[batch]
                if item_start is not None and self.item_dropout > 0:  # hide some rows' film ids
                    rows = np.repeat(np.arange(batch.size), np.diff(Xb.indptr))
                    hidden = (Xb.indices >= item_start) & (Xb.indices < item_start + self.side.n_items) & (rng.random(batch.size) < self.item_dropout)[rows]
                    Xb.data[hidden] = 0.0
                XV = Xb @ params["V"]  # (batch, n_factors)
                error = fm_predict(Xb, params["w0"][0], params["w"], params["V"]) - yb  # (batch,)
                squared += float(error @ error)
                scale = 2.0 / batch.size
                present = Xb.getnnz(axis=0) / batch.size  # share of the batch's rows that use each feature
                grads = {
                    "w0": np.array([scale * error.sum()]),
                    "w": scale * (Xb.T @ error) + self.reg * present * params["w"],
                    "V": scale * (Xb.T @ (error[:, None] * XV) - params["V"] * (Xb.multiply(Xb).T @ error)[:, None])
                    + self.reg * present[:, None] * params["V"],
                }
                step += 1
                for name, grad in grads.items():
                    m, v = moments[name]
                    m *= beta1
                    m += (1 - beta1) * grad
                    v *= beta2
                    v += (1 - beta2) * grad * grad
                    params[name] -= self.learning_rate * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + 1e-8)
            self.history_.record(epoch=epoch, elapsed_s=time.perf_counter() - start, n_samples_seen=epoch * ratings.size,
                                 rmse=float(np.sqrt(squared / ratings.size)))
        self.w0_, self.w_, self.V_, self.groups_ = float(params["w0"][0]), params["w"], params["V"], groups
        return self

    def predict(self, user_ids, item_ids, *, clip: bool = True) -> np.ndarray:
        """Predicted ratings of the pairs, shape (n_pairs,).

        Films (or users) without training ratings get no id feature. A model with content scores
        them from it; a model of ids alone (pure CF) falls back to ``w_0 + w_user`` for an unseen
        film (the global mean plus the user's bias: the same score for every unseen film, so
        their ranking is random) and says so with a :class:`ColdStartWarning`.
        """
        if not hasattr(self, "V_"):
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet; call fit(user_ids, item_ids, ratings) first.")
        users, items = self._pairs(user_ids, item_ids)
        cold = ~self.known_items_[items]
        if cold.any() and not self.uses_content:
            warnings.warn(
                f"{np.unique(items[cold]).size} film(s) in {int(cold.sum())} pair(s) have no training ratings: collaborative "
                "filtering cannot score them and falls back to the global mean plus the user's bias (one score for every unseen "
                "film, so it ranks them at random). Add content features to score cold films.", ColdStartWarning, stacklevel=2)
        X = self.side.encode(users, items, self.groups_, known_users=self.known_users_, known_items=self.known_items_)
        prediction = fm_predict(X, self.w0_, self.w_, self.V_)
        return np.clip(prediction, *self.rating_range_) if clip else prediction
