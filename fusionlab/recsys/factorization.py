"""Matrix factorisation: biased MF by mini-batch SGD and by ALS; implicit-feedback ALS.

All three touch only the observed entries. ALS builds every per-user normal matrix at once
with one sparse x dense product: with ``B`` the users x items indicator and ``QQ[i]`` the
flattened outer product ``q_i q_i^T``, ``B @ QQ`` holds ``sum_{i in I(u)} q_i q_i^T`` for every
user; the solves are then one batched ``numpy.linalg.solve``. Memory grows with the number of
ratings plus (users + items) x factors^2, never with users x items.

The inner loops (an epoch of mini-batch SGD; the per-row ALS solves, exact or by a few steps
of conjugate gradient) live in :mod:`fusionlab.recsys._kernels` and
:mod:`fusionlab.recsys._cg_kernels`: compiled by Numba when it is installed, else their NumPy
twins, which compute the same numbers (tested equal in float64).
"""

from __future__ import annotations

import time

import numpy as np

from .._linalg import dot_rows
from .._validation import Int, OneOf, Real, check_random_state, error_message
from ..history import History
from ._base import BaseRecommender
from ._cg_kernels import als_cg_rows
from ._kernels import als_solve_rows, sgd_epoch
from .baselines import fit_biases

__all__ = ["BiasedMF", "ALSMF", "ImplicitALS", "als_solve_rows"]

#: Parameter rules every factorisation shares (see :func:`fusionlab._validation.check_params`).
_FACTOR_RULES = {"n_factors": Int(low=1), "n_epochs": Int(low=1)}
_POSITIVE = Real(low=0, low_inclusive=False)


def _coo(R):
    users = np.repeat(np.arange(R.shape[0], dtype=np.int64), np.diff(R.indptr))
    return users, R.indices.astype(np.int64), R.data


class BiasedMF(BaseRecommender):
    """Biased matrix factorisation trained by SGD (Funk 2006; Koren, Bell & Volinsky 2009).

    ``r_hat(u, i) = mu + b_u + b_i + p_u . q_i``, minimising the squared error on observed
    ratings plus ``reg * (b_u^2 + b_i^2 + |p_u|^2 + |q_i|^2)``.

    The inner loop is vectorised by mini-batches: each step takes ``batch_size`` shuffled
    ratings, computes their errors at once and scatters the per-rating SGD updates with
    a sparse 0/1 matrix (a user or item seen twice in a batch gets both updates, summed). With
    ``batch_size=1`` this is exactly Funk's sequential SGD.

    Parameters
    ----------
    n_factors : int, default=50
    n_epochs : int, default=20
    learning_rate : float, default=0.01
    reg : float, default=0.05
    batch_size : int, default=1024
    init_std : float, default=0.1
    random_state : None, int or Generator, default=None

    Attributes
    ----------
    user_factors_ : ndarray of shape (n_users, n_factors)
    item_factors_ : ndarray of shape (n_items, n_factors)
    user_bias_, item_bias_ : ndarray
    history_ : fusionlab.history.History
        Per epoch: ``elapsed_s``, ``n_samples_seen`` (ratings) and the metric ``"rmse"``, the
        training RMSE from the errors met during the epoch (before each rating's update), so
        tracking it costs nothing.

    See Also
    --------
    surprise.SVD : the reference sequential implementation (Cython).
    ALSMF : the same model fitted by alternating least squares.
    """

    _parameter_rules = {
        **_FACTOR_RULES,
        "learning_rate": _POSITIVE,
        "reg": Real(low=0),
        "batch_size": Int(low=1, hint="batch_size=1 is Funk's sequential SGD."),
        "init_std": Real(low=0),
    }

    def __init__(self, n_factors: int = 50, n_epochs: int = 20, learning_rate: float = 0.01, reg: float = 0.05,
                 batch_size: int = 1024, init_std: float = 0.1, random_state=None):
        self.n_factors, self.n_epochs, self.learning_rate, self.reg = n_factors, n_epochs, learning_rate, reg
        self.batch_size, self.init_std, self.random_state = batch_size, init_std, random_state

    def _fit(self, R):
        n_factors, learning_rate, reg, batch_size = self.n_factors, self.learning_rate, self.reg, self.batch_size
        rng = check_random_state(self.random_state)
        users, items, ratings = _coo(R)
        mu = self.global_mean_
        P = rng.normal(0.0, self.init_std, (self.n_users_, n_factors))
        Q = rng.normal(0.0, self.init_std, (self.n_items_, n_factors))
        bu = np.zeros(self.n_users_)
        bi = np.zeros(self.n_items_)
        self.history_ = History()
        start_time = time.perf_counter()
        for epoch in range(1, self.n_epochs + 1):
            order = rng.permutation(ratings.size)
            squared_error = sgd_epoch(users, items, ratings, order, P, Q, bu, bi, mu, learning_rate, reg, batch_size)
            self.history_.record(epoch=epoch, elapsed_s=time.perf_counter() - start_time, n_samples_seen=epoch * ratings.size,
                                 rmse=np.sqrt(squared_error / ratings.size))
        self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
        return self

    def _predict_pairs(self, users, items):
        return (self.global_mean_ + self.user_bias_[users] + self.item_bias_[items]
                + dot_rows(self.user_factors_, self.item_factors_, users, items))

    def _score_users(self, users):
        return self.item_bias_ + self.user_factors_[users] @ self.item_factors_.T  # (batch, n_items)


