"""Rating datasets: MovieLens-100K (and its five official folds) and synthetic ratings with
planted low-rank structure of the same shape.

Ratings are kept as parallel 1-D arrays (one entry per rating), never as a dense
users x items matrix; :func:`fusionlab.recsys.matrix_from_ratings` gives the sparse matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .._validation import check_choice, check_float, check_int, check_random_state, error_message
from .registry import DatasetCorrupt, extracted, get_entry, real_or_stand_in

MOVIELENS_GENRES_FALLBACK = 19


@dataclass(frozen=True, kw_only=True)
class Ratings:
    """Explicit ratings, one entry per (user, item) pair.

    Attributes
    ----------
    user_ids, item_ids : ndarray of shape (n_ratings,), dtype int64
        0-based contiguous indices (MovieLens id ``k`` is index ``k - 1``).
    ratings : ndarray of shape (n_ratings,), dtype float64
    timestamps : ndarray of shape (n_ratings,), dtype int64
        Unix seconds.
    n_users, n_items : int
    name : str
    is_stand_in : bool
        True when a stand-in replaced the dataset asked for.
    item_titles : list of str or None
    item_genres : ndarray of shape (n_items, n_genres), dtype bool, or None
    genre_names : list of str or None
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray
    n_users: int
    n_items: int
    name: str
    is_stand_in: bool = False
    item_titles: list[str] | None = None
    item_genres: np.ndarray | None = None
    genre_names: list[str] | None = None

    def __len__(self) -> int:
        return len(self.ratings)

    @property
    def n_ratings(self) -> int:
        return len(self.ratings)

    @property
    def density(self) -> float:
        return self.n_ratings / (self.n_users * self.n_items)

    def take(self, indices) -> "Ratings":
        """The ratings at ``indices`` (same users, items and metadata)."""
        indices = np.asarray(indices)
        return replace(
            self, user_ids=self.user_ids[indices], item_ids=self.item_ids[indices],
            ratings=self.ratings[indices], timestamps=self.timestamps[indices],
        )

    def describe(self) -> str:
        return (
            f"{self.name}: {self.n_ratings:,} ratings by {self.n_users:,} users on {self.n_items:,} items "
            f"(density {self.density:.2%}, mean rating {self.ratings.mean():.2f})"
        )


@dataclass(frozen=True, kw_only=True)
class SyntheticRatings(Ratings):
    """Synthetic ratings together with the structure planted in them.

    ``clean = global_mean + user_bias[u] + item_bias[i] + user_factors[u] @ item_factors[i]``;
    the observed rating is ``clean + noise``, rounded to whole stars and clipped to [1, 5].

    Attributes
    ----------
    user_factors : ndarray of shape (n_users, rank)
    item_factors : ndarray of shape (n_items, rank)
    user_bias : ndarray of shape (n_users,)
    item_bias : ndarray of shape (n_items,)
    global_mean : float
    noise_std : float
    clean_scores : ndarray of shape (n_ratings,)
        The planted score of each observed pair.
    oracle_rmse : float
        RMSE of the observed ratings against ``clean_scores``: roughly the floor a model that
        recovered the planted structure exactly would reach.
    """

    user_factors: np.ndarray = field(repr=False)
    item_factors: np.ndarray = field(repr=False)
    user_bias: np.ndarray = field(repr=False)
    item_bias: np.ndarray = field(repr=False)
    global_mean: float
    noise_std: float
    clean_scores: np.ndarray = field(repr=False)
    oracle_rmse: float


def _read_ratings_file(path: Path) -> np.ndarray:
    try:
        table = np.loadtxt(path, dtype=np.int64, delimiter="\t", ndmin=2)
    except ValueError as exc:
        raise DatasetCorrupt(f"movielens-100k: {path} is not 'user<TAB>item<TAB>rating<TAB>timestamp' lines ({exc}).") from exc
    if table.shape[1] != 4:
        raise DatasetCorrupt(f"movielens-100k: {path} has {table.shape[1]} columns, expected 4 (user, item, rating, timestamp).")
    if table[:, 2].min() < 1 or table[:, 2].max() > 5:
        raise DatasetCorrupt(f"movielens-100k: {path} has ratings outside 1-5.")
    return table


