"""Rating datasets: MovieLens-100K (and its five official folds) and synthetic ratings with
planted structure, calibrated to behave like it (its stand-in).

Ratings are kept as parallel 1-D arrays (one entry per rating), never as a dense
users x items matrix; :func:`fusionlab.recsys.matrix_from_ratings` gives the sparse matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .._validation import check_choice, error_message
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
    user_ages : ndarray of shape (n_users,), dtype int64, or None
        Age in years (MovieLens: ``u.user``).
    user_genders : ndarray of shape (n_users,), dtype str (``"F"`` or ``"M"``), or None
    user_occupations : ndarray of shape (n_users,), dtype int64, or None
        Index into ``occupation_names``.
    occupation_names : list of str or None
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
    user_ages: np.ndarray | None = None
    user_genders: np.ndarray | None = None
    user_occupations: np.ndarray | None = None
    occupation_names: list[str] | None = None

    @property
    def has_content(self) -> bool:
        """True when the items' genres and titles and the users' age, gender and occupation are known."""
        return all(value is not None for value in (self.item_titles, self.item_genres, self.user_ages, self.user_genders, self.user_occupations))

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


def _read_users(folder: Path, n_users: int):
    """``u.user`` (``id|age|gender|occupation|zip``) and ``u.occupation`` (one name a line), Latin-1."""
    names = [line.strip() for line in (folder / "u.occupation").read_bytes().decode("latin-1").splitlines() if line.strip()]
    index = {name: k for k, name in enumerate(names)}
    ages, genders, occupations = np.zeros(n_users, np.int64), np.full(n_users, "M"), np.zeros(n_users, np.int64)
    for line in (folder / "u.user").read_bytes().decode("latin-1").splitlines():
        if not line.strip():
            continue
        fields = line.split("|")
        try:
            user, age, gender, occupation = int(fields[0]), int(fields[1]), fields[2], index[fields[3]]
        except (IndexError, ValueError, KeyError) as exc:
            raise DatasetCorrupt(f"movielens-100k: {folder / 'u.user'} has a line that is not 'id|age|gender|occupation|zip' "
                                 f"with an occupation of u.occupation: {line!r} ({exc!r}).") from exc
        if 1 <= user <= n_users:
            ages[user - 1], genders[user - 1], occupations[user - 1] = age, gender, occupation
    return ages, genders, occupations, names


def _movielens_ratings(table: np.ndarray, n_users: int, n_items: int, items, users, name: str) -> Ratings:
    titles, genre_matrix, genre_names = items
    ages, genders, occupations, occupation_names = users
    return Ratings(
        user_ids=table[:, 0] - 1, item_ids=table[:, 1] - 1, ratings=table[:, 2].astype(np.float64),
        timestamps=table[:, 3], n_users=n_users, n_items=n_items, name=name,
        item_titles=titles, item_genres=genre_matrix, genre_names=genre_names,
        user_ages=ages, user_genders=genders, user_occupations=occupations, occupation_names=occupation_names,
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
    """Load MovieLens-100K: 100,000 ratings, 943 users, 1,682 items, with the films' titles and
    genres (``u.item``, Latin-1) and the users' age, gender and occupation (``u.user``).

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
    return _movielens_ratings(table, n_users, n_items, items, _read_users(folder, n_users), "MovieLens-100K")


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
    users = _read_users(folder, n_users)
    return [
        tuple(
            _movielens_ratings(_read_ratings_file(folder / f"u{k}.{part}"), n_users, n_items, items, users, f"MovieLens-100K u{k}.{part}")
            for part in ("base", "test")
        )
        for k in range(1, 6)
    ]


#: MovieLens-100K's statistics as :func:`rating_statistics` measures them on ``u.data``
#: (``tests/test_synthetic_ratings.py`` checks the stand-in against them, and, with
#: ``--real-data``, checks them against the real file).
MOVIELENS_100K_STATISTICS = {
    "n_ratings": 100_000, "n_users": 943, "n_items": 1682, "density": 0.0630,
    "star_shares": [0.0611, 0.1137, 0.2715, 0.3417, 0.2120], "mean": 3.530, "std": 1.126,
    "user_min": 20, "user_median": 65.0, "user_max": 737,
    "item_gini": 0.629, "item_top10_share": 0.427, "items_under_5": 333, "item_max": 583, "item_median": 27.0,
    "popularity_mean_corr": 0.516,
}


def rating_statistics(ratings: Ratings) -> dict:
    """The statistics by which the stand-in is compared with MovieLens-100K.

    Returns
    -------
    dict
        ``n_ratings``, ``n_users``, ``n_items``, ``density``; ``star_shares`` (of 1..5 stars),
        ``mean``, ``std`` (population) of the ratings; ``user_min``, ``user_median``,
        ``user_max`` ratings per user; ``item_gini`` (Gini coefficient of the ratings per item,
        over all items), ``item_top10_share`` (share of the ratings held by the 10% most rated
        items), ``items_under_5`` (items with fewer than 5 ratings), ``item_max``,
        ``item_median``; ``popularity_mean_corr`` (Pearson correlation, over rated items, of
        log(ratings of the item) with the item's mean rating).
    """
    stars = np.asarray(ratings.ratings, dtype=np.float64)
    per_user = np.bincount(ratings.user_ids, minlength=ratings.n_users)
    per_item = np.bincount(ratings.item_ids, minlength=ratings.n_items)
    ascending = np.sort(per_item)
    cumulative = np.cumsum(ascending)
    gini = (ascending.size + 1 - 2 * cumulative.sum() / cumulative[-1]) / ascending.size
    top = np.sort(per_item)[::-1][: int(round(0.1 * ratings.n_items))].sum() / stars.size
    rated = per_item > 0
    item_means = np.bincount(ratings.item_ids, stars, minlength=ratings.n_items)[rated] / per_item[rated]
    return {
        "n_ratings": int(stars.size), "n_users": int(ratings.n_users), "n_items": int(ratings.n_items),
        "density": float(ratings.density),
        "star_shares": [float(np.mean(stars == k)) for k in range(1, 6)],
        "mean": float(stars.mean()), "std": float(stars.std()),
        "user_min": int(per_user.min()), "user_median": float(np.median(per_user)), "user_max": int(per_user.max()),
        "item_gini": float(gini), "item_top10_share": float(top), "items_under_5": int(np.sum(per_item < 5)),
        "item_max": int(per_item.max()), "item_median": float(np.median(per_item)),
        "popularity_mean_corr": float(np.corrcoef(np.log(per_item[rated]), item_means)[0, 1]),
    }


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
    from .synthetic import make_synthetic_ratings

    prefer = check_choice(prefer, "prefer", ["movielens-100k", "synthetic"])
    if prefer == "synthetic":
        ratings = make_synthetic_ratings(random_state=random_state)
        if verbose:
            print(f"Using {ratings.describe()}.")
        return ratings
    return real_or_stand_in(
        "MovieLens-100K", lambda: load_movielens_100k(download=False),
        lambda: make_synthetic_ratings(random_state=random_state), verbose=verbose,
        description="synthetic ratings with planted structure, calibrated to behave like MovieLens-100K "
        "(943 users, 1,682 items, 100,000 ratings, the same shares of 1-5 stars, taste-driven choices)",
    )
