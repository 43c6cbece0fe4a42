"""The source article's 4x4 example, and the small example that does what its text says.

The article (section 4.2) stores four users' ratings of four films in a dense array with no
gap: every user has rated every film, so nothing is left to recommend. The corrected example
below has gaps (``nan`` = not rated, never 0) and recommends, for each user, the unseen films
ranked by the user-based prediction of Resnick et al. (GroupLens, 1994): Pearson similarity
over co-rated films, the two most similar users who rated the film, mean-centred.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from .data import IdMap, ratings_matrix
from .neighbours import UserKNN

__all__ = ["ARTICLE_RATINGS", "TOY_TABLE", "TOY_USERS", "TOY_ITEMS", "toy_ratings", "toy_recommender", "recommend"]

#: The article's matrix, as printed (rows u1..u4, columns m1..m4).
ARTICLE_RATINGS = np.array([[4, 3, 1, 5], [1, 5, 4, 3], [5, 3, 1, 4], [3, 1, 5, 2]])

TOY_USERS = ["u1", "u2", "u3", "u4", "u5"]
TOY_ITEMS = ["m1", "m2", "m3", "m4", "m5", "m6"]
nan = np.nan
#: Five users, six films; nan marks a film the user has not rated.
TOY_TABLE = np.array([
    [5, 4, nan, 1, 2, nan],
    [4, 5, 4, nan, 1, nan],
    [1, 2, nan, 5, nan, 4],
    [2, nan, 1, 4, 5, 5],
    [5, nan, 5, 2, nan, 1],
])


def toy_ratings():
    """Return ``(R, users, items)``: the toy table as a sparse matrix and its two id maps."""
    user_index, item_index = np.nonzero(~np.isnan(TOY_TABLE))
    R = ratings_matrix(user_index, item_index, TOY_TABLE[user_index, item_index], shape=TOY_TABLE.shape)
    return R, IdMap(TOY_USERS, name="user_id"), IdMap(TOY_ITEMS, name="item_id")


def toy_recommender() -> UserKNN:
    """User-based CF as GroupLens: Pearson similarity, k=2 neighbours, mean-centred, no shrinkage."""
    R, _, _ = toy_ratings()
    return UserKNN(similarity="pearson", centering="mean", k=2, shrinkage=0.0).fit(R)


def recommend(user_id, num_recommendations: int = 3, *, model=None) -> list:
    """The article's ``recommend(user_id, num_recommendations)``, corrected.

    Looks the user up by id (an unknown id raises ``KeyError``), ranks the films the user has
    not rated by predicted rating and returns their ids, best first, as a list (order kept).
    Fewer than ``num_recommendations`` come back when fewer films are unseen.
    """
    num_recommendations = check_int(num_recommendations, "num_recommendations", low=1, fix="Ask for at least one film.")
    R, users, items = toy_ratings()
    model = model or toy_recommender()
    user_index = users.to_index([user_id])
    n_unseen = R.shape[1] - R[user_index].nnz
    if n_unseen == 0:
        return []
    top = model.recommend(user_index, min(num_recommendations, n_unseen))[0]
    return items.to_id(top[top >= 0]).tolist()
