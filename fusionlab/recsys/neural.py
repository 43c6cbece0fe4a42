"""Neural collaborative filtering: GMF + MLP = NeuMF (He et al. 2017), in Keras.

The deep side of the chapter's fusion: the embeddings of matrix factorisation, fed both to an
element-wise product (GMF, which is MF with a learned output weight) and to a multi-layer
perceptron on their concatenation, then one sigmoid. It learns from implicit feedback: every
observed (user, item) is a positive, and ``n_negatives`` unobserved items per positive are
sampled afresh each epoch.

Keras is imported inside the functions, so ``import fusionlab.recsys`` stays light.
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import Int, Ints, Real, check_float, check_int, check_random_state
from ..history import History
from ._base import BaseRecommender

__all__ = ["build_neumf", "NeuMF", "sample_negatives"]


def build_neumf(n_users: int, n_items: int, *, mf_dim: int = 8, mlp_layers=(32, 16, 8), reg: float = 0.0, seed: int = 0):
    """Build the NeuMF model of He et al. (2017).

    Parameters
    ----------
    n_users, n_items : int
    mf_dim : int, default=8
        Size of the GMF embeddings.
    mlp_layers : tuple of int, default=(32, 16, 8)
        Widths of the MLP tower; the first is the size of the concatenated user and item
        embeddings (each ``mlp_layers[0] // 2``).
    reg : float, default=0.0
        L2 penalty on the embeddings.
    seed : int, default=0
        Seeds every initializer, so the same seed builds the same weights.

    Returns
    -------
    keras.Model
        Inputs ``[user (batch,), item (batch,)]`` of int32 indices; output (batch, 1), the
        probability that the user interacts with the item.

    See Also
    --------
    microsoft/recommenders ``recommenders.models.ncf`` : the reference TensorFlow implementation.
    """
    import keras
    from keras import layers

    n_users = check_int(n_users, "n_users", low=1)
    n_items = check_int(n_items, "n_items", low=1)
    mf_dim = check_int(mf_dim, "mf_dim", low=1, fix="Use e.g. mf_dim=8.")
    mlp_layers = tuple(check_int(width, "mlp_layers[i]", low=2, fix="Use widths such as (32, 16, 8).") for width in mlp_layers)
    if not mlp_layers:
        raise ValueError("mlp_layers must be a non-empty tuple of ints; got mlp_layers=(). Use e.g. (32, 16, 8).")
    reg = check_float(reg, "reg", low=0)
    seeds = iter(range(seed * 100, seed * 100 + 100))
    normal = lambda: keras.initializers.RandomNormal(stddev=0.01, seed=next(seeds))  # noqa: E731
    regularizer = keras.regularizers.L2(reg) if reg > 0 else None

    user = keras.Input(shape=(), dtype="int32", name="user")
    item = keras.Input(shape=(), dtype="int32", name="item")
    embed = lambda n, d, name: layers.Embedding(n, d, embeddings_initializer=normal(), embeddings_regularizer=regularizer, name=name)  # noqa: E731
    gmf = layers.Multiply(name="gmf")([embed(n_users, mf_dim, "gmf_user")(user), embed(n_items, mf_dim, "gmf_item")(item)])  # (batch, mf_dim)
    half = mlp_layers[0] // 2
    mlp = layers.Concatenate(name="mlp_input")([embed(n_users, half, "mlp_user")(user), embed(n_items, half, "mlp_item")(item)])  # (batch, 2*half)
    for depth, width in enumerate(mlp_layers[1:]):
        mlp = layers.Dense(width, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)), name=f"mlp_{depth}")(mlp)
    fused = layers.Concatenate(name="neumf")([gmf, mlp])  # (batch, mf_dim + last width)
    output = layers.Dense(1, activation="sigmoid", kernel_initializer=keras.initializers.LecunUniform(seed=next(seeds)), name="score")(fused)
    return keras.Model(inputs=[user, item], outputs=output, name="neumf")


def sample_negatives(R, n_negatives: int, rng: np.random.Generator):
    """For each stored (user, item) of ``R``, draw ``n_negatives`` items the user has not rated.

    Draws uniformly and redraws the collisions (vectorised; a user who rated every item would
    loop forever, so such users are refused).

    Returns
    -------
    users, items : ndarray of int64 of shape (nnz * n_negatives,)
    """
    counts = np.diff(R.indptr)
    if np.any(counts >= R.shape[1]):
        raise ValueError("R has a user who rated every item; no negative item exists for them. Drop that user for implicit training.")
    users = np.repeat(np.repeat(np.arange(R.shape[0], dtype=np.int64), counts), n_negatives)
    observed = np.repeat(np.arange(R.shape[0], dtype=np.int64), counts) * R.shape[1] + R.indices  # sorted (CSR)
    items = rng.integers(0, R.shape[1], users.size)
    while True:
        keys = users * R.shape[1] + items
        position = np.minimum(np.searchsorted(observed, keys), observed.size - 1)
        clash = observed[position] == keys
        if not clash.any():
            return users, items
        items[clash] = rng.integers(0, R.shape[1], int(clash.sum()))


class NeuMF(BaseRecommender):
    """NeuMF trained on implicit feedback with negative sampling, for top-N recommendation.

    Parameters
    ----------
    mf_dim : int, default=8
    mlp_layers : tuple of int, default=(32, 16, 8)
    n_negatives : int, default=4
        Unobserved items sampled per positive, per epoch.
    n_epochs : int, default=5
    batch_size : int, default=2048
    learning_rate : float, default=0.002
        Adam's step size.
    reg : float, default=0.0
    min_rating : float or None, default=None
        Only ratings at or above it count as positives; ``None`` takes every observed pair.
    random_state : None or int, default=None
        Seeds the initial weights, the negatives and the shuffling.
    verbose : int, default=0
        Keras progress output.

    Notes
    -----
    NeuMF only ranks (``predicts_ratings = False``). It reads the ratings only to choose its
    positives (``min_rating``), so it is fitted on the rating matrix (``feedback = "explicit"``).

    Attributes
    ----------
    model_ : keras.Model
    history_ : fusionlab.history.History
        Per epoch: ``elapsed_s``, ``n_samples_seen`` (positives and negatives) and the
        training log-loss ``"loss"``.
    """

    predicts_ratings = False
    _parameter_rules = {
        "mf_dim": Int(low=1),
        "mlp_layers": Ints(low=2),
        "n_negatives": Int(low=1, hint="He et al. (2017) sample 4 per positive."),
        "n_epochs": Int(low=1),
        "batch_size": Int(low=1),
        "learning_rate": Real(low=0, low_inclusive=False),
        "reg": Real(low=0),
        "min_rating": Real(none_ok=True, hint="min_rating=4 keeps the ratings of 4 and 5 stars as positives."),
        "verbose": Int(low=0, high=2),
    }

    def __init__(self, mf_dim: int = 8, mlp_layers=(32, 16, 8), n_negatives: int = 4, n_epochs: int = 5,
                 batch_size: int = 2048, learning_rate: float = 0.002, reg: float = 0.0, min_rating: float | None = None,
                 random_state=None, verbose: int = 0):
        self.mf_dim, self.mlp_layers, self.n_negatives, self.n_epochs = mf_dim, mlp_layers, n_negatives, n_epochs
        self.batch_size, self.learning_rate, self.reg, self.min_rating = batch_size, learning_rate, reg, min_rating
        self.random_state, self.verbose = random_state, verbose

    def _fit(self, R):
        import keras

        rng = check_random_state(self.random_state)
        positives = R if self.min_rating is None else R.multiply(R >= self.min_rating).tocsr()
        positives.eliminate_zeros()
        positives.sort_indices()
        seed = int(rng.integers(0, 2**31 - 1))
        self.model_ = build_neumf(self.n_users_, self.n_items_, mf_dim=self.mf_dim, mlp_layers=tuple(self.mlp_layers), reg=self.reg, seed=seed % 10_000)
        self.model_.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="binary_crossentropy")
        pos_users = np.repeat(np.arange(self.n_users_, dtype=np.int64), np.diff(positives.indptr))
        self.history_ = History()
        start_time = time.perf_counter()
        for epoch in range(1, self.n_epochs + 1):
            neg_users, neg_items = sample_negatives(positives, self.n_negatives, rng)
            users = np.concatenate([pos_users, neg_users])
            items = np.concatenate([positives.indices.astype(np.int64), neg_items])
            labels = np.concatenate([np.ones(pos_users.size), np.zeros(neg_users.size)]).astype("float32")
            order = rng.permutation(users.size)
            history = self.model_.fit([users[order].astype("int32"), items[order].astype("int32")], labels[order],
                                      batch_size=self.batch_size, epochs=1, shuffle=False, verbose=self.verbose)
            seen = epoch * users.size
            self.history_.record(epoch=epoch, elapsed_s=time.perf_counter() - start_time, n_samples_seen=seen, loss=history.history["loss"][-1])
        return self

    def _score_users(self, users):
        items = np.tile(np.arange(self.n_items_, dtype=np.int32), users.size)
        repeated = np.repeat(users.astype(np.int32), self.n_items_)
        scores = self.model_.predict([repeated, items], batch_size=65_536, verbose=0)
        return scores.reshape(users.size, self.n_items_)