def _read_items(folder: Path):
    lines = (folder / "u.item").read_bytes().decode("latin-1").splitlines()
    genre_lines = [line for line in (folder / "u.genre").read_bytes().decode("latin-1").splitlines() if line.strip()]
    genre_names = [line.split("|")[0] for line in genre_lines]
    titles, genres = {}, {}
    for line in lines:
        if not line.strip():
            continue
        fields = line.split("|")  # id | title | release | video release | IMDb URL | genre flags
        item = int(fields[0])
        titles[item] = fields[1]
        genres[item] = [flag == "1" for flag in fields[5 : 5 + len(genre_names)]]
    n_items = max(titles)
    title_list = [titles.get(k, "") for k in range(1, n_items + 1)]
    genre_matrix = np.array([genres.get(k, [False] * len(genre_names)) for k in range(1, n_items + 1)], dtype=bool)
    return title_list, genre_matrix, genre_names


def _movielens_ratings(table: np.ndarray, n_users: int, n_items: int, items, name: str) -> Ratings:
    titles, genre_matrix, genre_names = items
    return Ratings(
        user_ids=table[:, 0] - 1, item_ids=table[:, 1] - 1, ratings=table[:, 2].astype(np.float64),
        timestamps=table[:, 3], n_users=n_users, n_items=n_items, name=name,
        item_titles=titles, item_genres=genre_matrix, genre_names=genre_names,
    )


def _movielens_folder(path, download) -> Path:
    if path is None:
        return extracted("movielens-100k", download=download)
    folder = Path(path)
    missing = [m for m in get_entry("movielens-100k").required if not (folder / m).is_file()]
    if missing:
        raise ValueError(error_message("path", "an unpacked ml-100k folder", str(folder), f"It lacks {missing}."))
    return folder


def load_movielens_100k(path=None, *, download: bool | None = None) -> Ratings:
    """Load MovieLens-100K: 100,000 ratings, 943 users, 1,682 items, with titles and genres.

    Parameters
    ----------
    path : path-like or None, default=None
        An unpacked ``ml-100k`` folder; ``None`` uses the cache (fetching it if allowed).
    download : bool or None, default=None
        See :func:`fusionlab.data.fetch`.
    """
    folder = _movielens_folder(path, download)
    items = _read_items(folder)
    table = _read_ratings_file(folder / "u.data")
    n_users = int(table[:, 0].max())
    n_items = max(len(items[0]), int(table[:, 1].max()))
    return _movielens_ratings(table, n_users, n_items, items, "MovieLens-100K")


def load_movielens_100k_folds(path=None, *, download: bool | None = None) -> list[tuple[Ratings, Ratings]]:
    """The five official cross-validation folds ``u1.base/u1.test`` ... ``u5.base/u5.test``.

    Users and items are indexed as in :func:`load_movielens_100k` (id - 1) in every fold.

    Returns
    -------
    folds : list of 5 (train, test) pairs of Ratings
    """
    folder = _movielens_folder(path, download)
    items = _read_items(folder)
    full = _read_ratings_file(folder / "u.data")
    n_users, n_items = int(full[:, 0].max()), max(len(items[0]), int(full[:, 1].max()))
    return [
        tuple(
            _movielens_ratings(_read_ratings_file(folder / f"u{k}.{part}"), n_users, n_items, items, f"MovieLens-100K u{k}.{part}")
            for part in ("base", "test")
        )
        for k in range(1, 6)
    ]


