"""EASE: the embarrassingly shallow autoencoder (Steck 2019), closed form, for top-N ranking.

EASE learns one item x item weight matrix ``B`` with a zero diagonal that reconstructs each
user's row of the binary interaction matrix ``X`` from the user's *other* items::

    min_B  |X - X B|_F^2 + lambda |B|_F^2   subject to  diag(B) = 0

The solution is closed form. With the Gram matrix ``G = X^T X + Lambda`` and ``P = G^{-1}``::

    B_ij = -P_ij / P_jj  (i != j),   B_jj = 0

and a user's scores are ``x_u B``. Only ``G`` (items x items) is dense, so the cost is one
sparse product and one inversion, O(n_ratings x mean row length + n_items^3); for MovieLens-100K
(1,682 items) that is well under a second.

``Lambda`` is ``lambda I`` in Steck's EASE. With ``dropout > 0`` it becomes the emphasised
denoising penalty of Steck (2020, "Autoencoders that don't overfit towards the identity"),
``Lambda = lambda I + dropout / (1 - dropout) * diag(X^T X)``: the training objective of a
linear autoencoder whose inputs are dropped at random, in expectation. Popular items are
penalised more, which counters EASE's pull towards them.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .._validation import Real, error_message
from ._base import BaseRecommender

__all__ = ["EASE", "ease_weights"]

#: Past this many items the dense items x items Gram matrix (8 bytes per entry) is refused.
MAX_ITEMS = 30_000


def ease_weights(X, l2: float, dropout: float = 0.0) -> np.ndarray:
    """The EASE weight matrix of a users x items interaction matrix.

    Parameters
    ----------
    X : sparse matrix or ndarray of shape (n_users, n_items)
        Interactions (1 for an observed pair; other non-negative weights are used as given).
    l2 : float
        The ridge penalty ``lambda`` (> 0 unless ``dropout`` > 0).
    dropout : float in [0, 1), default=0.0
        Adds ``dropout / (1 - dropout) * (X^T X)_jj`` to item j's penalty (Steck 2020).

    Returns
    -------
    B : ndarray of shape (n_items, n_items)
        Zero diagonal; scores are ``X @ B``.
    """
    gram = np.asarray((X.T @ X).todense() if sp.issparse(X) else X.T @ X, dtype=np.float64)  # (n_items, n_items)
    diagonal = np.arange(gram.shape[0])
    gram[diagonal, diagonal] += l2 + dropout / (1.0 - dropout) * gram[diagonal, diagonal]
    # G is symmetric positive definite: Cholesky inversion is twice as fast as a general inverse.
    factor = scipy.linalg.cho_factor(gram, overwrite_a=True, check_finite=False)
    precision = scipy.linalg.cho_solve(factor, np.eye(gram.shape[0]), overwrite_b=True, check_finite=False)
    weights = precision / -np.diag(precision)  # column j divided by -P_jj
    weights[diagonal, diagonal] = 0.0
    return weights


class EASE(BaseRecommender):
    """Embarrassingly shallow autoencoder (Steck 2019): a closed-form item x item model.

    Ranks items; it has no rating scale (``predicts_ratings`` is False, ``predict`` is
    refused). It learns from implicit feedback (``feedback = "implicit"``:
    :func:`fusionlab.recsys.compare_models` fits it on :func:`fusionlab.recsys.implicit_matrix`);
    explicit ratings given directly are binarised unless ``binarize=False``.

    Parameters
    ----------
    l2 : float, default=500.0
        Ridge penalty ``lambda``. On a validation split (per-user 75/25) of the MovieLens-100K
        training part of the ranking protocol, NDCG@10 is flat from 500 to 1200 (0.262-0.263;
        0.248 at 100; see ``benchmarks/recsys_frontier.py ranking``); 500 is the robust middle
        and the value Steck (2019) used on MovieLens-20M. Scale it with the data's density.
    dropout : float in [0, 1), default=0.0
        Emphasised-denoising penalty on popular items (Steck 2020); 0 is plain EASE.
    binarize : bool, default=True
        Treat every stored entry as 1.

    Attributes
    ----------
    weights_ : ndarray of shape (n_items, n_items)
        ``B``, with a zero diagonal.

    See Also
    --------
    fusionlab.recsys.ImplicitALS : a factor model for the same task.
    Steck's reference implementation (a few lines of NumPy) in the paper's appendix.

    Notes
    -----
    Used in chapter 4.2 as the strong, simple ranking baseline.
    """

    predicts_ratings = False
    feedback = "implicit"
    _parameter_rules = {
        "l2": Real(low=0, hint="l2=0 needs dropout > 0 (the Gram matrix is singular without a penalty)."),
        "dropout": Real(low=0, high=1, high_inclusive=False, hint="dropout=0 is plain EASE."),
    }

    def __init__(self, l2: float = 500.0, dropout: float = 0.0, binarize: bool = True):
        self.l2 = l2
        self.dropout = dropout
        self.binarize = binarize

    def _fit(self, R):
        l2, dropout = float(self.l2), float(self.dropout)
        if l2 == 0 and dropout == 0:
            raise ValueError(error_message("l2", "a positive penalty (or dropout > 0)", l2, "The Gram matrix is singular without a penalty; use e.g. l2=500."))
        if self.n_items_ > MAX_ITEMS:
            raise ValueError(error_message("R", f"at most {MAX_ITEMS:,} items (EASE stores a dense items x items matrix)", f"{self.n_items_:,} items", "Keep the most popular items, or use ImplicitALS."))
        if np.any(R.data < 0):
            raise ValueError(error_message("R", "non-negative feedback", "negative values", "Use counts or ratings, not centred scores."))
        X = R.copy()
        if self.binarize:
            X.data = np.ones_like(X.data)
        self.interactions_ = X
        self.weights_ = ease_weights(X, l2, dropout)
        return self

    def _score_users(self, users):
        return np.asarray(self.interactions_[users] @ self.weights_)  # (batch, n_items)
