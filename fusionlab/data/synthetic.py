"""The ratings stand-in: synthetic ratings with planted structure, calibrated to behave like
MovieLens-100K (:func:`make_synthetic_ratings`), so that chapter 4.2 teaches the same lessons on
it as on the real data. ``tests/test_synthetic_ratings.py`` checks the statistics and the model
orderings it must reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._linalg import dot_rows
from .._validation import check_float, check_int, check_random_state, error_message
from .content import plant_content
from .ratings import Ratings

__all__ = ["MOVIELENS_STAR_SHARES", "SyntheticRatings", "make_synthetic_ratings"]


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

    The films get genres and titles and the users an age, gender and occupation, drawn from
    the planted taste (:func:`fusionlab.data.content.plant_content`), so that content carries
    real but partial information about it, as on MovieLens (chapter 5.5). They are drawn after
    the ratings, which are the same as without them.

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
                                       "E.g. fusionlab.data.synthetic.MOVIELENS_STAR_SHARES."))
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
        return dot_rows(choice_factors, item_factors, users, items)

    user_ids, item_ids = _choose_items(counts, item_p, choice_scores, n_candidates, rng)
    shuffle = rng.permutation(n_ratings)
    user_ids, item_ids = user_ids[shuffle], item_ids[shuffle]
    latent = user_bias[user_ids] + item_bias[item_ids] + dot_rows(user_factors, item_factors, user_ids, item_ids)
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
    timestamps = timestamps.astype(np.int64)[rng.permutation(n_ratings)]
    content = plant_content(item_factors, item_bias, user_factors, user_bias, rng)  # drawn last: the ratings stay as calibrated
    return SyntheticRatings(
        user_ids=user_ids.astype(np.int64), item_ids=item_ids.astype(np.int64), ratings=observed,
        timestamps=timestamps, n_users=n_users, n_items=n_items, **content,
        name="synthetic ratings", user_factors=user_factors, item_factors=item_factors, choice_factors=choice_factors,
        item_popularity=item_p, user_bias=user_bias, item_bias=item_bias, thresholds=thresholds,
        global_mean=float(observed.mean()), noise_std=noise_std,
        clean_scores=clean, oracle_rmse=float(np.sqrt(np.mean((observed - clean) ** 2))),
    )
