"""Item-based autoencoders for rating prediction: I-AutoRec and its kernelised (sparse) form.

I-AutoRec (Sedhain et al. 2015) treats each *item* as a sample: its input is the item's column
of the rating matrix (one entry per user, 0 where unrated), and the network reconstructs it.
The loss counts only the observed entries, so the reconstruction of an unrated entry is the
prediction::

    loss = 1/2 sum_{(u, i) observed} (r_ui - f(r_i)_u)^2 + penalties

The kernelised form (Muller et al. 2018, "kernelized synaptic weight matrices"; the local
kernel of GLocal-K, Han et al. 2021) gives every input unit ``a`` and every hidden unit ``b``
an embedding (``u_a``, ``v_b`` in R^n_dim) and multiplies each weight by a finite-support
kernel of the two::

    W_eff = W * K,   K_ab = max(0, 1 - |u_a - v_b|^2)

A penalty on ``K`` pushes embeddings apart, so that, given enough steps, many ``K_ab`` become
exactly 0 and the layer learns its own sparse connectivity. Training is full batch with L-BFGS
(SciPy), as in the reference code: the whole items x users matrix is one batch, and the
gradient comes from TensorFlow.

Measured on MovieLens-100K (``benchmarks/recsys_frontier.py rating``): with the defaults, two
hidden layers of 500 and 250 L-BFGS steps, the model reaches u1.test RMSE 0.896 (five-fold mean
0.890), where MF and item kNN stay near 0.93. The kernels stay dense at that budget (every
``K_ab`` > 0: the embeddings start at sd 1e-3, so the penalty's pull is weak), so the gain comes
from the depth, full-batch L-BFGS and the L2 penalty on a kernel-modulated weight matrix, not
from sparsity.

TensorFlow is imported inside the functions, so ``import fusionlab.recsys`` stays fast.
Memory is O(n_items x n_users) (the dense rating matrix and its reconstruction), so this model
is for catalogues of up to some tens of thousands of items and users.
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import Int, OneOf, Real, check_random_state
from ..history import History
from ._base import BaseRecommender
from .baselines import fit_biases

__all__ = ["KernelAutoRec", "local_kernel", "init_autorec_params", "autorec_forward", "autorec_loss"]


def local_kernel(u, v, xp=np):
    """The finite-support kernel ``max(0, 1 - |u_a - v_b|^2)``, shape (n_in, n_out).

    ``u`` has shape (n_in, n_dim), ``v`` (n_out, n_dim). ``xp`` is ``numpy`` or
    ``tensorflow.experimental.numpy``-like (anything with ``sum`` and ``maximum``).
    """
    squared = (xp.sum(u * u, axis=1)[:, None] + xp.sum(v * v, axis=1)[None, :]
               - 2.0 * (u @ xp.transpose(v)))  # (n_in, n_out)
    return xp.maximum(0.0, 1.0 - squared)


def init_autorec_params(n_in: int, n_hidden: int, n_layers: int, n_dim: int, rng, *, kernel: bool = True) -> list[np.ndarray]:
    """Initial weights: per layer ``W`` (Glorot uniform), ``b`` (0) and, when ``kernel``,
    the embeddings ``u`` and ``v`` (normal, sd 1e-3: every kernel starts near 1, dense).

    Layers run ``n_in -> n_hidden (x n_layers) -> n_in``; the last is linear.
    """
    sizes = [n_in] + [n_hidden] * n_layers + [n_in]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-limit, limit, (fan_in, fan_out)))
        params.append(np.zeros(fan_out))
        if kernel:
            params.append(rng.normal(0.0, 1e-3, (fan_in, n_dim)))
            params.append(rng.normal(0.0, 1e-3, (fan_out, n_dim)))
    return params


def _layers(params, kernel: bool):
    step = 4 if kernel else 2
    return [params[start:start + step] for start in range(0, len(params), step)]


def autorec_forward(params, X, *, kernel: bool = True, xp=np):
    """Reconstruct ``X`` (n_samples, n_in): sigmoid hidden layers, linear output.

    Returns ``(reconstruction, kernels)``; ``kernels`` lists each layer's ``K`` (empty when
    ``kernel`` is False).
    """
    sigmoid = (lambda z: 1.0 / (1.0 + xp.exp(-z)))
    layers = _layers(params, kernel)
    kernels = []
    hidden = X
    for depth, layer in enumerate(layers):
        W, b = layer[0], layer[1]
        if kernel:
            K = local_kernel(layer[2], layer[3], xp)
            kernels.append(K)
            W = W * K  # (fan_in, fan_out), mostly zeros once trained
        hidden = hidden @ W + b  # (n_samples, fan_out)
        if depth < len(layers) - 1:
            hidden = sigmoid(hidden)
    return hidden, kernels


def autorec_loss(params, X, mask, *, l2: float, sparsity: float, kernel: bool = True, xp=np):
    """The training objective::

        1/2 sum(mask * (X - f(X))^2) + l2/2 sum_layers |W|^2 + sparsity/2 sum_layers |K|^2

    ``mask`` is 1 on observed entries. Works on NumPy arrays (``xp=numpy``) and on TensorFlow
    tensors (``xp`` = a module with ``exp``, ``sum``, ``maximum`` and ``transpose``).
    """
    reconstruction, kernels = autorec_forward(params, X, kernel=kernel, xp=xp)
    residual = mask * (X - reconstruction)
    loss = 0.5 * xp.sum(residual * residual)
    for layer in _layers(params, kernel):
        loss = loss + 0.5 * l2 * xp.sum(layer[0] * layer[0])
    for K in kernels:
        loss = loss + 0.5 * sparsity * xp.sum(K * K)
    return loss


class _TFNumpy:
    """The few array functions ``autorec_loss`` needs, on TensorFlow tensors."""

    def __init__(self, tf):
        self.exp, self.maximum, self.transpose = tf.exp, tf.maximum, tf.transpose
        self.sum = lambda x, axis=None: tf.reduce_sum(x, axis=axis)


class KernelAutoRec(BaseRecommender):
    """Item-based autoencoder with kernel-sparsified weights (Sparse FC, Muller et al. 2018).

    See the module docstring for the model. ``kernel=False`` gives plain I-AutoRec
    (Sedhain et al. 2015) with ``n_layers`` sigmoid layers.

    Parameters
    ----------
    n_hidden : int, default=500
        Units in each hidden layer.
    n_layers : int, default=2
        Hidden layers (the output layer comes on top).
    n_dim : int, default=5
        Size of the kernel embeddings.
    l2 : float, default=20.0
        L2 penalty on the weights ``W``.
    sparsity : float, default=0.006
        L2 penalty on the kernel values ``K``: larger gives sparser layers.
    n_epochs : int, default=50
        Rounds of L-BFGS; each starts afresh from the current weights. Chosen on a random 10%
        of MovieLens-100K's u1.base (validation RMSE 0.903 after 30 epochs, 0.892 after 50,
        0.893 after 55); see ``benchmarks/recsys_frontier.py rating``.
    n_steps : int, default=5
        L-BFGS iterations (full-batch steps) per epoch.
    kernel : bool, default=True
    random_state : None, int or Generator, default=None
    dtype : {"float32", "float64"}, default="float32"
        TensorFlow's working precision (float64 for gradient checks).

    Attributes
    ----------
    prediction_ : ndarray of shape (n_users, n_items)
        The reconstruction, as users x items.
    history_ : fusionlab.history.History
        Per epoch: ``elapsed_s``, ``step`` (L-BFGS iterations so far) and the metric
        ``"loss"``, the training objective.
    density_ : list of float
        Fraction of non-zero kernel values in each layer (empty without ``kernel``).
    fit_time_s_ : float

    See Also
    --------
    GLocal-K's and kernelNet's reference code (TensorFlow 1, L-BFGS-B): the same local kernel.
    fusionlab.recsys.BiasedMF : the factor model it is blended with in
    :class:`fusionlab.recsys.BlendRecommender`.

    Notes
    -----
    Used in chapter 4.2 (the frontier of MovieLens-100K rating prediction).
    """

    _parameter_rules = {
        "n_hidden": Int(low=1), "n_layers": Int(low=1), "n_dim": Int(low=1), "l2": Real(low=0),
        "sparsity": Real(low=0, hint="Larger values give sparser layers; 0 leaves the kernels unpenalised."),
        "n_epochs": Int(low=1), "n_steps": Int(low=1),
        "dtype": OneOf(("float32", "float64"), hint="float64 is for gradient checks."),
    }

    def __init__(self, n_hidden: int = 500, n_layers: int = 2, n_dim: int = 5, l2: float = 20.0, sparsity: float = 0.006,
                 n_epochs: int = 50, n_steps: int = 5, kernel: bool = True, random_state=None, dtype: str = "float32"):
        self.n_hidden = n_hidden
        self.n_layers = n_layers
        self.n_dim = n_dim
        self.l2 = l2
        self.sparsity = sparsity
        self.n_epochs = n_epochs
        self.n_steps = n_steps
        self.kernel = kernel
        self.random_state = random_state
        self.dtype = dtype

    def _fit(self, R):
        n_hidden, n_layers, n_dim, l2, sparsity = self.n_hidden, self.n_layers, self.n_dim, float(self.l2), float(self.sparsity)
        rng = check_random_state(self.random_state)
        import scipy.optimize
        import tensorflow as tf

        start = time.perf_counter()
        X = np.asarray(R.T.todense(), dtype=self.dtype)  # (n_items, n_users): one sample per item
        mask = (X != 0).astype(self.dtype)
        params = init_autorec_params(self.n_users_, n_hidden, n_layers, n_dim, rng, kernel=self.kernel)
        shapes = [p.shape for p in params]
        sizes = [p.size for p in params]
        X_t, mask_t = tf.constant(X), tf.constant(mask)
        xp = _TFNumpy(tf)
        kernel = bool(self.kernel)

        @tf.function(reduce_retracing=True)
        def value_and_grad(flat):  # (n_params,) -> (loss, gradient)
            with tf.GradientTape() as tape:
                tape.watch(flat)
                pieces = [tf.reshape(piece, shape) for piece, shape in zip(tf.split(flat, sizes), shapes)]
                loss = autorec_loss(pieces, X_t, mask_t, l2=l2, sparsity=sparsity, kernel=kernel, xp=xp)
            return loss, tape.gradient(loss, flat)

        def objective(flat):
            loss, grad = value_and_grad(tf.constant(flat, dtype=self.dtype))
            return float(loss), grad.numpy().astype(np.float64)

        flat = np.concatenate([p.ravel() for p in params])
        self.history_ = History()
        n_steps_done = 0
        for epoch in range(self.n_epochs):
            # L-BFGS restarts every epoch, as in the reference code: in float32 a long run stops
            # early once the loss changes by less than its rounding.
            result = scipy.optimize.minimize(objective, flat, jac=True, method="L-BFGS-B", options={"maxiter": self.n_steps, "maxcor": 10})
            flat = result.x
            n_steps_done += int(result.nit)
            self.history_.record(epoch=epoch + 1, step=n_steps_done, elapsed_s=time.perf_counter() - start, loss=result.fun)
            self._epoch_end(epoch, flat)
        self.params_ = self._unflatten(flat.astype(self.dtype), shapes)
        reconstruction, kernels = autorec_forward([p.astype(np.float64) for p in self.params_], X.astype(np.float64), kernel=kernel)
        self.density_ = [float(np.mean(K > 0)) for K in kernels]
        # Users or items with no training rating have no signal in the reconstruction: baseline.
        mu, user_bias, item_bias = fit_biases(R)
        prediction = reconstruction.T  # (n_users, n_items)
        cold = (self.user_counts_ == 0)[:, None] | (self.item_counts_ == 0)[None, :]
        self.prediction_ = np.where(cold, mu + user_bias[:, None] + item_bias[None, :], prediction)
        self.fit_time_s_ = time.perf_counter() - start
        return self

    @staticmethod
    def _unflatten(flat, shapes):
        sizes = [int(np.prod(shape)) for shape in shapes]
        return [piece.reshape(shape) for piece, shape in zip(np.split(flat, np.cumsum(sizes)[:-1]), shapes)]

    def _epoch_end(self, epoch, flat):
        """Called after each epoch with the flat parameter vector (a hook for monitoring)."""

    def _predict_pairs(self, users, items):
        return self.prediction_[users, items]

    def _score_users(self, users):
        return self.prediction_[users]
