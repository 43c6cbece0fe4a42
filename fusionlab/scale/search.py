"""Successive halving against random search at equal compute (the "algorithms that scale" of tuning).

Random search trains every candidate on all the data. Successive halving (scikit-learn's
``HalvingRandomSearchCV``) trains many candidates on a little data, keeps the best third, gives
them three times the data, and so on: the same compute buys many more candidates.

Used in chapter 5.1 (notebook ``05_1_data_at_scale``).
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._validation import check_int
from .streaming import hash_fields


class FieldHasher(TransformerMixin, BaseEstimator):
    """:func:`fusionlab.scale.streaming.hash_fields` as a scikit-learn transformer (stateless).

    Parameters
    ----------
    n_features : int, default=2**18
        Hash buckets.
    """

    def __init__(self, n_features: int = 2**18):
        self.n_features = n_features

    def fit(self, X, y=None):
        check_int(self.n_features, "n_features", low=1, high=2**31 - 1)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return hash_fields(X, self.n_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def click_search_space():
    """A pipeline (hashing then logistic regression by SGD) and the distributions searched."""
    from scipy.stats import loguniform
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline([("hasher", FieldHasher()), ("sgd", SGDClassifier(loss="log_loss", max_iter=3, tol=None, random_state=0))])
    space = {"hasher__n_features": [2**k for k in range(6, 19)], "sgd__alpha": loguniform(1e-7, 1e-1)}
    return pipeline, space


def halving_vs_random(X, y, X_test, y_test, *, estimator=None, param_distributions=None, factor: int = 3,
                      min_resources: int = 1_000, cv: int = 3, scoring: str = "neg_log_loss", random_state: int = 0,
                      n_jobs=None) -> dict:
    """Run ``HalvingRandomSearchCV`` on ``X, y``, then ``RandomizedSearchCV`` with the same compute.

    Compute is counted in training examples: successive halving spends
    ``sum_i n_candidates_i * n_resources_i`` (times ``cv``); random search, which trains on all
    ``len(X)`` rows, gets ``floor(that / len(X))`` candidates (at least one).

    Returns
    -------
    comparison : dict
        For ``"halving"`` and ``"random"``: ``n_candidates``, ``examples`` (compute spent),
        ``test_score`` (``scoring`` of the refitted best model on ``X_test``), ``best_params``,
        ``seconds``.
    """
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (registers the class)
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV

    if estimator is None:
        estimator, default_space = click_search_space()
        param_distributions = param_distributions or default_space
    n_samples = len(X)
    factor = check_int(factor, "factor", low=2)
    min_resources = check_int(min_resources, "min_resources", low=cv, high=n_samples)
    scorer = get_scorer(scoring)
    start = time.perf_counter()
    halving = HalvingRandomSearchCV(estimator, param_distributions, factor=factor, resource="n_samples", min_resources=min_resources,
                                    max_resources=n_samples, cv=cv, scoring=scoring, random_state=random_state, n_jobs=n_jobs).fit(X, y)
    halving_s = time.perf_counter() - start
    spent = int(np.sum(np.asarray(halving.n_candidates_) * np.asarray(halving.n_resources_)))
    n_iter = max(1, spent // n_samples)
    start = time.perf_counter()
    random = RandomizedSearchCV(estimator, param_distributions, n_iter=n_iter, cv=cv, scoring=scoring,
                                random_state=random_state, n_jobs=n_jobs).fit(X, y)
    random_s = time.perf_counter() - start
    return {
        "halving": {"n_candidates": int(halving.n_candidates_[0]), "examples": spent, "test_score": float(scorer(halving, X_test, y_test)),
                    "best_params": halving.best_params_, "seconds": halving_s, "n_iterations": int(halving.n_iterations_)},
        "random": {"n_candidates": n_iter, "examples": n_iter * n_samples, "test_score": float(scorer(random, X_test, y_test)),
                   "best_params": random.best_params_, "seconds": random_s},
    }
