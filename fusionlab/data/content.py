"""Content and side information for the ratings stand-in, with planted content-taste effects.

MovieLens-100K describes each film by its genres and title and each user by age, gender and
occupation. The stand-in (:func:`fusionlab.data.make_synthetic_ratings`) gets the same fields,
drawn *from* the planted taste, so that they carry real but partial information about it, as
they do on MovieLens:

- **genres** (MovieLens's 19, at MovieLens's frequencies): film ``i`` has genre ``g`` when
  ``a_g . q_i / sd + c_g b_i / sd + noise`` is in the top share of films for that genre, where
  ``q_i`` are the planted item factors, ``b_i`` the item bias, and ``a_g`` a random direction that
  leans on the dominant taste dimensions;
- **titles**: one to three words, each from the vocabulary of one of the film's genres (or a
  generic word), and a release year, e.g. ``"Night Blade (1994)"``; older films have higher
  item biases (as on MovieLens, where the old films still rated are the classics);
- **age, gender, occupation**: drawn from MovieLens's distributions, tilted by the user's planted
  taste ``p_u`` and bias ``b_u``.

Everything here is drawn after the ratings, from the same generator, so the ratings and the
statistics they were calibrated to are unchanged. Used by chapter 5.5.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MOVIELENS_GENRES", "MOVIELENS_GENRE_SHARES", "MOVIELENS_OCCUPATIONS", "MOVIELENS_OCCUPATION_SHARES", "plant_content"]

MOVIELENS_GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
                    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
#: Share of MovieLens-100K's 1,682 films in each genre (u.item).
MOVIELENS_GENRE_SHARES = (0.001, 0.149, 0.080, 0.025, 0.073, 0.300, 0.065, 0.030, 0.431, 0.013, 0.014, 0.055, 0.033,
                          0.036, 0.147, 0.060, 0.149, 0.042, 0.016)
#: u.occupation, in its order.
MOVIELENS_OCCUPATIONS = ["administrator", "artist", "doctor", "educator", "engineer", "entertainment", "executive",
                         "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none", "other", "programmer",
                         "retired", "salesman", "scientist", "student", "technician", "writer"]
#: Share of MovieLens-100K's 943 users in each occupation (u.user), in the order above.
MOVIELENS_OCCUPATION_SHARES = (0.084, 0.030, 0.007, 0.101, 0.071, 0.019, 0.034, 0.017, 0.007, 0.013, 0.054, 0.028, 0.010,
                               0.111, 0.070, 0.015, 0.013, 0.033, 0.208, 0.029, 0.048)

_GENRE_WORDS = {
    "Action": "fury strike blade fist bullet", "Adventure": "quest island treasure journey lost",
    "Animation": "toon magic little tale", "Children's": "kid puppy family friends", "Comedy": "crazy wedding funny dumb party",
    "Crime": "heist gang cop dirty", "Documentary": "story life world inside", "Drama": "heart river silence father winter",
    "Fantasy": "dragon wizard kingdom", "Film-Noir": "shadow dame smoke", "Horror": "dead night scream blood",
    "Musical": "song dance melody", "Mystery": "secret clue vanishing", "Romance": "love kiss summer bride",
    "Sci-Fi": "star planet alien robot", "Thriller": "fear hunt deadly edge", "War": "battle soldier glory",
    "Western": "outlaw sheriff dust",
}
_GENERIC_WORDS = "the last man city day return house blue city time road king one game".split()
_GENRE_SIGNAL = 1.2       # weight of the planted taste in a genre's score (noise has weight 1)
_BIAS_WEIGHT = 0.5        # how much a genre leans on the item bias (sign drawn per genre)
_YEAR_BIAS = 0.6          # weight of the item bias in the ranking of films by age (noise has weight 1)
_AGE_TASTE = 0.45         # correlation-like weights of age on a taste direction and on the user bias
_AGE_BIAS = 0.25
_GENDER_TASTE = 1.2       # logit weight of a taste direction in P(male)
_OCCUPATION_TASTE = 0.8   # weight of taste in each occupation's Gumbel-max score


def _standardise(values: np.ndarray) -> np.ndarray:
    return (values - values.mean(axis=0)) / (values.std(axis=0) + 1e-12)


def plant_content(item_factors, item_bias, user_factors, user_bias, rng) -> dict:
    """Draw genres, titles and demographics that depend on the planted taste.

    Parameters
    ----------
    item_factors : ndarray of shape (n_items, rank)
    item_bias : ndarray of shape (n_items,)
    user_factors : ndarray of shape (n_users, rank)
    user_bias : ndarray of shape (n_users,)
    rng : numpy.random.Generator

    Returns
    -------
    dict
        ``item_titles``, ``item_genres`` (bool, (n_items, 19)), ``genre_names``, ``user_ages``,
        ``user_genders``, ``user_occupations``, ``occupation_names`` (the fields of
        :class:`fusionlab.data.Ratings`).
    """
    n_items, rank = item_factors.shape
    n_users = user_factors.shape[0]
    weights = 1.0 / np.arange(1, rank + 1)  # lean on the dominant taste dimensions
    q, b = _standardise(item_factors), _standardise(item_bias)
    directions = rng.normal(size=(rank, len(MOVIELENS_GENRES))) * weights[:, None]
    directions /= np.linalg.norm(directions, axis=0)
    lean = _BIAS_WEIGHT * rng.choice([-1.0, 1.0], size=len(MOVIELENS_GENRES))
    scores = _GENRE_SIGNAL * (q @ directions) + b[:, None] * lean + rng.normal(size=(n_items, len(MOVIELENS_GENRES)))
    cut = np.array([np.quantile(scores[:, g], 1.0 - share) for g, share in enumerate(MOVIELENS_GENRE_SHARES)])
    genres = scores > cut
    none = ~genres.any(axis=1)
    genres[none, np.argmax(scores[none, 1:], axis=1) + 1] = True  # every film has a genre
    titles = []
    years = np.sort(np.clip(np.round(1996 - rng.gamma(1.2, 8.0, size=n_items)), 1922, 1998).astype(int))
    years = years[np.argsort(np.argsort(-(_YEAR_BIAS * b + rng.normal(size=n_items))))]  # higher bias, older film
    for item in range(n_items):
        own = [MOVIELENS_GENRES[g] for g in np.flatnonzero(genres[item]) if MOVIELENS_GENRES[g] in _GENRE_WORDS]
        words = []
        for _ in range(int(rng.integers(1, 4))):
            pool = _GENRE_WORDS[own[int(rng.integers(len(own)))]].split() if own and rng.random() < 0.6 else _GENERIC_WORDS
            words.append(pool[int(rng.integers(len(pool)))].capitalize())
        titles.append(f"{' '.join(words)} ({years[item]})")

    p, bu = _standardise(user_factors), _standardise(user_bias)
    taste = p @ (rng.normal(size=(rank, 2 + len(MOVIELENS_OCCUPATIONS))) * weights[:, None] / np.sqrt(np.sum(weights ** 2)))
    taste = _standardise(taste)
    noise_share = np.sqrt(max(1.0 - _AGE_TASTE ** 2 - _AGE_BIAS ** 2, 0.0))
    ages = np.clip(np.round(34 + 12 * (_AGE_TASTE * taste[:, 0] + _AGE_BIAS * bu + noise_share * rng.normal(size=n_users))), 7, 73)
    male = rng.random(n_users) < 1.0 / (1.0 + np.exp(-(np.log(0.71 / 0.29) + _GENDER_TASTE * taste[:, 1])))
    occupation_scores = np.log(MOVIELENS_OCCUPATION_SHARES) + _OCCUPATION_TASTE * taste[:, 2:] + rng.gumbel(size=(n_users, len(MOVIELENS_OCCUPATIONS)))
    return {
        "item_titles": titles, "item_genres": genres, "genre_names": list(MOVIELENS_GENRES),
        "user_ages": ages.astype(np.int64), "user_genders": np.where(male, "M", "F"),
        "user_occupations": np.argmax(occupation_scores, axis=1).astype(np.int64), "occupation_names": list(MOVIELENS_OCCUPATIONS),
    }