class ALSMF(BaseRecommender):
    """Biased matrix factorisation fitted by alternating least squares.

    Same model and objective as :class:`BiasedMF`; each half-step fixes one side and solves a
    ridge regression for every user (or item) exactly, with the bias as an extra column.

    Parameters
    ----------
    n_factors : int, default=10
    n_epochs : int, default=15
    reg : float, default=0.1
        Ridge penalty on factors and biases, per rating: a user with ``n_u`` ratings is
        penalised by ``reg * n_u`` (ALS-WR, Zhou et al. 2008).
    init_std : float, default=0.1
    random_state : None, int or Generator, default=None

    Attributes
    ----------
    user_factors_, item_factors_, user_bias_, item_bias_ : ndarray
    history_ : fusionlab.history.History
        Per epoch: ``elapsed_s``, ``n_samples_seen`` and the training ``"rmse"`` after it.

    See Also
    --------
    pyspark.ml.recommendation.ALS : the distributed reference implementation.
    """

    _parameter_rules = {
        **_FACTOR_RULES,
        "reg": Real(low=0, low_inclusive=False, hint="ALS needs a positive penalty to solve every row."),
        "init_std": Real(low=0),
    }

    def __init__(self, n_factors: int = 10, n_epochs: int = 15, reg: float = 0.1, init_std: float = 0.1, random_state=None):
        self.n_factors, self.n_epochs, self.reg, self.init_std = n_factors, n_epochs, reg, init_std
        self.random_state = random_state

    def _fit(self, R):
        n_factors, reg = self.n_factors, self.reg
        rng = check_random_state(self.random_state)
        mu, bu, bi = fit_biases(R)
        P = rng.normal(0.0, self.init_std, (self.n_users_, n_factors))
        Q = rng.normal(0.0, self.init_std, (self.n_items_, n_factors))
        users, items, ratings = _coo(R)
        indicator = R.copy()
        indicator.data = np.ones_like(indicator.data)
        indicator_t = indicator.T.tocsr()
        # ALS-WR (Zhou et al. 2008): each row's penalty grows with its number of ratings, which
        # is what the per-rating penalty of SGD amounts to; rows without ratings get reg.
        user_ridge = reg * np.maximum(self.user_counts_, 1)[:, None] * np.ones(n_factors + 1)
        item_ridge = reg * np.maximum(self.item_counts_, 1)[:, None] * np.ones(n_factors + 1)
        self.history_ = History()
        start_time = time.perf_counter()
        for epoch in range(1, self.n_epochs + 1):
            targets = R.copy()
            targets.data = ratings - mu - bi[items]
            solution = als_solve_rows(indicator, targets, np.column_stack([Q, np.ones(self.n_items_)]), user_ridge)
            P, bu = solution[:, :-1], solution[:, -1]
            targets.data = ratings - mu - bu[users]
            solution = als_solve_rows(indicator_t, targets.T.tocsr(), np.column_stack([P, np.ones(self.n_users_)]), item_ridge)
            Q, bi = solution[:, :-1], solution[:, -1]
            fitted = mu + bu[users] + bi[items] + dot_rows(P, Q, users, items)
            self.history_.record(epoch=epoch, elapsed_s=time.perf_counter() - start_time, n_samples_seen=epoch * ratings.size,
                                 rmse=np.sqrt(np.mean((ratings - fitted) ** 2)))
        self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
        return self

    _predict_pairs = BiasedMF._predict_pairs
    _score_users = BiasedMF._score_users


