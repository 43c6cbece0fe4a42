"""Compiled inner loops (Numba) of the factor models, each with a pure-NumPy twin.

Two loops dominate the factor models' time, and NumPy cannot make either fast:

- an epoch of SGD on biased MF: many small mini-batches, each a gather, a few products and
  a scatter, where NumPy pays its per-call overhead every step;
- the per-row ridge solves of ALS: one small normal matrix per user (or item), summed over
  that row's ratings.

Each function here computes *exactly* what its NumPy twin computes, in float64 (the tests pin
the two together), so Numba is a speed-up and never a different algorithm. Set the
environment variable ``FUSIONLAB_NUMBA=0`` to use the NumPy twins (they are also used when
Numba is not installed). The kernels are compiled on first use (about a second each) and
cached on disk.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from .._validation import error_message

try:  # Numba is a dependency, but the package stays importable (and correct) without it
    import numba
except ImportError:  # pragma: no cover - exercised by FUSIONLAB_NUMBA=0 in the tests
    numba = None

if numba is not None and "NUMBA_THREADING_LAYER" not in os.environ:
    # Numba's built-in work queue survives fork(); GNU OpenMP (its default pick on Linux) kills
    # a forked child that uses it (benchmarks/recsys.py measures each model in a forked child).
    numba.config.THREADING_LAYER = "workqueue"

__all__ = ["numba_enabled", "sgd_epoch", "sgd_epoch_numpy", "als_solve_rows", "als_solve_rows_numpy"]


def numba_enabled() -> bool:
    """True when the compiled kernels are used: Numba is installed and ``FUSIONLAB_NUMBA`` is not ``0``."""
    return numba is not None and os.environ.get("FUSIONLAB_NUMBA", "1") != "0"


def _jit(function):
    """Compile lazily with Numba (cached on disk) when it is installed; else return None.

    ``fastmath`` lets LLVM vectorise the dot products (sums are reassociated, so results
    differ from NumPy's in the last bits only)."""
    if numba is None:
        return None
    return numba.njit(cache=True, nogil=True, fastmath=True)(function)


# -- SGD for biased MF ----------------------------------------------------------------------
def _scatter(rows: np.ndarray, n_rows: int):
    """Return ``(index, M)``: a 0/1 matrix ``M`` that sums per-rating updates into their rows,
    so that ``target[index] += M @ updates`` equals ``np.add.at(target, rows, updates)``.

    When the table is small next to the batch, ``M`` spans every row (``index`` is a full
    slice: one dense add); otherwise only the distinct rows of the batch, so a step costs
    O(batch x n_factors) and not O(n_rows x n_factors).
    """
    columns = np.arange(rows.size + 1)
    if n_rows <= 8 * rows.size:
        return slice(None), sp.csc_matrix((np.ones(rows.size), rows, columns), shape=(n_rows, rows.size))
    unique, inverse = np.unique(rows, return_inverse=True)
    return unique, sp.csc_matrix((np.ones(rows.size), inverse, columns), shape=(unique.size, rows.size))


def sgd_epoch_numpy(users, items, ratings, order, P, Q, user_bias, item_bias, mu, learning_rate, reg, batch_size):
    """One epoch of mini-batch SGD on biased MF, in place; returns the sum of squared errors.

    Each step takes the next ``batch_size`` ratings of ``order``, computes their errors with
    the parameters as they were before the step, and adds every rating's update (a user or
    item seen twice in a step gets both, summed). ``batch_size=1`` is Funk's sequential SGD.

    Parameters
    ----------
    users, items : ndarray of shape (n_ratings,), int64
    ratings : ndarray of shape (n_ratings,), float64
    order : ndarray of shape (n_ratings,), int64
        The visiting order (a permutation).
    P, Q : ndarray of shape (n_users, n_factors), (n_items, n_factors), float64
    user_bias, item_bias : ndarray of shape (n_users,), (n_items,), float64
    mu, learning_rate, reg : float
    batch_size : int

    Returns
    -------
    squared_error : float
        Sum over the epoch of each rating's squared error before its step.
    """
    squared_error = 0.0
    n_users, n_items = P.shape[0], Q.shape[0]
    for start in range(0, order.size, batch_size):
        batch = order[start:start + batch_size]
        u, i = users[batch], items[batch]
        pu, qi = P[u], Q[i]  # (batch, n_factors)
        error = ratings[batch] - (mu + user_bias[u] + item_bias[i] + np.einsum("bf,bf->b", pu, qi))  # (batch,)
        squared_error += float(error @ error)
        (user_rows, to_user), (item_rows, to_item) = _scatter(u, n_users), _scatter(i, n_items)
        user_bias[user_rows] += to_user @ (learning_rate * (error - reg * user_bias[u]))
        item_bias[item_rows] += to_item @ (learning_rate * (error - reg * item_bias[i]))
        P[user_rows] += to_user @ (learning_rate * (error[:, None] * qi - reg * pu))
        Q[item_rows] += to_item @ (learning_rate * (error[:, None] * pu - reg * qi))
    return squared_error


def _sgd_epoch_loops(users, items, ratings, order, P, Q, user_bias, item_bias, mu, learning_rate, reg, batch_size):
    n_factors = P.shape[1]
    if batch_size == 1:  # sequential SGD needs no copy of the rows: update them as they are read
        squared_error = 0.0
        for r in order:
            u, i = users[r], items[r]
            dot = 0.0
            for f in range(n_factors):
                dot += P[u, f] * Q[i, f]
            e = ratings[r] - (mu + user_bias[u] + item_bias[i] + dot)
            squared_error += e * e
            user_bias[u] += learning_rate * (e - reg * user_bias[u])
            item_bias[i] += learning_rate * (e - reg * item_bias[i])
            for f in range(n_factors):
                p, q = P[u, f], Q[i, f]
                P[u, f] += learning_rate * (e * q - reg * p)
                Q[i, f] += learning_rate * (e * p - reg * q)
        return squared_error
    pu = np.empty((batch_size, n_factors))  # the batch's rows as they were before the step
    qi = np.empty((batch_size, n_factors))
    bu = np.empty(batch_size)
    bi = np.empty(batch_size)
    error = np.empty(batch_size)
    squared_error = 0.0
    n = order.size
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        for k in range(stop - start):
            r = order[start + k]
            u, i = users[r], items[r]
            dot = 0.0
            for f in range(n_factors):
                pu[k, f] = P[u, f]
                qi[k, f] = Q[i, f]
                dot += pu[k, f] * qi[k, f]
            bu[k], bi[k] = user_bias[u], item_bias[i]
            error[k] = ratings[r] - (mu + bu[k] + bi[k] + dot)
            squared_error += error[k] * error[k]
        for k in range(stop - start):
            r = order[start + k]
            u, i, e = users[r], items[r], error[k]
            user_bias[u] += learning_rate * (e - reg * bu[k])
            item_bias[i] += learning_rate * (e - reg * bi[k])
            for f in range(n_factors):
                P[u, f] += learning_rate * (e * qi[k, f] - reg * pu[k, f])
                Q[i, f] += learning_rate * (e * pu[k, f] - reg * qi[k, f])
    return squared_error


_sgd_epoch_numba = _jit(_sgd_epoch_loops)


def sgd_epoch(users, items, ratings, order, P, Q, user_bias, item_bias, mu, learning_rate, reg, batch_size):
    """:func:`sgd_epoch_numpy`, compiled when :func:`numba_enabled` (same arguments, same result)."""
    if not numba_enabled():
        return sgd_epoch_numpy(users, items, ratings, order, P, Q, user_bias, item_bias, mu, learning_rate, reg, batch_size)
    return float(_sgd_epoch_numba(users, items, ratings, order, P, Q, user_bias, item_bias, float(mu), float(learning_rate),
                                  float(reg), int(batch_size)))


# -- ALS: one ridge regression per row ------------------------------------------------------
def als_solve_rows_numpy(indicator, weighted_targets, design, ridge, base_gram=None, chunk_size: int = 4096):
    """Solve one ridge regression per row of a sparse matrix, all at once (NumPy).

    Row ``r`` solves ``(base_gram + sum_j w_rj d_j d_j^T + diag(ridge_r)) x_r = sum_j t_rj d_j``
    over the row's stored entries ``j``, with ``w`` the values of ``indicator``, ``t`` those
    of ``weighted_targets`` (same pattern) and ``d_j = design[j]``. With ``B`` the indicator
    and ``QQ[j]`` the flattened ``d_j d_j^T``, ``B @ QQ`` holds every row's normal matrix at
    once; the solves are one batched ``numpy.linalg.solve`` per chunk of rows.

    Parameters
    ----------
    indicator, weighted_targets : csr_matrix of shape (n_rows, n_cols)
    design : ndarray of shape (n_cols, n_dims)
    ridge : ndarray of shape (n_dims,) or (n_rows, n_dims)
    base_gram : ndarray of shape (n_dims, n_dims) or None
    chunk_size : int, default=4096
        Rows solved together; bounds memory to ``chunk_size * n_dims^2`` floats.

    Returns
    -------
    X : ndarray of shape (n_rows, n_dims)
    """
    n_rows, n_dims = indicator.shape[0], design.shape[1]
    outer = np.einsum("ja,jb->jab", design, design).reshape(design.shape[0], n_dims * n_dims)
    rhs = weighted_targets @ design  # (n_rows, n_dims)
    solution = np.zeros((n_rows, n_dims))
    ridge = np.broadcast_to(np.asarray(ridge, dtype=np.float64), (n_rows, n_dims))
    base = np.zeros((n_dims, n_dims)) if base_gram is None else base_gram
    diagonal = np.arange(n_dims)
    for start in range(0, n_rows, chunk_size):
        stop = min(start + chunk_size, n_rows)
        grams = (indicator[start:stop] @ outer).reshape(stop - start, n_dims, n_dims) + base
        grams[:, diagonal, diagonal] += ridge[start:stop]
        solution[start:stop] = np.linalg.solve(grams, rhs[start:stop, :, None])[..., 0]
    return solution


def _als_solve_rows_loops(indptr, columns, weights, targets, design, ridge, base):
    n_rows, n_dims = indptr.size - 1, design.shape[1]
    solution = np.zeros((n_rows, n_dims))
    for row in numba.prange(n_rows):
        gram = base.copy()
        rhs = np.zeros(n_dims)
        for position in range(indptr[row], indptr[row + 1]):
            j, w, t = columns[position], weights[position], targets[position]
            for a in range(n_dims):
                scaled = w * design[j, a]
                rhs[a] += t * design[j, a]
                for b in range(a + 1):  # lower triangle: the gram is symmetric
                    gram[a, b] += scaled * design[j, b]
        for a in range(n_dims):
            gram[a, a] += ridge[row, a]
            for b in range(a):
                gram[b, a] = gram[a, b]
        # Cholesky factorisation gram = L L^T in place (lower triangle), then two triangular solves.
        for a in range(n_dims):
            total = gram[a, a]
            for c in range(a):
                total -= gram[a, c] * gram[a, c]
            gram[a, a] = np.sqrt(total)
            for b in range(a + 1, n_dims):
                total = gram[b, a]
                for c in range(a):
                    total -= gram[b, c] * gram[a, c]
                gram[b, a] = total / gram[a, a]
        for a in range(n_dims):
            total = rhs[a]
            for c in range(a):
                total -= gram[a, c] * rhs[c]
            rhs[a] = total / gram[a, a]
        for a in range(n_dims - 1, -1, -1):
            total = rhs[a]
            for c in range(a + 1, n_dims):
                total -= gram[c, a] * rhs[c]
            rhs[a] = total / gram[a, a]
        solution[row] = rhs
    return solution


_als_solve_rows_numba = None if numba is None else numba.njit(cache=True, nogil=True, parallel=True)(_als_solve_rows_loops)


def _same_pattern(indicator, weighted_targets):
    """Both as CSR, checked to store the same entries (the compiled kernels read one pattern)."""
    indicator, weighted_targets = sp.csr_matrix(indicator), sp.csr_matrix(weighted_targets)
    if not (np.array_equal(indicator.indptr, weighted_targets.indptr) and np.array_equal(indicator.indices, weighted_targets.indices)):
        raise ValueError(error_message("weighted_targets", "the sparsity pattern of indicator (same indptr and indices)", "a different pattern",
                                       "Build both from one matrix: copy it and replace .data."))
    return indicator, weighted_targets


def als_solve_rows(indicator, weighted_targets, design, ridge, base_gram=None, chunk_size: int = 4096):
    """:func:`als_solve_rows_numpy`, compiled when :func:`numba_enabled` (same arguments, same result).

    The compiled kernel builds each row's normal matrix from that row's entries only and
    solves it by Cholesky, rows in parallel; it needs the normal matrices to be positive
    definite (a positive ``ridge``), as ALS's always are.
    """
    if not numba_enabled():
        return als_solve_rows_numpy(indicator, weighted_targets, design, ridge, base_gram, chunk_size)
    indicator, weighted_targets = _same_pattern(indicator, weighted_targets)
    n_rows, n_dims = indicator.shape[0], design.shape[1]
    ridge = np.ascontiguousarray(np.broadcast_to(np.asarray(ridge, dtype=np.float64), (n_rows, n_dims)))
    base = np.zeros((n_dims, n_dims)) if base_gram is None else np.ascontiguousarray(base_gram, dtype=np.float64)
    return _als_solve_rows_numba(indicator.indptr.astype(np.int64), indicator.indices.astype(np.int64),
                                 np.asarray(indicator.data, dtype=np.float64), np.asarray(weighted_targets.data, dtype=np.float64),
                                 np.ascontiguousarray(design, dtype=np.float64), ridge, base)

