"""Fit several recommenders on one split and report rating and ranking metrics with timings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .._text import format_rows
from .._validation import check_float, check_int, check_random_state, error_message
from .data import check_ratings_matrix
from .metrics import mae, ranking_report, rmse

__all__ = ["ModelResult", "compare_models", "format_table", "implicit_matrix", "item_labels", "relevant_matrix"]


def implicit_matrix(R, min_rating: float | None = None) -> sp.csr_matrix:
    """1 for every stored rating (at or above ``min_rating`` when given), as implicit feedback."""
    R = check_ratings_matrix(R)
    keep = R.data >= (-np.inf if min_rating is None else check_float(min_rating, "min_rating"))
    users = np.repeat(np.arange(R.shape[0]), np.diff(R.indptr))[keep]
    return sp.csr_matrix((np.ones(int(keep.sum())), (users, R.indices[keep])), shape=R.shape)


def relevant_matrix(R_test, min_rating: float = 4.0) -> sp.csr_matrix:
    """The test pairs that count as relevant for ranking metrics: rated ``min_rating`` or more."""
    return implicit_matrix(R_test, min_rating)


@dataclass
class ModelResult:
    """What :func:`compare_models` measured for one model.

    Attributes
    ----------
    name : str
    model : recommender
        The fitted clone.
    fit_time_s : float
    rmse, mae : float or None
        None for a model that only ranks (``model.predicts_ratings`` is False).
    ranking : dict
        :func:`fusionlab.recsys.ranking_report` of its top-``k`` lists.
    recommend_time_s : float
    """

    name: str
    model: object = field(repr=False)
    fit_time_s: float
    rmse: float | None
    mae: float | None
    ranking: dict
    recommend_time_s: float


def compare_models(models: dict, R_train, R_test, *, k: int = 10, min_relevant_rating: float = 4.0,
                   n_ranking_users: int | None = None, random_state=0, verbose: bool = True) -> dict:
    """Clone each recommender, fit the clones on one split, and evaluate each on the same test data.

    The same contract as :func:`fusionlab.evaluate.compare_models` (classifiers, by
    cross-validation): a dict of unfitted estimators in, the same keys out, each estimator cloned
    so the caller's objects are never fitted. What a model is trained on and how it is scored is
    declared by the model: ``feedback == "implicit"`` models are fitted on
    :func:`implicit_matrix` of the training data, and models whose ``predicts_ratings`` is False
    get no RMSE/MAE.

    Parameters
    ----------
    models : dict of name -> unfitted recommender
        Cloned with :func:`sklearn.base.clone`.
    R_train, R_test : csr_matrix of shape (n_users, n_items)
    k : int, default=10
    min_relevant_rating : float, default=4.0
        Test ratings at or above this are the relevant items of ranking metrics.
    n_ranking_users : int or None, default=None
        Rank for a random sample of this many test users (with a relevant item); ``None``
        ranks for all of them.
    random_state : None, int or Generator, default=0
        Draws the sample of users.
    verbose : bool, default=True
        Print one line per model as it finishes.

    Returns
    -------
    results : dict of name -> ModelResult
        In the order of ``models``.
    """
    from sklearn.base import clone

    if not isinstance(models, dict) or not models:
        raise TypeError(error_message("models", "a non-empty dict of name to recommender", type(models).__name__, "Pass e.g. {'biases': BiasBaseline()}."))
    R_train, R_test = check_ratings_matrix(R_train, "R_train"), check_ratings_matrix(R_test, "R_test")
    if R_train.shape != R_test.shape:
        raise ValueError(error_message("R_test", f"shape {R_train.shape} like R_train", R_test.shape, "Build both with the full (n_users, n_items) shape."))
    k = check_int(k, "k", low=1, high=R_train.shape[1])
    relevant = relevant_matrix(R_test, min_relevant_rating)
    users = np.flatnonzero(np.diff(relevant.indptr) > 0)
    if n_ranking_users is not None and check_int(n_ranking_users, "n_ranking_users", low=1) < users.size:
        users = np.sort(check_random_state(random_state).choice(users, n_ranking_users, replace=False))
    test_users, test_items = R_test.nonzero()
    test_ratings = np.asarray(R_test[test_users, test_items]).ravel()
    train_implicit = implicit_matrix(R_train)
    results = {}
    for name, estimator in models.items():
        model = clone(estimator)
        start = time.perf_counter()
        model.fit(train_implicit if model.feedback == "implicit" else R_train)
        fit_time_s = time.perf_counter() - start
        errors = (None, None)
        if model.predicts_ratings:
            predicted = model.predict(test_users, test_items)
            errors = rmse(test_ratings, predicted), mae(test_ratings, predicted)
        start = time.perf_counter()
        top = model.recommend(users, k)
        recommend_time_s = time.perf_counter() - start
        ranking = ranking_report(top, relevant[users], k, n_items=R_train.shape[1])
        results[name] = result = ModelResult(name, model, fit_time_s, *errors, ranking, recommend_time_s)
        if verbose:
            rating = "ranks only" if result.rmse is None else f"RMSE {result.rmse:.3f}"
            print(f"{name:>22}: fit {fit_time_s:5.2f} s, {rating}, NDCG@{k} {ranking[f'ndcg@{k}']:.3f}")
    return results


def format_table(results, columns) -> str:
    """A plain-text table of ``ModelResult`` fields or ranking keys, one row per model.

    ``results`` is :func:`compare_models`'s dict, or any sequence of its values.
    """
    results = list(results.values()) if isinstance(results, dict) else list(results)
    rows = {result.name: {column: getattr(result, column) if hasattr(result, column) else result.ranking.get(column) for column in columns}
            for result in results}
    return format_rows(rows)


def item_labels(indices, titles=None) -> list[str]:
    """Readable names of item indices: the titles when known (MovieLens), else ``"item #i"``."""
    indices = np.asarray(indices, dtype=np.int64).ravel()
    if titles is None:
        return [f"item #{index}" for index in indices]
    return [titles[index] for index in indices]
