"""Small linear-algebra helpers shared by the data generators and the recommenders."""

from __future__ import annotations

import numpy as np


def dot_rows(A: np.ndarray, B: np.ndarray, rows: np.ndarray, columns: np.ndarray, chunk_size: int = 65_536) -> np.ndarray:
    """``A[rows[n]] . B[columns[n]]`` for every n, in chunks (memory O(chunk_size x rank)).

    Parameters
    ----------
    A : ndarray of shape (n_a, rank)
    B : ndarray of shape (n_b, rank)
    rows, columns : int arrays of shape (n_pairs,)
        Row indices into ``A`` and ``B``.
    chunk_size : int, default=65_536
        Pairs per chunk; the result does not depend on it.

    Returns
    -------
    ndarray of shape (n_pairs,)

    Examples
    --------
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]]); B = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> dot_rows(A, B, np.array([0, 1]), np.array([1, 0]))
    array([2., 3.])
    """
    out = np.empty(rows.size)
    for start in range(0, rows.size, chunk_size):
        stop = start + chunk_size
        out[start:stop] = np.einsum("nk,nk->n", A[rows[start:stop]], B[columns[start:stop]])  # (chunk,)
    return out
