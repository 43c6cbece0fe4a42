"""The shared face of every recommender: fit(R), predict(users, items), recommend(users, k).

Every recommender is a scikit-learn estimator: ``__init__`` only stores its parameters (so
``get_params``, ``set_params``, ``clone`` and ``repr`` work), ``fit`` checks them against the
class's table of rules (``_parameter_rules``, see :func:`fusionlab._validation.check_params`),
and what ``fit`` learns ends in ``_``. Two class attributes declare what a model is:
``predicts_ratings`` (False for models that only rank) and ``feedback`` (``"implicit"`` for
models trained on which items each user rated rather than on the stars).

Cold start, documented once for all models: a user index inside ``[0, n_users)`` with no
rating in the training matrix gets the *popularity* ranking from :meth:`recommend`, and the
model's baseline (global mean plus item bias where the model has one) from :meth:`predict`.
An index outside ``[0, n_users)`` is an error: the model cannot know how many users exist.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import check_array, check_consistent_length, check_int, check_params, error_message
from .data import check_ratings_matrix


class BaseRecommender(BaseEstimator):
    """Common validation, cold-start handling and top-N logic. Subclasses implement
    ``_fit(R)``, ``_score_users(users)`` and, when they predict ratings, ``_predict_pairs(users, items)``."""

    #: Rows of users scored at once by ``recommend`` (bounds the dense batch x items block).
    score_batch_size: ClassVar[int] = 256
    #: Parameter checks run by ``fit``: ``{name: Int(...) | Real(...) | OneOf(...) | Ints(...)}``.
    _parameter_rules: ClassVar[dict] = {}
    #: False for a model that only ranks: its ``predict`` raises and evaluations skip RMSE/MAE.
    predicts_ratings: ClassVar[bool] = True
    #: ``"explicit"``: trained on the ratings; ``"implicit"``: on which items each user rated
    #: (:func:`fusionlab.recsys.implicit_matrix`), as :func:`fusionlab.recsys.compare_models` feeds it.
    feedback: ClassVar[str] = "explicit"

    def fit(self, R):
        """Learn from the sparse users x items training matrix ``R`` and return ``self``."""
        check_params(self, self._parameter_rules)
        R = check_ratings_matrix(R)
        self.n_users_, self.n_items_ = R.shape
        self.train_ = R
        self.global_mean_ = float(R.data.mean())
        self.rating_range_ = (float(R.data.min()), float(R.data.max()))
        self.user_counts_ = np.diff(R.indptr)
        self.item_counts_ = np.bincount(R.indices, minlength=self.n_items_)
        self._fit(R)
        return self

    # -- checks ---------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "train_"):
            raise RuntimeError(f"This {type(self).__name__} is not fitted yet; call fit(R) first.")

    def _check_index(self, values, name, high):
        values = check_array(values, name, ndim=(0, 1), dtype=None)
        values = np.atleast_1d(values)
        if values.dtype.kind not in "iu":
            raise TypeError(error_message(name, "int indices", f"dtype {values.dtype}", "Map raw ids with IdMap.to_index first."))
        if values.size and (values.min() < 0 or values.max() >= high):
            bad = values[(values < 0) | (values >= high)][:3].tolist()
            raise ValueError(error_message(name, f"indices in [0, {high - 1}]", bad, "Unknown ids cannot be scored; map raw ids with IdMap.to_index, and refit to include new users or items."))
        return values.astype(np.int64)

    # -- rating prediction ----------------------------------------------------------------
    def predict(self, user_ids, item_ids, *, clip: bool = True) -> np.ndarray:
        """Predict the rating of each (user, item) pair, shape (n_pairs,).

        With ``clip`` (the default) predictions are clipped to the range of the training
        ratings, as Surprise does; ``clip=False`` gives the model's raw score. Users or items
        without training ratings get the model's baseline.
        """
        self._check_fitted()
        if not self.predicts_ratings:
            raise TypeError(f"{type(self).__name__} ranks items but does not predict ratings; use recommend().")
        users = self._check_index(user_ids, "user_ids", self.n_users_)
        items = self._check_index(item_ids, "item_ids", self.n_items_)
        check_consistent_length(user_ids=users, item_ids=items)
        prediction = self._predict_pairs(users, items)
        return np.clip(prediction, *self.rating_range_) if clip else prediction

    # -- top-N ----------------------------------------------------------------------------
    def recommend(self, user_ids, k: int = 10, *, exclude_seen: bool = True) -> np.ndarray:
        """Return the top ``k`` item indices for each user, best first, shape (n_users, k).

        Items the user rated in training are left out when ``exclude_seen`` (the default);
        when fewer than ``k`` items remain, the row is padded with -1. Users without training
        ratings (cold start) get the most popular items.
        """
        self._check_fitted()
        users = self._check_index(user_ids, "user_ids", self.n_users_)
        k = check_int(k, "k", low=1, high=self.n_items_, fix="Ask for at least one recommendation and at most one per item.")
        popularity = self.item_counts_ + 1e-9 * np.linspace(1, 0, self.n_items_)  # ties -> lower index
        result = np.empty((users.size, k), dtype=np.int64)
        for start in range(0, users.size, self.score_batch_size):
            batch = users[start:start + self.score_batch_size]
            scores = np.asarray(self._score_users(batch), dtype=np.float64)  # (batch, n_items)
            cold = self.user_counts_[batch] == 0
            scores[cold] = popularity
            if exclude_seen:
                seen = self.train_[batch]
                rows = np.repeat(np.arange(batch.size), np.diff(seen.indptr))
                scores[rows, seen.indices] = -np.inf
            result[start:start + batch.size] = _top_k(scores, k)
        return result


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores per row, best first; -inf entries become -1."""
    if k < scores.shape[1]:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=-1)  # best score first, ties -> lower index
    top = np.take_along_axis(part, order, axis=1)
    top[np.take_along_axis(part_scores, order, axis=1) == -np.inf] = -1
    return top

