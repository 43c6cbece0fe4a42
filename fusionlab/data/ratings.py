"""Rating datasets: MovieLens-100K (and its five official folds) and synthetic ratings with
planted low-rank structure of the same shape.

Ratings are kept as parallel 1-D arrays (one entry per rating), never as a dense
users x items matrix; :meth:`Ratings.to_csr` gives the sparse matrix.
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

    def to_csr(self):
        """The ratings as a ``scipy.sparse.csr_matrix`` of shape (n_users, n_items)."""
        from scipy.sparse import csr_matrix

        return csr_matrix((self.ratings, (self.user_ids, self.item_ids)), shape=(self.n_users, self.n_items))

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
    """Synthetic ratings together with the structure planted in them (see :func:`make_synthetic_ratings`).

    A pair's latent score is ``user_bias[u] + item_bias[i] + user_factors[u] @ item_factors[i]``;
    adding Gaussian noise (``noise_std``) and cutting at ``thresholds`` gives the stars.

    Attributes
    ----------
    user_factors : ndarray of shape (n_users, rank)
        Taste in ratings.
    item_factors : ndarray of shape (n_items, rank)
    choice_factors : ndarray of shape (n_users, rank)
        Taste in *choosing* films (correlated with ``user_factors``), scored against ``item_factors``.
    item_popularity : ndarray of shape (n_items,)
        The probability of each item being drawn as a candidate (sums to 1).
    user_bias : ndarray of shape (n_users,)
    item_bias : ndarray of shape (n_items,)
        Correlated with log popularity: popular films are rated higher, as on MovieLens.
    thresholds : ndarray of shape (4,)
        Latent cut points between 1|2, 2|3, 3|4 and 4|5 stars.
    global_mean : float
        Mean of the observed stars.
    noise_std : float
    clean_scores : ndarray of shape (n_ratings,)
        The expected number of stars of each observed pair given its latent score (the best
        possible prediction from the planted structure).
    oracle_rmse : float
        RMSE of the observed ratings against ``clean_scores``: the floor a model that recovered
        the planted structure exactly would reach.
    """

    user_factors: np.ndarray = field(repr=False)
    item_factors: np.ndarray = field(repr=False)
    choice_factors: np.ndarray = field(repr=False)
    item_popularity: np.ndarray = field(repr=False)
    user_bias: np.ndarray = field(repr=False)
    item_bias: np.ndarray = field(repr=False)
    thresholds: np.ndarray = field(repr=False)
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


#: MovieLens-100K's shares of 1, 2, 3, 4 and 5 stars (measured on u.data).
MOVIELENS_STAR_SHARES = (0.06110, 0.11370, 0.27145, 0.34174, 0.21201)

# Calibrated so that the default stand-in reproduces MovieLens-100K's statistics and the model
# orderings of chapter 4.2 (tests/test_synthetic_ratings.py checks both).
_ACTIVITY_SHAPE = 0.65      # gamma shape of each user's ratings beyond the minimum
_USER_BIAS_STD = 0.45       # latent units; the noise has standard deviation noise_std (1)
_ITEM_BIAS_STD = 0.75
_TASTE_STD = 0.65           # standard deviation of user_factors @ item_factors over random pairs
_BIAS_POPULARITY_CORR = 0.72 # correlation of item bias with (standardised) log popularity
_CHOICE_TASTE_CORR = 0.4    # correlation of each choice factor with the rating factor
_SPECTRUM_DECAY = 1.0       # taste dimension k has weight k ** -decay (a few dimensions dominate)


def _ratings_per_user(n_users: int, n_items: int, n_ratings: int, min_user_ratings: int, rng) -> np.ndarray:
    """Each user's number of ratings: ``min_user_ratings`` plus a gamma-distributed share of the
    rest, at most ``n_items`` each, summing to exactly ``n_ratings`` (largest remainders)."""
    base = min(min_user_ratings, n_ratings // n_users)
    excess = n_ratings - base * n_users
    weights = rng.gamma(_ACTIVITY_SHAPE, size=n_users)
    cap = float(n_items - base)
    share, free = np.zeros(n_users), np.ones(n_users, dtype=bool)
    while True:  # water-filling: users at the cap keep it, the rest share what is left
        left = excess - share.sum()
        proposal = np.where(free, weights, 0.0)
        proposal = proposal / proposal.sum() * left
        over = free & (share + proposal > cap)
        if not over.any():
            share += proposal
            break
        share[over], free[over] = cap, False
    counts = np.floor(share + 1e-9).astype(np.int64)
    remainder = share - counts
    remainder[counts >= cap] = -1.0
    counts[np.argsort(-remainder, kind="stable")[: excess - counts.sum()]] += 1
    return base + counts


def _choose_items(counts, item_p, scores_of, n_candidates: float, rng, chunk_size: int = 2_000_000):
    """For each user, draw ``n_candidates * count`` candidate items by popularity and keep the
    ``count`` distinct ones with the highest ``scores_of(users, items) + Gumbel noise``.

    A candidate drawn twice keeps its best draw. Users short of distinct candidates (very heavy
    users of a small catalogue) are topped up with random items they have not got yet.
    Returns (user_ids, item_ids), grouped by user.
    """
    n_users, n_items = counts.size, item_p.size
    wanted = np.ceil(n_candidates * counts).astype(np.int64)
    cumulative = np.cumsum(wanted)
    users_out, items_out, start = [], [], 0
    while start < n_users:  # chunks of users with about chunk_size candidates in all
        done = cumulative[start - 1] if start else 0
        stop = min(n_users, max(start + 1, int(np.searchsorted(cumulative, done + chunk_size, side="right"))))
        users = np.arange(start, stop)
        owner = np.repeat(users, wanted[start:stop])
        candidate = rng.choice(n_items, size=owner.size, p=item_p)
        key = scores_of(owner, candidate) + rng.gumbel(size=owner.size)
        order = np.argsort(-key)  # best draws first
        owner, candidate = owner[order], candidate[order]
        _, first = np.unique(owner * n_items + candidate, return_index=True)  # each pair's best draw
        best = np.sort(first)  # still best first
        owner, candidate = owner[best], candidate[best]
        order = np.argsort(owner, kind="stable")  # grouped by user, best first within each
        owner, candidate = owner[order], candidate[order]
        starts = np.searchsorted(owner, users)
        rank = np.arange(owner.size) - np.repeat(starts, np.diff(np.r_[starts, owner.size]))
        keep = rank < counts[owner]
        owner, candidate = owner[keep], candidate[keep]
        got = np.bincount(owner - start, minlength=users.size)
        for user in users[got < counts[users]]:  # rare: top up with unseen items, uniformly
            have = candidate[owner == user]
            extra = rng.choice(np.setdiff1d(np.arange(n_items), have), counts[user] - have.size, replace=False)
            owner, candidate = np.r_[owner, np.full(extra.size, user)], np.r_[candidate, extra]
        users_out.append(owner)
        items_out.append(candidate)
        start = stop
    return np.concatenate(users_out), np.concatenate(items_out)


def make_synthetic_ratings(
    n_users: int = 943,
    n_items: int = 1682,
    n_ratings: int = 100_000,
    *,
    rank: int = 20,
    noise_std: float = 1.0,
    taste_strength: float = 3.5,
    n_candidates: float = 4.0,
    popularity_shape: float = 2.0,
    popularity_power: float = 2.65,
    star_shares=MOVIELENS_STAR_SHARES,
    min_user_ratings: int = 20,
    random_state=0,
) -> SyntheticRatings:
    """Synthetic 1-5 star ratings that behave like MovieLens-100K, with the structure planted.

    The generative story, in two steps:

    1. **Which films a user rates.** User ``u`` rates ``n_u`` films: at least
       ``min(min_user_ratings, n_ratings // n_users)``, plus a gamma-distributed share of the
       rest (so a few users rate hundreds). Films have a popularity ``w_i ∝ g_i ** popularity_power``,
       ``g_i ~ Gamma(popularity_shape)``. The user is shown ``n_candidates * n_u`` films drawn by
       popularity and rates the ``n_u`` that best match their taste:
       ``taste_strength * c_u . q_i`` plus Gumbel noise, where ``c_u`` (choice taste) is
       correlated with ``p_u`` (rating taste). What a user rates thus depends on taste, not on
       popularity alone.
    2. **How many stars.** The latent score is ``b_u + b_i + p_u . q_i + noise``; ``b_i`` is
       correlated with log popularity (popular films are rated higher); cutting it at the
       quantiles given by ``star_shares`` gives the stars, so their shares match exactly.

    The defaults are MovieLens-100K's shape and were calibrated so that the stand-in
    reproduces its statistics (rating shares, ratings per user, item-popularity skew, the
    correlation between popularity and mean rating) and the orderings of chapter 4.2's models
    (personalised rankers beat popularity; rating-trained models rank below it; item kNN and
    MF beat the biases on RMSE). Pairs are sampled without a dense users x items matrix:
    memory and time grow with ``n_ratings``.

    Parameters
    ----------
    n_users, n_items : int, default=943, 1682
    n_ratings : int, default=100_000
        At most half of all ``n_users * n_items`` pairs.
    rank : int, default=20
        Dimension of the planted taste; dimension ``k`` has weight ``1 / k``, so a few dominate.
    noise_std : float, default=1.0
        Standard deviation of the latent noise (the latent biases and taste are on this scale).
    taste_strength : float, default=3.5
        How much taste, against chance, decides which candidates a user rates (0: popularity only).
    n_candidates : float, default=4.0
        Candidates shown per film rated (>= 1; 1 means popularity alone decides).
    popularity_shape, popularity_power : float, default=2.0, 2.65
        Item popularity ``g ** power`` with ``g ~ Gamma(shape)``: a larger power, a longer tail.
    star_shares : sequence of 5 floats, default=MovieLens-100K's (6.1, 11.4, 27.1, 34.2, 21.2 %)
        Shares of 1 to 5 stars.
    min_user_ratings : int, default=20
        MovieLens-100K keeps only users with at least 20 ratings.
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
    taste_strength = check_float(taste_strength, "taste_strength", low=0.0)
    n_candidates = check_float(n_candidates, "n_candidates", low=1.0, high=100.0, fix="Use e.g. n_candidates=4.")
    popularity_shape = check_float(popularity_shape, "popularity_shape", low=0.0, low_inclusive=False)
    popularity_power = check_float(popularity_power, "popularity_power", low=0.0, high=10.0)
    min_user_ratings = check_int(min_user_ratings, "min_user_ratings", low=1)
    shares = np.asarray(star_shares, dtype=np.float64)
    if shares.shape != (5,) or np.any(shares <= 0) or abs(shares.sum() - 1.0) > 1e-3:
        raise ValueError(error_message("star_shares", "5 positive shares of 1-5 stars summing to 1", star_shares,
                                       "E.g. fusionlab.data.ratings.MOVIELENS_STAR_SHARES."))
    rng = check_random_state(random_state)

    counts = _ratings_per_user(n_users, n_items, n_ratings, min_user_ratings, rng)
    log_g = np.log(rng.gamma(popularity_shape, size=n_items))
    item_p = np.exp(popularity_power * (log_g - log_g.max()))
    item_p /= item_p.sum()
    standard_log_popularity = (log_g - log_g.mean()) / (log_g.std() or 1.0)
    spectrum = np.arange(1, rank + 1, dtype=np.float64) ** -_SPECTRUM_DECAY
    spectrum /= np.sqrt(np.sum(spectrum ** 2))  # sum over k of spectrum_k^2 is 1: p.q has variance 1
    item_factors = rng.normal(size=(n_items, rank)) * np.sqrt(spectrum)
    taste = rng.normal(size=(n_users, rank)) * np.sqrt(spectrum)
    choice_factors = taste_strength * (
        _CHOICE_TASTE_CORR * taste + np.sqrt(1 - _CHOICE_TASTE_CORR ** 2) * rng.normal(size=(n_users, rank)) * np.sqrt(spectrum)
    )
    user_factors = _TASTE_STD * taste
    user_bias = rng.normal(0.0, _USER_BIAS_STD, size=n_users)
    item_bias = _ITEM_BIAS_STD * (
        _BIAS_POPULARITY_CORR * standard_log_popularity + np.sqrt(1 - _BIAS_POPULARITY_CORR ** 2) * rng.normal(size=n_items)
    )

    def choice_scores(users, items):
        return _dot_pairs(choice_factors, item_factors, users, items)

    user_ids, item_ids = _choose_items(counts, item_p, choice_scores, n_candidates, rng)
    shuffle = rng.permutation(n_ratings)
    user_ids, item_ids = user_ids[shuffle], item_ids[shuffle]
    latent = user_bias[user_ids] + item_bias[item_ids] + _dot_pairs(user_factors, item_factors, user_ids, item_ids)
    noisy = latent + rng.normal(0.0, noise_std, size=n_ratings)
    thresholds = np.quantile(noisy, np.cumsum(shares)[:-1])
    observed = 1.0 + np.searchsorted(thresholds, noisy).astype(np.float64)  # ties go to the lower star
    if noise_std > 0:
        from scipy.special import ndtr

        clean = 1.0 + sum(ndtr((latent - t) / noise_std) for t in thresholds)
    else:
        clean = 1.0 + np.searchsorted(thresholds, latent).astype(np.float64)
    start_time = 874_724_710  # 1997-09-20, MovieLens-100K's first day
    timestamps = start_time + np.sort(rng.integers(0, 215 * 86_400, size=n_ratings))
    return SyntheticRatings(
        user_ids=user_ids.astype(np.int64), item_ids=item_ids.astype(np.int64), ratings=observed,
        timestamps=timestamps.astype(np.int64)[rng.permutation(n_ratings)], n_users=n_users, n_items=n_items,
        name="synthetic ratings", user_factors=user_factors, item_factors=item_factors, choice_factors=choice_factors,
        item_popularity=item_p, user_bias=user_bias, item_bias=item_bias, thresholds=thresholds,
        global_mean=float(observed.mean()), noise_std=noise_std,
        clean_scores=clean, oracle_rmse=float(np.sqrt(np.mean((observed - clean) ** 2))),
    )


def _dot_pairs(A: np.ndarray, B: np.ndarray, rows: np.ndarray, columns: np.ndarray, chunk_size: int = 1_000_000) -> np.ndarray:
    """``A[rows[n]] @ B[columns[n]]`` for every n, in chunks (memory O(chunk x rank))."""
    out = np.empty(rows.size)
    for start in range(0, rows.size, chunk_size):
        stop = start + chunk_size
        out[start:stop] = np.einsum("nk,nk->n", A[rows[start:stop]], B[columns[start:stop]])
    return out


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