def _long_tail(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Zipf-like sampling probabilities over ``n`` entities in a random order."""
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(weights / weights.sum())


def make_synthetic_ratings(
    n_users: int = 943,
    n_items: int = 1682,
    n_ratings: int = 100_000,
    *,
    rank: int = 10,
    noise_std: float = 0.5,
    global_mean: float = 3.53,
    popularity_exponent: float = 0.9,
    random_state=0,
) -> SyntheticRatings:
    """Synthetic 1-5 star ratings with planted biases and low-rank factors.

    By default the shape of MovieLens-100K: 943 users, 1,682 items, 100,000 ratings, mean near
    3.53, long-tailed item popularity and user activity. Pairs are sampled without building a
    dense users x items matrix, so 10 million ratings take a few seconds and about 1 GB.

    Parameters
    ----------
    n_users, n_items : int, default=943, 1682
    n_ratings : int, default=100_000
        At most half of all ``n_users * n_items`` pairs.
    rank : int, default=10
        Dimension of the planted factors.
    noise_std : float, default=0.5
        Standard deviation of the Gaussian noise added before rounding.
    global_mean : float, default=3.53
    popularity_exponent : float, default=0.9
        Zipf exponent of item popularity (user activity uses 0.6 of it); 0 gives uniform.
    random_state : int, Generator or None, default=0

    Returns
    -------
    SyntheticRatings

    See Also
    --------
    load_movielens_100k : the real dataset this imitates.
    """
    n_users = check_int(n_users, "n_users", low=1)
    n_items = check_int(n_items, "n_items", low=1)
    max_ratings = (n_users * n_items) // 2
    n_ratings = check_int(
        n_ratings, "n_ratings", low=1, high=max(1, max_ratings),
        fix="Ask for fewer ratings or more users/items (at most half of all user-item pairs are rated).",
    )
    rank = check_int(rank, "rank", low=1, high=min(n_users, n_items))
    noise_std = check_float(noise_std, "noise_std", low=0.0)
    global_mean = check_float(global_mean, "global_mean", low=1.0, high=5.0)
    popularity_exponent = check_float(popularity_exponent, "popularity_exponent", low=0.0, high=3.0)
    rng = check_random_state(random_state)

    user_bias = rng.normal(0.0, 0.35, size=n_users)
    item_bias = rng.normal(0.0, 0.45, size=n_items)
    scale = np.sqrt(0.5 / rank)  # the factor term p_u . q_i has variance 0.25 / rank (sd 0.16 at rank 10)
    user_factors = rng.normal(0.0, scale, size=(n_users, rank))
    item_factors = rng.normal(0.0, scale, size=(n_items, rank))

    user_p = _long_tail(n_users, 0.6 * popularity_exponent, rng)
    item_p = _long_tail(n_items, popularity_exponent, rng)
    codes = np.empty(0, dtype=np.int64)  # user * n_items + item, unique
    while len(codes) < n_ratings:
        wanted = int((n_ratings - len(codes)) * 1.3) + 16
        users = rng.choice(n_users, size=wanted, p=user_p)
        items = rng.choice(n_items, size=wanted, p=item_p)
        codes = np.union1d(codes, users.astype(np.int64) * n_items + items)
    codes = rng.permutation(codes)[:n_ratings]
    user_ids, item_ids = np.divmod(codes, n_items)

    clean = np.empty(n_ratings)
    for start in range(0, n_ratings, 1_000_000):  # chunks keep memory flat at 10M ratings
        u, i = user_ids[start : start + 1_000_000], item_ids[start : start + 1_000_000]
        clean[start : start + len(u)] = (
            global_mean + user_bias[u] + item_bias[i] + np.einsum("nk,nk->n", user_factors[u], item_factors[i])
        )
    observed = np.clip(np.round(clean + rng.normal(0.0, noise_std, size=n_ratings)), 1, 5)
    start_time = 874_724_710  # 1997-09-20, MovieLens-100K's first day
    timestamps = start_time + np.sort(rng.integers(0, 215 * 86_400, size=n_ratings))
    return SyntheticRatings(
        user_ids=user_ids.astype(np.int64), item_ids=item_ids.astype(np.int64), ratings=observed,
        timestamps=timestamps.astype(np.int64)[rng.permutation(n_ratings)], n_users=n_users, n_items=n_items,
        name="synthetic ratings", user_factors=user_factors, item_factors=item_factors,
        user_bias=user_bias, item_bias=item_bias, global_mean=global_mean, noise_std=noise_std,
        clean_scores=clean, oracle_rmse=float(np.sqrt(np.mean((observed - clean) ** 2))),
    )


def load_ratings_dataset(prefer: str = "movielens-100k", *, random_state=0, verbose: bool = True) -> Ratings:
    """The ratings for a notebook: MovieLens-100K if cached, else a named synthetic stand-in.

    Never downloads. When MovieLens-100K is not cached, prints which stand-in is used, why, and
    how to get the real data; nothing is substituted silently.

    Parameters
    ----------
    prefer : {"movielens-100k", "synthetic"}, default="movielens-100k"
    random_state : int, default=0
        Seeds the synthetic stand-in.
    verbose : bool, default=True
    """
    prefer = check_choice(prefer, "prefer", ["movielens-100k", "synthetic"])
    if prefer == "synthetic":
        ratings = make_synthetic_ratings(random_state=random_state)
        if verbose:
            print(f"Using {ratings.describe()}.")
        return ratings
    return real_or_stand_in(
        "MovieLens-100K", lambda: load_movielens_100k(download=False),
        lambda: make_synthetic_ratings(random_state=random_state), verbose=verbose,
        description="synthetic ratings with planted low-rank structure, of the same shape "
        "(943 users, 1,682 items, 100,000 ratings, 1-5 stars)",
    )