class ImplicitALS(BaseRecommender):
    """Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) for top-N.

    Every (user, item) cell is a preference ``p_ui = 1 if r_ui > 0 else 0`` with confidence
    ``c_ui = 1 + alpha * r_ui``; the loss runs over *all* cells, but the ALS normal matrices
    ``Y^T Y + Y^T (C_u - I) Y`` only need the observed ones. Scores are ``x_u . y_i``; there is
    no rating prediction.

    Parameters
    ----------
    n_factors : int, default=32
    n_epochs : int, default=10
    reg : float, default=30.0
    alpha : float, default=3.0
        Confidence slope; the stored values (ratings, counts) are multiplied by it.
    solver : {"cg", "cholesky"}, default="cg"
        How each half-step solves its per-row ridge regressions: ``"cholesky"`` exactly
        (forming each row's normal matrix, O(n_r f^2 + f^3) for a row with ``n_r`` entries and
        ``f`` factors), ``"cg"`` approximately, by ``n_cg_steps`` of conjugate gradient started
        from the previous iterate (O(n_cg_steps (n_r f + f^2)); Takacs, Pilaszy & Tikk 2011,
        the ``implicit`` package's method).
    n_cg_steps : int, default=3
        Conjugate-gradient steps per row and half-step (``solver="cg"`` only); with
        ``n_cg_steps >= n_factors`` CG reaches the exact solve.
    random_state : None, int or Generator, default=None

    Attributes
    ----------
    user_factors_ : ndarray of shape (n_users, n_factors)
    item_factors_ : ndarray of shape (n_items, n_factors)
    history_ : fusionlab.history.History
        Per epoch: ``elapsed_s`` (the loss over all cells is not computed: it costs more than
        an epoch).

    Notes
    -----
    The defaults of ``reg`` and ``alpha`` were chosen by NDCG@10 on validation splits carved
    out of the *training* ratings of chapter 4.2's split, on MovieLens-100K and on its stand-in
    (``python benchmarks/recsys.py validate-implicit-als``): they are the best of a 5 x 5 grid
    on MovieLens and within a few percent of the best on the stand-in. With 0/1 feedback the
    ratio of ``reg`` to ``alpha`` matters most; ``reg=0.1, alpha=10`` ranks below popularity
    on the stand-in.

    The default solver is ``"cg"``: on chapter 4.2's MovieLens-100K ranking split it gave the
    same NDCG@10 as the exact solve (within 0.001, 64 and 32 factors) in a third to a half of the
    CPU time (``benchmarks/recsys_frontier.py speed`` times both against ``implicit``).

    See Also
    --------
    implicit.als.AlternatingLeastSquares : the reference implementation (conjugate gradient).
    """

    predicts_ratings = False
    feedback = "implicit"
    _parameter_rules = {**_FACTOR_RULES, "reg": _POSITIVE, "alpha": _POSITIVE, "solver": OneOf(("cg", "cholesky")), "n_cg_steps": Int(low=1)}

    def __init__(self, n_factors: int = 32, n_epochs: int = 10, reg: float = 30.0, alpha: float = 3.0, solver: str = "cg",
                 n_cg_steps: int = 3, random_state=None):
        self.n_factors, self.n_epochs, self.reg, self.alpha = n_factors, n_epochs, reg, alpha
        self.solver, self.n_cg_steps, self.random_state = solver, n_cg_steps, random_state

    def _fit(self, R):
        n_factors, alpha = self.n_factors, self.alpha
        if np.any(R.data < 0):
            raise ValueError(error_message("R", "non-negative feedback for ImplicitALS", f"{int(np.sum(R.data < 0))} negative value(s)", "Use counts, ratings or implicit_matrix(R), not centred scores."))
        rng = check_random_state(self.random_state)
        X = rng.normal(0.0, 0.01, (self.n_users_, n_factors))
        Y = rng.normal(0.0, 0.01, (self.n_items_, n_factors))
        extra = R.copy()
        extra.data = alpha * R.data  # c_ui - 1
        confidence = R.copy()
        confidence.data = 1.0 + alpha * R.data  # c_ui * p_ui, p_ui = 1 on observed cells
        extra_t, confidence_t = extra.T.tocsr(), confidence.T.tocsr()
        ridge = np.full(n_factors, self.reg)
        if self.solver == "cg":
            def solve(weights, targets, design, start):
                return als_cg_rows(weights, targets, design, ridge, design.T @ design, start, self.n_cg_steps)
        else:
            def solve(weights, targets, design, start):
                return als_solve_rows(weights, targets, design, ridge, base_gram=design.T @ design)
        self.history_ = History()
        start_time = time.perf_counter()
        for epoch in range(1, self.n_epochs + 1):
            X = solve(extra, confidence, Y, X)
            Y = solve(extra_t, confidence_t, X, Y)
            self.history_.record(epoch=epoch, elapsed_s=time.perf_counter() - start_time)
        self.user_factors_, self.item_factors_ = X, Y
        return self

    def _score_users(self, users):
        return self.user_factors_[users] @ self.item_factors_.T
