"""Blending rating predictors: a linear stack whose weights are fitted on held-out ratings.

Different models make different errors: a neighbourhood model is right about films like the
ones a user rated, a factor model about broad taste, an autoencoder about each item's whole
column. A least-squares blend of their predictions (the Netflix Prize's lesson, Koren 2009)
beats each of them. To keep the weights honest they are fitted on ratings the models did not
see: ``holdout`` of the training ratings is set aside, every model is fitted on the rest, the
weights are fitted on the held-out ratings (ridge regression with an intercept), and then
every model is refitted on all the training ratings (``refit=True``) and blended with those
weights.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from sklearn.base import clone

from .._validation import Real, check_random_state, error_message
from ._base import BaseRecommender
from .data import random_split

__all__ = ["BlendRecommender", "fit_blend_weights", "default_blend_estimators"]


def fit_blend_weights(predictions, y, alpha: float = 1.0):
    """Ridge regression of ``y`` on the columns of ``predictions``, with an unpenalised intercept.

    Parameters
    ----------
    predictions : ndarray of shape (n_ratings, n_models)
    y : ndarray of shape (n_ratings,)
    alpha : float, default=1.0
        Penalty on the weights (not on the intercept).

    Returns
    -------
    intercept : float
    weights : ndarray of shape (n_models,)

    See Also
    --------
    sklearn.linear_model.Ridge : the reference (``fit_intercept=True``).
    """
    predictions = np.asarray(predictions, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean_x, mean_y = predictions.mean(axis=0), y.mean()
    centred = predictions - mean_x  # (n_ratings, n_models)
    gram = centred.T @ centred + alpha * np.eye(predictions.shape[1])
    weights = np.linalg.solve(gram, centred.T @ (y - mean_y))
    return float(mean_y - mean_x @ weights), weights


def default_blend_estimators(random_state=None) -> list:
    """The blend used by default: a kernelised autoencoder, SGD-MF and item- and user-kNN."""
    from .autoencoder import KernelAutoRec
    from .factorization import BiasedMF
    from .neighbours import ItemKNN, UserKNN

    return [
        ("kernel_autorec", KernelAutoRec(random_state=random_state)),
        ("biased_mf", BiasedMF(random_state=random_state)),
        ("item_knn", ItemKNN()),
        ("user_knn", UserKNN()),
    ]


class BlendRecommender(BaseRecommender):
    """A linear blend of rating predictors, its weights fitted on held-out training ratings.

    Parameters
    ----------
    estimators : list of (str, recommender) or None, default=None
        The models blended; each must predict ratings. ``None`` uses
        :func:`default_blend_estimators`.
    holdout : float in (0, 1), default=0.1
        Fraction of the training ratings held out to fit the weights.
    alpha : float, default=1.0
        Ridge penalty on the weights (see :func:`fit_blend_weights`).
    refit : bool, default=True
        Refit every model on all the training ratings after fitting the weights. Doubles the
        training time; ``False`` keeps the models fitted without the held-out ratings.
    random_state : None, int or Generator, default=None
        Draws the held-out ratings (and seeds the default estimators).

    Attributes
    ----------
    estimators_ : list of (str, fitted recommender)
    intercept_ : float
    weights_ : ndarray of shape (n_estimators,)
    holdout_rmse_ : dict of str -> float
        RMSE on the held-out ratings of each model and of the blend (``"blend"``; fitted on
        those ratings, so slightly optimistic).
    fit_times_s_ : dict of str -> float
        Training seconds of each model's final fit (on all the ratings when ``refit``).
    holdout_fit_times_s_ : dict of str -> float
        Training seconds of each model's fit without the held-out ratings.

    See Also
    --------
    sklearn.ensemble.StackingRegressor : the same idea for feature-based regressors.

    Notes
    -----
    Used in chapter 4.2: the deep model fused with classical CF.
    """

    _parameter_rules = {
        "holdout": Real(low=0, high=1, low_inclusive=False, high_inclusive=False),
        "alpha": Real(low=0),
    }

    def __init__(self, estimators=None, holdout: float = 0.1, alpha: float = 1.0, refit: bool = True, random_state=None):
        self.estimators = estimators
        self.holdout = holdout
        self.alpha = alpha
        self.refit = refit
        self.random_state = random_state

    def _fit(self, R):
        holdout, alpha = float(self.holdout), float(self.alpha)
        rng = check_random_state(self.random_state)
        estimators = default_blend_estimators(self.random_state) if self.estimators is None else self.estimators
        if not isinstance(estimators, (list, tuple)) or not estimators or not all(
                isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], BaseRecommender) and pair[1].predicts_ratings
                for pair in estimators):
            raise TypeError(error_message("estimators", "a non-empty list of (name, rating recommender) pairs", type(estimators).__name__,
                                          "Pass e.g. [('mf', BiasedMF()), ('knn', ItemKNN())], or None for the default blend."))
        names = [name for name, _ in estimators]
        if len(set(names)) != len(names):
            raise ValueError(error_message("estimators", "distinct names", names))
        users = np.repeat(np.arange(self.n_users_), np.diff(R.indptr))
        keep, held = random_split(R.nnz, test_size=holdout, random_state=rng)
        R_fit = sp.csr_matrix((R.data[keep], (users[keep], R.indices[keep])), shape=R.shape)
        held_users, held_items, held_ratings = users[held], R.indices[held].astype(np.int64), R.data[held]
        columns, self.fit_times_s_, self.holdout_fit_times_s_ = [], {}, {}
        fitted = []
        for name, estimator in estimators:
            model = clone(estimator)
            start = time.perf_counter()
            model.fit(R_fit)
            self.holdout_fit_times_s_[name] = self.fit_times_s_[name] = time.perf_counter() - start
            columns.append(model.predict(held_users, held_items))
            fitted.append((name, model))
        predictions = np.column_stack(columns)  # (n_held, n_estimators)
        self.intercept_, self.weights_ = fit_blend_weights(predictions, held_ratings, alpha)
        blended = np.clip(self.intercept_ + predictions @ self.weights_, *self.rating_range_)
        self.holdout_rmse_ = {name: float(np.sqrt(np.mean((column - held_ratings) ** 2))) for name, column in zip(names, columns)}
        self.holdout_rmse_["blend"] = float(np.sqrt(np.mean((blended - held_ratings) ** 2)))
        if self.refit:
            for index, (name, estimator) in enumerate(estimators):
                model = clone(estimator)
                start = time.perf_counter()
                model.fit(R)
                self.fit_times_s_[name] = time.perf_counter() - start
                fitted[index] = (name, model)
        self.estimators_ = fitted
        return self

    def _predict_pairs(self, users, items):
        columns = [model.predict(users, items) for _, model in self.estimators_]
        return self.intercept_ + np.column_stack(columns) @ self.weights_

    def _score_users(self, users):
        items = np.tile(np.arange(self.n_items_), users.size)
        return self._predict_pairs(np.repeat(users, self.n_items_), items).reshape(users.size, self.n_items_)
