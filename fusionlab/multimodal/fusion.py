"""Late fusion, the warm/cold split, and the evaluation on warm and on cold films.

Late fusion trains a collaborative model and a content model apart and blends their
predictions convexly, trusting collaborative filtering in proportion to what it has seen of
the film:

    y_hat = alpha_i y_CF + (1 - alpha_i) y_content,   alpha_i = n_i / (n_i + kappa),

where ``n_i`` is the film's number of training ratings and ``kappa`` is chosen on validation
ratings (never the test ratings). A cold film (``n_i = 0``) gets the content model alone.
Used in chapter 5.5.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone

from .._validation import check_float, check_int, check_random_state, error_message
from ..recsys.data import per_user_holdout
from ..recsys.metrics import ndcg_at_k, rmse
from .fm import ColdStartWarning

__all__ = ["LateFusion", "cold_item_split", "evaluate_warm_cold"]


class LateFusion(BaseEstimator):
    """Blend a collaborative model and a content model, ``alpha_i = n_i / (n_i + kappa)``.

    Parameters
    ----------
    collaborative, content : unfitted rating models
        With ``fit(user_ids, item_ids, ratings)`` and ``predict(user_ids, item_ids)``
        (e.g. two :class:`FactorizationMachine`); cloned, never fitted in place.
    kappas : sequence of float, default=(0, 1, 3, 10, 30, 100, 300, 1000)
        Candidates for ``kappa``; the one with the lowest validation RMSE is kept.

    Attributes
    ----------
    collaborative_, content_ : fitted models
    kappa_ : float
    validation_rmse_ : dict of float -> float
        Validation RMSE of each candidate.
    """

    def __init__(self, collaborative=None, content=None, kappas=(0, 1, 3, 10, 30, 100, 300, 1000)):
        self.collaborative, self.content, self.kappas = collaborative, content, kappas

    def fit(self, user_ids, item_ids, ratings, *, validation=None):
        """Fit both models on the training ratings, then choose ``kappa`` on ``validation``
        (a ``(user_ids, item_ids, ratings)`` triple of held-out training ratings); return ``self``."""
        if validation is None or len(validation) != 3:
            raise ValueError(error_message("validation", "a (user_ids, item_ids, ratings) triple of held-out training ratings", validation,
                                           "Make one with cold_item_split(...)['validation']."))
        kappas = [check_float(kappa, "kappas[i]", low=0.0) for kappa in self.kappas]
        self.collaborative_ = clone(self.collaborative).fit(user_ids, item_ids, ratings)
        self.content_ = clone(self.content).fit(user_ids, item_ids, ratings)
        self.item_counts_ = np.bincount(np.asarray(item_ids, dtype=np.int64), minlength=len(self.collaborative_.known_items_))
        parts = self._parts(validation[0], validation[1])
        truth = np.asarray(validation[2], dtype=np.float64)
        self.validation_rmse_ = {kappa: rmse(truth, self._blend(*parts, kappa)) for kappa in kappas}
        self.kappa_ = min(self.validation_rmse_, key=self.validation_rmse_.get)
        return self

    def _parts(self, user_ids, item_ids):
        with warnings.catch_warnings():  # cold films get alpha = 0: the collaborative fallback is never used
            warnings.simplefilter("ignore", ColdStartWarning)
            collaborative = self.collaborative_.predict(user_ids, item_ids)
        return collaborative, self.content_.predict(user_ids, item_ids), self.item_counts_[np.asarray(item_ids, dtype=np.int64)]

    @staticmethod
    def _blend(collaborative, content, counts, kappa):
        alpha = np.where(counts > 0, counts / (counts + kappa) if kappa > 0 else 1.0, 0.0)
        return alpha * collaborative + (1 - alpha) * content

    def predict(self, user_ids, item_ids) -> np.ndarray:
        """The blended rating of each pair, shape (n_pairs,)."""
        if not hasattr(self, "kappa_"):
            raise RuntimeError("This LateFusion is not fitted yet; call fit(..., validation=...) first.")
        return self._blend(*self._parts(user_ids, item_ids), self.kappa_)


def cold_item_split(data, *, cold_fraction: float = 0.1, test_size: float = 0.2, validation_size: float = 0.1, random_state=0) -> dict:
    """Hold out whole films (cold), then a share of each user's other ratings (warm test), then
    a share of what remains (validation).

    Parameters
    ----------
    data : fusionlab.data.Ratings
    cold_fraction : float, default=0.1
        Share of the rated films whose every rating is held out: pure CF has never seen them.
    test_size, validation_size : float, default=0.2, 0.1
        Per-user shares of the warm ratings held out for testing, then of the rest for
        validation (:func:`fusionlab.recsys.per_user_holdout`).
    random_state : None, int or Generator, default=0

    Returns
    -------
    split : dict
        Index arrays into ``data``: ``"train"``, ``"validation"``, ``"warm_test"``,
        ``"cold_test"``; and ``"cold_items"``, the held-out films.
    """
    cold_fraction = check_float(cold_fraction, "cold_fraction", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Try 0.1.")
    rng = check_random_state(random_state)
    rated = np.flatnonzero(np.bincount(data.item_ids, minlength=data.n_items) > 0)
    cold_items = np.sort(rng.choice(rated, size=max(1, int(round(cold_fraction * rated.size))), replace=False))
    is_cold = np.isin(data.item_ids, cold_items)
    warm = np.flatnonzero(~is_cold)
    rest, warm_test = per_user_holdout(data.user_ids[warm], test_size=test_size, random_state=rng)
    train, validation = per_user_holdout(data.user_ids[warm[rest]], test_size=validation_size, random_state=rng)
    return {"train": warm[rest][train], "validation": warm[rest][validation], "warm_test": warm[warm_test],
            "cold_test": np.flatnonzero(is_cold), "cold_items": cold_items}


def _ranking_ndcg(model, data, test, candidates, exclude, users, k):
    """NDCG@k of each user's ranking of ``candidates`` by predicted rating (items in ``exclude`` left out);
    relevant: the user's test ratings of 4 stars or more among the candidates."""
    relevant = [set() for _ in range(data.n_users)]
    liked = test[(data.ratings[test] >= 4) & np.isin(data.item_ids[test], candidates)]
    for user, item in zip(data.user_ids[liked], data.item_ids[liked]):
        relevant[user].add(int(item))
    users = np.array([user for user in users if relevant[user]], dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColdStartWarning)
        scores = model.predict(np.repeat(users, candidates.size), np.tile(candidates, users.size)).reshape(users.size, candidates.size)
    for row, user in enumerate(users):
        scores[row, np.isin(candidates, exclude.get(user, ()))] = -np.inf
    tie_break = np.random.default_rng(0).random(candidates.size)  # ties in random order, never catalogue order
    order = np.lexsort((np.broadcast_to(tie_break, scores.shape), -scores), axis=-1)[:, :k]
    return ndcg_at_k(candidates[order], [relevant[user] for user in users], k), users.size


