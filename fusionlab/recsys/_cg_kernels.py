"""ALS by conjugate gradient: a few warm-started CG steps per row instead of an exact solve.

The exact row solves of :func:`fusionlab.recsys._kernels.als_solve_rows` form one
``n_factors x n_factors`` normal matrix per user (or item) and factor it; conjugate gradient
needs only matrix-vector products with it, which can be formed from the row's entries without
the matrix. Started from the previous ALS iterate, three steps per row and half-step are about
as good as the exact solve (Takacs, Pilaszy & Tikk 2011; the ``implicit`` package's default).

As in :mod:`fusionlab.recsys._kernels`, :func:`als_cg_rows` is compiled with Numba when
:func:`~fusionlab.recsys._kernels.numba_enabled`, and :func:`als_cg_rows_numpy` is its NumPy
twin (equal up to rounding; the tests pin them together).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._kernels import _same_pattern, numba, numba_enabled

__all__ = ["CG_TOLERANCE", "als_cg_rows", "als_cg_rows_numpy"]

#: A row whose squared residual falls below this stops early (implicit's threshold).
CG_TOLERANCE = 1e-20


def als_cg_rows_numpy(indicator, weighted_targets, design, ridge, base_gram, start, n_steps: int = 3, chunk_size: int = 4096):
    """Approximate :func:`als_solve_rows_numpy` by ``n_steps`` of conjugate gradient from ``start``.

    Row ``r`` solves the same system ``A_r x_r = b_r``, ``A_r = base_gram + sum_j w_rj d_j d_j^T +
    diag(ridge_r)``, ``b_r = sum_j t_rj d_j``, without forming ``A_r``: each step needs only
    ``A_r p = base_gram p + ridge_r * p + sum_j w_rj (d_j . p) d_j``, O(n_r x n_dims + n_dims^2)
    for a row with ``n_r`` entries instead of the O(n_r x n_dims^2 + n_dims^3) of an exact
    solve. Started from the previous ALS iterate, three steps are about as good as the exact
    solve (Takacs, Pilaszy & Tikk 2011; the ``implicit`` package's default). After ``n_dims``
    steps CG reaches the exact solution (in exact arithmetic).

    A row stops once its squared residual ``|b_r - A_r x_r|^2`` falls below
    :data:`CG_TOLERANCE` (rows already there at ``start`` are left as they are).

    Parameters
    ----------
    indicator, weighted_targets, design, ridge, base_gram : as :func:`als_solve_rows_numpy`
        (``base_gram`` may be None).
    start : ndarray of shape (n_rows, n_dims)
        The warm start (the previous iterate); not modified.
    n_steps : int, default=3
    chunk_size : int, default=4096
        Rows processed together (memory O(entries of the chunk x n_dims)).

    Returns
    -------
    X : ndarray of shape (n_rows, n_dims)
    """
    indicator, weighted_targets = sp.csr_matrix(indicator), sp.csr_matrix(weighted_targets)
    n_rows, n_dims = indicator.shape[0], design.shape[1]
    ridge = np.broadcast_to(np.asarray(ridge, dtype=np.float64), (n_rows, n_dims))
    base = np.zeros((n_dims, n_dims)) if base_gram is None else np.asarray(base_gram, dtype=np.float64)
    solution = np.array(start, dtype=np.float64, copy=True)
    for first in range(0, n_rows, chunk_size):
        last = min(first + chunk_size, n_rows)
        weights, targets = indicator[first:last], weighted_targets[first:last]
        rows = np.repeat(np.arange(last - first), np.diff(weights.indptr))
        chosen = design[weights.indices]  # (n_entries, n_dims)

        def product(V, weights=weights, rows=rows, chosen=chosen):  # A_r v_r for every row of V
            along = weights.data * np.einsum("nd,nd->n", chosen, V[rows])  # w_rj (d_j . v_r)
            spread = sp.csr_matrix((along, weights.indices, weights.indptr), shape=weights.shape)
            return V @ base.T + ridge[first:last] * V + spread @ design

        x = solution[first:last]  # a view: updated in place
        r = targets @ design - product(x)  # (chunk, n_dims)
        p = r.copy()
        rs_old = np.einsum("rd,rd->r", r, r)
        active = rs_old >= CG_TOLERANCE
        for _ in range(n_steps):
            if not active.any():
                break
            Ap = product(p)
            step = np.where(active, rs_old / np.where(active, np.einsum("rd,rd->r", p, Ap), 1.0), 0.0)
            x += step[:, None] * p
            r -= step[:, None] * Ap
            rs_new = np.einsum("rd,rd->r", r, r)
            active &= rs_new >= CG_TOLERANCE
            p = np.where(active[:, None], r + (rs_new / np.where(rs_old > 0, rs_old, 1.0))[:, None] * p, p)
            rs_old = np.where(active, rs_new, rs_old)
    return solution


def _als_cg_rows_loops(indptr, columns, weights, targets, design, ridge, base, solution, n_steps, n_chunks):
    # r = b - A x and A p are written out in place: a shared helper for them (even inlined) measured
    # 1.5x slower per iteration (1M interactions, 32 factors).
    n_rows, n_dims = indptr.size - 1, design.shape[1]
    chunk = (n_rows + n_chunks - 1) // n_chunks
    for block in numba.prange(n_chunks):
        r, p, Ap = np.empty(n_dims), np.empty(n_dims), np.empty(n_dims)
        for row in range(block * chunk, min((block + 1) * chunk, n_rows)):
            x = solution[row]
            for a in range(n_dims):  # r = b - A x
                total = -ridge[row, a] * x[a]
                for b in range(n_dims):
                    total -= base[a, b] * x[b]
                r[a] = total
            for position in range(indptr[row], indptr[row + 1]):
                j = columns[position]
                dot = 0.0
                for a in range(n_dims):
                    dot += design[j, a] * x[a]
                coefficient = targets[position] - weights[position] * dot
                for a in range(n_dims):
                    r[a] += coefficient * design[j, a]
            rs_old = 0.0
            for a in range(n_dims):
                p[a] = r[a]
                rs_old += r[a] * r[a]
            if rs_old < CG_TOLERANCE:
                continue
            for _ in range(n_steps):
                for a in range(n_dims):  # Ap = A p
                    total = ridge[row, a] * p[a]
                    for b in range(n_dims):
                        total += base[a, b] * p[b]
                    Ap[a] = total
                for position in range(indptr[row], indptr[row + 1]):
                    j = columns[position]
                    dot = 0.0
                    for a in range(n_dims):
                        dot += design[j, a] * p[a]
                    coefficient = weights[position] * dot
                    for a in range(n_dims):
                        Ap[a] += coefficient * design[j, a]
                curvature = 0.0
                for a in range(n_dims):
                    curvature += p[a] * Ap[a]
                step = rs_old / curvature
                rs_new = 0.0
                for a in range(n_dims):
                    x[a] += step * p[a]
                    r[a] -= step * Ap[a]
                    rs_new += r[a] * r[a]
                if rs_new < CG_TOLERANCE:
                    break
                for a in range(n_dims):
                    p[a] = r[a] + rs_new / rs_old * p[a]
                rs_old = rs_new
    return solution


_als_cg_rows_numba = None if numba is None else numba.njit(cache=True, nogil=True, parallel=True, fastmath=True)(_als_cg_rows_loops)


def als_cg_rows(indicator, weighted_targets, design, ridge, base_gram, start, n_steps: int = 3):
    """:func:`als_cg_rows_numpy`, compiled when :func:`numba_enabled` (same arguments, same
    result up to rounding: ``fastmath`` reassociates the dot products)."""
    if not numba_enabled():
        return als_cg_rows_numpy(indicator, weighted_targets, design, ridge, base_gram, start, n_steps)
    indicator, weighted_targets = _same_pattern(indicator, weighted_targets)
    n_rows, n_dims = indicator.shape[0], design.shape[1]
    ridge = np.ascontiguousarray(np.broadcast_to(np.asarray(ridge, dtype=np.float64), (n_rows, n_dims)))
    base = np.zeros((n_dims, n_dims)) if base_gram is None else np.ascontiguousarray(base_gram, dtype=np.float64)
    solution = np.array(start, dtype=np.float64, copy=True, order="C")
    return _als_cg_rows_numba(indicator.indptr.astype(np.int64), indicator.indices.astype(np.int64),
                              np.asarray(indicator.data, dtype=np.float64), np.asarray(weighted_targets.data, dtype=np.float64),
                              np.ascontiguousarray(design, dtype=np.float64), ridge, base, solution, int(n_steps),
                              max(1, min(n_rows, 64 * numba.get_num_threads())))
