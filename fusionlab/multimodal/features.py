"""The three sources a hybrid recommender fuses, as one sparse feature row per (user, film) pair.

Feature groups (each row-normalised to sum to 1, as Rendle (2010) scales multi-hot blocks):

- ``"user"``, ``"item"``: one-hot ids, the collaborative signal (a film with no training
  ratings gets no id feature: nothing was learned about it);
- ``"genres"``: the film's genres (MovieLens's 19);
- ``"title"``: the words of the title, hashed into ``n_title_features`` buckets (the
  hashing trick, Weinberger et al. 2009; years and one-letter words are dropped);
- ``"year"``: the release year in the title, ``"Toy Story (1995)"``, in bands (:data:`YEAR_BANDS`);
- ``"demographics"``: the user's age band (MovieLens-1M's seven), gender and occupation.

Used in chapter 5.5 (notebook ``05_5_multimodal``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._validation import check_int, error_message

__all__ = ["AGE_BANDS", "GROUPS", "YEAR_BANDS", "SideInformation", "title_years"]

GROUPS = ("user", "item", "genres", "title", "year", "demographics")
#: Lower edges of the release-year bands: before 1940, the 1940s ... 1980s, 1990-93, then single years.
YEAR_BANDS = (0, 1940, 1950, 1960, 1970, 1980, 1990, 1994, 1995, 1996, 1997, 1998)
#: Lower edges of the age bands (years): under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+.
AGE_BANDS = (0, 18, 25, 35, 45, 50, 56)


def title_years(titles) -> np.ndarray:
    """The year in parentheses at the end of each title (``"Toy Story (1995)"`` -> 1995); 0 when absent."""
    import re

    pattern = re.compile(r"\((\d{4})\)\s*$")
    return np.array([int(match.group(1)) if (match := pattern.search(title)) else 0 for title in titles], dtype=np.int64)


def _l1_rows(matrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    return sp.diags(np.where(sums > 0, 1.0 / np.where(sums > 0, sums, 1.0), 0.0)) @ matrix


@dataclass(frozen=True)
class SideInformation:
    """Content of the films and side information of the users, as sparse blocks.

    Attributes
    ----------
    n_users, n_items : int
    blocks : dict of str -> csr_matrix
        ``"genres"`` and ``"title"`` of shape (n_items, width), ``"demographics"`` of shape
        (n_users, width); rows sum to 1 (or 0 when empty).
    names : dict of str -> list of str
        Column names of each block (hashed title buckets are ``"title#k"``).
    """

    n_users: int
    n_items: int
    blocks: dict
    names: dict

    @classmethod
    def from_ratings(cls, data, *, n_title_features: int = 512) -> "SideInformation":
        """Build the blocks from a :class:`fusionlab.data.Ratings` that has content
        (MovieLens-100K, or the synthetic stand-in)."""
        from sklearn.feature_extraction.text import HashingVectorizer

        if not getattr(data, "has_content", False):
            raise ValueError(error_message("data", "ratings with titles, genres, ages, genders and occupations", getattr(data, "name", type(data).__name__),
                                           "Load them with fusionlab.data.load_ratings_dataset() (MovieLens-100K or the synthetic stand-in)."))
        n_title_features = check_int(n_title_features, "n_title_features", low=1, fix="Try 512.")
        hasher = HashingVectorizer(n_features=n_title_features, alternate_sign=False, norm=None, token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
        ages = np.searchsorted(AGE_BANDS, np.asarray(data.user_ages), side="right") - 1
        n_occupations = len(data.occupation_names)
        users = np.arange(data.n_users)
        demographics = sp.csr_matrix((np.ones(3 * data.n_users), (np.repeat(users, 3), np.column_stack([
            ages, len(AGE_BANDS) + (np.asarray(data.user_genders) == "M"), len(AGE_BANDS) + 2 + np.asarray(data.user_occupations)]).ravel())),
            shape=(data.n_users, len(AGE_BANDS) + 2 + n_occupations))
        years = title_years(data.item_titles)
        dated = np.flatnonzero(years > 0)
        year_block = sp.csr_matrix((np.ones(dated.size), (dated, np.searchsorted(YEAR_BANDS, years[dated], side="right") - 1)),
                                   shape=(data.n_items, len(YEAR_BANDS)))
        blocks = {
            "genres": _l1_rows(np.asarray(data.item_genres, dtype=np.float64)),
            "title": _l1_rows(hasher.transform(list(data.item_titles))),
            "year": year_block,
            "demographics": _l1_rows(demographics),
        }
        names = {
            "genres": list(data.genre_names), "title": [f"title#{k}" for k in range(n_title_features)],
            "year": [f"{low}+" for low in YEAR_BANDS],
            "demographics": [f"age {low}+" for low in AGE_BANDS] + ["F", "M"] + list(data.occupation_names),
        }
        return cls(data.n_users, data.n_items, blocks, names)

    def width(self, group: str) -> int:
        """Columns of a feature group."""
        return {"user": self.n_users, "item": self.n_items}.get(group) or self.blocks[group].shape[1]

    def encode(self, user_ids, item_ids, groups, *, known_users=None, known_items=None) -> sp.csr_matrix:
        """The design matrix of the pairs, columns in the order of ``groups``.

        Parameters
        ----------
        user_ids, item_ids : ndarray of shape (n_pairs,), int
        groups : sequence of str
            A subset of :data:`GROUPS`.
        known_users, known_items : ndarray of bool or None
            Ids marked False get no one-hot feature (users or films unseen in training).

        Returns
        -------
        X : csr_matrix of shape (n_pairs, sum of the groups' widths)
        """
        users, items = np.asarray(user_ids, dtype=np.int64), np.asarray(item_ids, dtype=np.int64)
        n_pairs, rows = users.size, np.arange(users.size)
        parts = []
        for group in groups:
            if group in ("user", "item"):
                ids, known = (users, known_users) if group == "user" else (items, known_items)
                keep = np.ones(n_pairs, bool) if known is None else np.asarray(known)[ids]
                parts.append(sp.csr_matrix((np.ones(int(keep.sum())), (rows[keep], ids[keep])), shape=(n_pairs, self.width(group))))
            elif group in self.blocks:
                parts.append(self.blocks[group][users if group == "demographics" else items])
            else:
                raise ValueError(error_message("groups", f"names from {list(GROUPS)}", group, "E.g. ('user', 'item', 'genres')."))
        return sp.hstack(parts, format="csr")
