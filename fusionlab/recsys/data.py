"""Ratings as sparse matrices: id maps, the users x items matrix, splits, MovieLens folds.

A rating matrix is a ``scipy.sparse.csr_matrix`` of shape ``(n_users, n_items)`` whose *stored*
entries are the observed ratings. A missing rating is simply not stored: it is never a rating of
0 (the source article's toy example treats it as one, see chapter 4.2). Nothing here builds a
dense users x items array.

MovieLens-100K and its official folds are read by :mod:`fusionlab.data`
(``load_movielens_100k``, ``load_movielens_100k_folds``); :func:`matrix_from_ratings` turns
their ``Ratings`` into the sparse matrix.

Splitters return index arrays into the rating triplets, like scikit-learn's splitters, so the
same split can feed a sparse matrix, a Keras model or a metric.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import check_array, check_consistent_length, check_float, check_int, check_random_state, error_message

__all__ = [
    "IdMap",
    "check_ratings_matrix",
    "ratings_matrix",
    "random_split",
    "per_user_holdout",
    "leave_last_out",
    "matrix_from_ratings",
    "sparse_bytes",
    "dense_bytes",
]


class IdMap:
    """Two-way map between raw ids (strings, ints) and contiguous 0-based indices.

    Parameters
    ----------
    ids : array-like of shape (n_ids,)
        Raw ids; duplicates are allowed and kept once, in order of first appearance.

    Attributes
    ----------
    ids_ : ndarray of shape (n_unique,)
        The raw id of each index.

    Examples
    --------
    >>> users = IdMap(["u1", "u2", "u1", "u3"])
    >>> users.to_index(["u3", "u1"]).tolist(), users.to_id([1]).tolist()
    ([2, 0], ['u2'])
    """

    def __init__(self, ids, name: str = "id"):
        raw = np.asarray(ids)
        if raw.ndim != 1 or raw.size == 0:
            raise ValueError(error_message("ids", "a non-empty 1-D array of raw ids", f"array of shape {raw.shape}", "Pass one id per rating."))
        _, first = np.unique(raw, return_index=True)
        self.ids_ = raw[np.sort(first)]
        self.name = name
        self._index = {value: position for position, value in enumerate(self.ids_.tolist())}

    def __len__(self) -> int:
        return len(self.ids_)

    def to_index(self, ids) -> np.ndarray:
        """Return the index of each raw id; an unknown id raises ``KeyError`` naming it."""
        values = np.atleast_1d(np.asarray(ids)).tolist()
        try:
            return np.array([self._index[value] for value in values], dtype=np.int64)
        except KeyError as exc:
            raise KeyError(
                error_message(self.name, f"one of the {len(self)} known ids", exc.args[0], "Cold-start ids have no index; see recommend(..., fallback) or fit on data that contains them.")
            ) from None

    def to_id(self, indices) -> np.ndarray:
        """Return the raw id of each index."""
        indices = np.atleast_1d(np.asarray(indices))
        if indices.dtype.kind not in "iu" or indices.size and (indices.min() < 0 or indices.max() >= len(self)):
            raise ValueError(error_message("indices", f"ints in [0, {len(self) - 1}]", indices.tolist()[:5], "Use indices returned by to_index or by a model."))
        return self.ids_[indices]


def ratings_matrix(user_ids, item_ids, ratings=None, *, shape=None) -> sp.csr_matrix:
    """Build the sparse users x items rating matrix from rating triplets.

    Parameters
    ----------
    user_ids, item_ids : array-like of int of shape (n_ratings,)
        0-based indices (map raw ids with :class:`IdMap` first).
    ratings : array-like of shape (n_ratings,), default=None
        Finite, non-zero ratings. ``None`` stores 1 for every pair (implicit feedback).
    shape : tuple (n_users, n_items), default=None
        Defaults to one more than the largest index on each axis.

    Returns
    -------
    R : scipy.sparse.csr_matrix of shape (n_users, n_items), float64
        Sorted indices, one stored entry per observed rating.

    Raises
    ------
    ValueError
        On a repeated (user, item) pair (scipy would silently add them up), a rating of 0
        (indistinguishable from "missing" in a sparse matrix), non-finite ratings, or indices
        outside ``shape``.
    """
    users = check_array(user_ids, "user_ids", ndim=1, dtype=None)
    items = check_array(item_ids, "item_ids", ndim=1, dtype=None)
    for name, values in (("user_ids", users), ("item_ids", items)):
        if values.dtype.kind not in "iu":
            raise TypeError(error_message(name, "an array of int indices", f"dtype {values.dtype}", "Map raw ids to indices with IdMap(ids).to_index(ids)."))
    if ratings is None:
        values = np.ones(len(users))
    else:
        values = check_array(ratings, "ratings", ndim=1)
    check_consistent_length(user_ids=users, item_ids=items, ratings=values)
    if np.any(values == 0):
        raise ValueError(
            error_message("ratings", "non-zero (a sparse matrix cannot tell a 0 rating from a missing one)", f"{int(np.sum(values == 0))} zero rating(s)", "Shift the scale (e.g. 0-4 -> 1-5) or drop the pairs that were never rated.")
        )
    if shape is None:
        shape = (int(users.max()) + 1, int(items.max()) + 1)
    n_users, n_items = shape
    if users.min() < 0 or users.max() >= n_users or items.min() < 0 or items.max() >= n_items:
        raise ValueError(
            error_message("user_ids/item_ids", f"indices inside shape={tuple(shape)}", f"users in [{users.min()}, {users.max()}], items in [{items.min()}, {items.max()}]", "Pass the full shape of the data set.")
        )
    keys = users.astype(np.int64) * n_items + items
    if np.unique(keys).size != keys.size:
        raise ValueError(
            error_message("user_ids/item_ids", "each (user, item) pair at most once", f"{keys.size - np.unique(keys).size} repeated pair(s)", "Keep the latest rating of each pair before building the matrix.")
        )
    matrix = sp.csr_matrix((values.astype(np.float64), (users, items)), shape=(n_users, n_items))
    matrix.sort_indices()
    return matrix


def check_ratings_matrix(R, name: str = "R") -> sp.csr_matrix:
    """Validate a sparse rating matrix and return it as sorted float64 CSR.

    Dense arrays are refused on purpose: in a dense array a missing rating would have to be
    a number, and the article's bug (missing = 0) would come straight back.
    """
    if not sp.issparse(R):
        raise TypeError(
            error_message(name, "a scipy.sparse matrix of shape (n_users, n_items)", type(R).__name__, "Build it with fusionlab.recsys.ratings_matrix(user_ids, item_ids, ratings); missing ratings must not be stored.")
        )
    if R.ndim != 2 or R.shape[0] < 1 or R.shape[1] < 1:
        raise ValueError(error_message(name, "a 2-D matrix with at least one user and one item", f"shape {R.shape}", "Pass the users x items matrix."))
    R = sp.csr_matrix(R, dtype=np.float64)
    R.sum_duplicates()
    R.sort_indices()
    if not np.all(np.isfinite(R.data)):
        raise ValueError(
            error_message(name, "finite ratings", f"{int(np.sum(~np.isfinite(R.data)))} non-finite rating(s)", "Drop NaN/inf ratings: a missing rating is simply not stored.")
        )
    if R.nnz == 0:
        raise ValueError(error_message(name, "at least one observed rating", "an empty matrix", "Fit on a matrix with ratings."))
    return R


def _check_triplets(user_ids, item_ids):
    users = check_array(user_ids, "user_ids", ndim=1, dtype=np.int64)
    items = check_array(item_ids, "item_ids", ndim=1, dtype=np.int64)
    check_consistent_length(user_ids=users, item_ids=items)
    return users, items


def random_split(n_ratings: int, *, test_size: float = 0.2, random_state=None):
    """Split rating indices uniformly at random into train and test.

    Parameters
    ----------
    n_ratings : int
        Number of ratings.
    test_size : float in (0, 1), default=0.2
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    train_index, test_index : ndarray of int64, sorted

    See Also
    --------
    sklearn.model_selection.train_test_split : the same split for any arrays.
    """
    n_ratings = check_int(n_ratings, "n_ratings", low=2, fix="Split at least two ratings.")
    test_size = check_float(test_size, "test_size", low=0, high=1, low_inclusive=False, high_inclusive=False, fix="Use e.g. test_size=0.2.")
    rng = check_random_state(random_state)
    order = rng.permutation(n_ratings)
    n_test = max(1, int(round(test_size * n_ratings)))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def per_user_holdout(user_ids, *, test_size: float = 0.2, random_state=None):
    """Hold out a fraction of each user's ratings, keeping at least one in train.

    Every user with two or more ratings appears in both sets, so every test user has a
    history to recommend from. Users with a single rating stay in train.

    Returns
    -------
    train_index, test_index : ndarray of int64, sorted
    """
    users = check_array(user_ids, "user_ids", ndim=1, dtype=np.int64)
    test_size = check_float(test_size, "test_size", low=0, high=1, low_inclusive=False, high_inclusive=False, fix="Use e.g. test_size=0.2.")
    rng = check_random_state(random_state)
    order = np.lexsort((rng.random(len(users)), users))  # users grouped, random order inside
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, len(users)])
    rank = np.arange(len(users)) - np.repeat(starts, counts)
    n_test = np.minimum(np.floor(test_size * counts + 0.5).astype(np.int64), counts - 1)
    n_test = np.where(counts >= 2, np.maximum(n_test, 1), 0)
    is_test = rank < np.repeat(n_test, counts)
    return np.sort(order[~is_test]), np.sort(order[is_test])


def leave_last_out(user_ids, timestamps, *, n_last: int = 1):
    """Hold out each user's ``n_last`` most recent ratings (ties broken by position).

    Users with at most ``n_last`` ratings stay entirely in train. This is the protocol of
    He et al. (2017) for NeuMF: predict what a user did next from what they did before.

    Returns
    -------
    train_index, test_index : ndarray of int64, sorted
    """
    users = check_array(user_ids, "user_ids", ndim=1, dtype=np.int64)
    times = check_array(timestamps, "timestamps", ndim=1, dtype=np.float64)
    check_consistent_length(user_ids=users, timestamps=times)
    n_last = check_int(n_last, "n_last", low=1, fix="Hold out at least one rating per user.")
    order = np.lexsort((np.arange(len(users)), -times, users))  # per user, newest first
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, len(users)])
    rank = np.arange(len(users)) - np.repeat(starts, counts)
    is_test = (rank < n_last) & (np.repeat(counts, counts) > n_last)
    return np.sort(order[~is_test]), np.sort(order[is_test])


def sparse_bytes(R) -> int:
    """Bytes a CSR matrix holds: its values, column indices and row pointers (grows with the ratings)."""
    R = sp.csr_matrix(R)
    return int(R.data.nbytes + R.indices.nbytes + R.indptr.nbytes)


def dense_bytes(n_users: int, n_items: int, *, itemsize: int = 8) -> int:
    """Bytes of a dense ``n_users x n_items`` array of ``itemsize``-byte numbers (float64: 8)."""
    n_users = check_int(n_users, "n_users", low=1)
    n_items = check_int(n_items, "n_items", low=1)
    return n_users * n_items * check_int(itemsize, "itemsize", low=1)


def matrix_from_ratings(ratings, indices=None) -> sp.csr_matrix:
    """The sparse matrix of a :class:`fusionlab.data.Ratings` (or of its ``indices`` subset).

    The shape is always the full ``(n_users, n_items)``, so train and test matrices align.
    """
    for attribute in ("user_ids", "item_ids", "ratings", "n_users", "n_items"):
        if not hasattr(ratings, attribute):
            raise TypeError(error_message("ratings", "a fusionlab.data.Ratings", type(ratings).__name__, "Load it with fusionlab.data.load_ratings_dataset()."))
    take = slice(None) if indices is None else np.asarray(indices)
    return ratings_matrix(ratings.user_ids[take], ratings.item_ids[take], ratings.ratings[take], shape=(ratings.n_users, ratings.n_items))