def evaluate_warm_cold(models: dict, data, split: dict, *, k: int = 10, n_ranking_users: int | None = None, random_state=0,
                       verbose: bool = True) -> dict:
    """Fit a clone of each model on the training ratings and score it on warm and on cold films.

    RMSE on the warm-test and cold-test ratings; NDCG@k of each user's ranking of the warm films
    (not rated in training) and of the cold films, a film being relevant when the user rated it
    4 stars or more in the test ratings. Models with a ``validation`` keyword in ``fit``
    (:class:`LateFusion`) get the validation ratings.

    Returns
    -------
    results : dict of name -> dict
        ``{"warm": {"rmse", "ndcg@k", "n_users"}, "cold": {...}, "fit_time_s": float}``.
    """
    import inspect

    if not isinstance(models, dict) or not models:
        raise TypeError(error_message("models", "a non-empty dict of name to rating model", type(models).__name__, "E.g. {'CF': FactorizationMachine(side, groups=('user', 'item'))}."))
    k = check_int(k, "k", low=1)
    triple = lambda index: (data.user_ids[index], data.item_ids[index], data.ratings[index])  # noqa: E731
    train = split["train"]
    warm_items = np.flatnonzero(np.bincount(data.item_ids[train], minlength=data.n_items) > 0)
    seen = {}
    for user, item in zip(data.user_ids[train], data.item_ids[train]):
        seen.setdefault(int(user), []).append(int(item))
    users = np.unique(data.user_ids[split["warm_test"]])
    if n_ranking_users is not None and check_int(n_ranking_users, "n_ranking_users", low=1) < users.size:
        users = np.sort(check_random_state(random_state).choice(users, n_ranking_users, replace=False))
    results = {}
    for name, estimator in models.items():
        model, start = clone(estimator), time.perf_counter()
        extra = {"validation": triple(split["validation"])} if "validation" in inspect.signature(model.fit).parameters else {}
        model.fit(*triple(train), **extra)
        fit_time_s = time.perf_counter() - start
        row = {"fit_time_s": fit_time_s, "model": model}
        for part, test, candidates, exclude in (("warm", split["warm_test"], warm_items, seen), ("cold", split["cold_test"], split["cold_items"], {})):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColdStartWarning)
                error = rmse(data.ratings[test], model.predict(data.user_ids[test], data.item_ids[test]))
            ndcg, n_users = _ranking_ndcg(model, data, test, candidates, exclude, users if part == "warm" else np.unique(data.user_ids[test]), k)
            row[part] = {"rmse": error, f"ndcg@{k}": ndcg, "n_users": n_users}
        results[name] = row
        if verbose:
            print(f"{name:>20}: fit {fit_time_s:5.1f} s | warm RMSE {row['warm']['rmse']:.3f} NDCG@{k} {row['warm'][f'ndcg@{k}']:.3f} "
                  f"| cold RMSE {row['cold']['rmse']:.3f} NDCG@{k} {row['cold'][f'ndcg@{k}']:.3f}")
    return results
