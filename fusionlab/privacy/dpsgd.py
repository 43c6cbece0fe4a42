"""DP-SGD (Abadi et al. 2016) for a Keras classifier: per-example gradients, clipping, Gaussian noise.

One step on a lot ``B`` drawn by Poisson sampling (each example independently, with
probability ``q = batch_size / n_samples``)::

    g_i     = grad of loss(x_i, y_i)                      for each i in B  (vectorised)
    g_i    <- g_i * min(1, C / ||g_i||_2)                  clip each example to norm C
    g_noisy = (sum_i g_i + N(0, sigma^2 C^2 I)) / L        L = q * n_samples, the expected lot size
    w      <- w - learning_rate * g_noisy                  (or any Keras optimizer)

Clipping bounds what one example can change; the noise hides whether it was there. The privacy
this buys is computed by :func:`fusionlab.privacy.dp_sgd_epsilon` from ``sigma``, ``q`` and
the number of steps. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .._keras import check_keras_model, check_labels, check_model_inputs, check_validation_data, n_outputs, seed_pair
from .._validation import check_float, check_int, check_random_state, error_message
from ..history import History
from ._scoring import record_epoch
from .accounting import dp_sgd_epsilon


@dataclass
class DPSGDResult:
    """What :func:`fit_dp_sgd` did and the privacy it bought.

    Attributes
    ----------
    history : fusionlab.history.History
        Per epoch: ``loss`` and ``accuracy`` (means over the sampled lots), ``val_loss`` and
        ``val_accuracy`` (with validation data), ``learning_rate``; ``step``, ``elapsed_s``
        and ``n_samples_seen`` cumulative.
    epsilon : float
        The (epsilon, delta) guarantee after all steps (``inf`` without noise).
    delta : float
    noise_multiplier : float
        sigma: the noise standard deviation in units of the clipping norm.
    l2_norm_clip : float or None
        C; ``None`` means no clipping (not private).
    sampling_probability : float
        q, the chance that an example is in a given lot.
    n_steps : int
    clipped_fraction : list of float
        Per epoch, the share of per-example gradients longer than C (cut by clipping).
    """

    history: History
    epsilon: float
    delta: float
    noise_multiplier: float
    l2_norm_clip: float | None
    sampling_probability: float
    n_steps: int
    clipped_fraction: list = field(default_factory=list)


def _per_example_losses(model, x, y, *, training: bool):
    import keras

    probabilities = model(x, training=training)  # (batch, n_classes)
    return keras.losses.sparse_categorical_crossentropy(y, probabilities), probabilities  # (batch,)


def per_example_gradients(model, X, y) -> list[np.ndarray]:
    """The gradient of each example's loss with respect to every trainable variable, vectorised.

    Parameters
    ----------
    model : keras.Model
        A classifier whose outputs are class probabilities (every fusionlab builder).
    X : ndarray of shape (n_samples, ...)
    y : ndarray of int of shape (n_samples,)

    Returns
    -------
    gradients : list of ndarray
        One per trainable variable, each of shape ``(n_samples, *variable.shape)``: row ``i`` is
        the gradient of example ``i``'s cross-entropy.

    See Also
    --------
    tf.GradientTape.jacobian : the vectorised (``pfor``) Jacobian used here.
    tensorflow_privacy's ``compute_gradient_norms`` : the reference implementation's approach.
    """
    import tensorflow as tf

    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    x = tf.convert_to_tensor(X)
    with tf.GradientTape() as tape:
        losses, _ = _per_example_losses(model, x, tf.convert_to_tensor(y), training=False)
    jacobians = tape.jacobian(losses, model.trainable_variables, experimental_use_pfor=True)
    return [j.numpy() for j in jacobians]


def _make_dp_step(model, optimizer):
    """A compiled DP-SGD step for ``model``: clip per example, add noise, let ``optimizer`` apply."""
    import tensorflow as tf

    variables = model.trainable_variables
    dtype = variables[0].dtype

    def dp_step(x, y, l2_norm_clip, noise_std, denominator, seed):
        with tf.GradientTape() as tape:
            losses, probabilities = _per_example_losses(model, x, y, training=True)  # (batch,)
        jacobians = tape.jacobian(losses, variables, experimental_use_pfor=True)  # each (batch, *var.shape)
        squared = tf.add_n([tf.reduce_sum(tf.reshape(j, (tf.shape(j)[0], -1)) ** 2, axis=1) for j in jacobians])
        norms = tf.sqrt(squared)  # (batch,): ||g_i||_2 over all variables together
        tiny = tf.constant(np.finfo(dtype).tiny, dtype)
        scale = tf.minimum(tf.constant(1, dtype), l2_norm_clip / tf.maximum(norms, tiny))  # (batch,)
        seeds = tf.random.experimental.stateless_split(seed, num=len(variables))
        gradients = []
        for index, (jacobian, variable) in enumerate(zip(jacobians, variables)):
            summed = tf.tensordot(scale, jacobian, axes=1)  # sum_i scale_i g_i, shape of the variable
            noise = tf.random.stateless_normal(tf.shape(variable), seed=seeds[index], dtype=dtype)
            gradients.append((summed + noise_std * noise) / denominator)
        optimizer.apply(gradients, variables)
        correct = tf.cast(tf.equal(tf.argmax(probabilities, axis=1), y), dtype)
        return tf.reduce_sum(losses), tf.reduce_sum(correct), tf.reduce_sum(tf.cast(norms > l2_norm_clip, dtype))

    signature = [
        tf.TensorSpec((None, *model.inputs[0].shape[1:]), dtype),
        tf.TensorSpec((None,), tf.int64),
        tf.TensorSpec((), dtype), tf.TensorSpec((), dtype), tf.TensorSpec((), dtype),
        tf.TensorSpec((2,), tf.int32),
    ]
    return tf.function(dp_step, input_signature=signature)


def _check_privacy_settings(l2_norm_clip, noise_multiplier):
    if l2_norm_clip is not None:
        l2_norm_clip = check_float(l2_norm_clip, "l2_norm_clip", low=0.0, low_inclusive=False, fix="Use e.g. 1.0, or None for no clipping (not private).")
    noise_multiplier = check_float(noise_multiplier, "noise_multiplier", low=0.0, fix="Use e.g. 1.1, or 0 for no noise (not private).")
    if noise_multiplier > 0 and l2_norm_clip is None:
        raise ValueError(
            error_message("l2_norm_clip", "a positive float when noise_multiplier > 0", None, "Noise is scaled by the clipping norm: pass e.g. l2_norm_clip=1.0.")
        )
    return l2_norm_clip, noise_multiplier


class _DPStepper:
    """Holds one compiled step per (model, optimizer) so a training run traces it once."""

    def __init__(self, model, optimizer):
        import keras

        self.optimizer = optimizer if optimizer is not None else keras.optimizers.SGD(learning_rate=0.1)
        if not isinstance(self.optimizer, keras.optimizers.Optimizer):
            raise TypeError(error_message("optimizer", "a keras.optimizers.Optimizer or None", type(optimizer).__name__, "Pass e.g. keras.optimizers.SGD(learning_rate=0.1)."))
        self.optimizer.build(model.trainable_variables)
        self.dtype = model.trainable_variables[0].dtype
        self.step = _make_dp_step(model, self.optimizer)

    def __call__(self, x, y, l2_norm_clip, noise_multiplier, denominator, seed):
        clip = math.inf if l2_norm_clip is None else l2_norm_clip
        noise_std = noise_multiplier * (0.0 if l2_norm_clip is None else l2_norm_clip)
        cast = lambda value: np.asarray(value, dtype=self.dtype)  # noqa: E731
        loss_sum, n_correct, n_clipped = self.step(x, y, cast(clip), cast(noise_std), cast(denominator), seed)
        return float(loss_sum), float(n_correct), float(n_clipped)


def dp_sgd_step(model, X, y, *, l2_norm_clip: float | None = 1.0, noise_multiplier: float = 1.1, denominator: float | None = None, optimizer=None, random_state=0) -> np.ndarray:
    """One DP-SGD update of ``model`` on the lot ``(X, y)``; returns each example's gradient norm.

    Parameters
    ----------
    model : keras.Model
        Classifier with probability outputs; updated in place.
    X : ndarray of shape (lot_size, ...)
    y : ndarray of int of shape (lot_size,)
    l2_norm_clip : float or None, default=1.0
        C. ``None`` skips clipping.
    noise_multiplier : float, default=1.1
        sigma; the noise added to the summed gradient has standard deviation ``sigma * C``.
    denominator : float, default=None
        What the noisy sum is divided by: the expected lot size in DP-SGD. ``None`` uses
        ``len(X)``, which with ``l2_norm_clip=None`` and ``noise_multiplier=0`` is exactly one
        step of ordinary mini-batch SGD on the mean loss.
    optimizer : keras.optimizers.Optimizer, default=None
        ``None``: plain SGD with learning rate 0.1.
    random_state : int, default=0
        Seeds the noise.

    Returns
    -------
    norms : ndarray of shape (lot_size,)
        The L2 norm of each example's gradient before clipping.
    """
    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    l2_norm_clip, noise_multiplier = _check_privacy_settings(l2_norm_clip, noise_multiplier)
    denominator = float(len(X)) if denominator is None else check_float(denominator, "denominator", low=0.0, low_inclusive=False, fix="Pass the expected lot size, e.g. batch_size.")
    norms = np.sqrt(sum(np.sum(g.reshape(len(X), -1) ** 2, axis=1) for g in per_example_gradients(model, X, y)))
    _DPStepper(model, optimizer)(X, y, l2_norm_clip, noise_multiplier, denominator, seed_pair(check_random_state(random_state)))
    return norms


def fit_dp_sgd(model, X, y, *, epochs: int = 10, batch_size: int = 64, l2_norm_clip: float | None = 1.0, noise_multiplier: float = 1.1,
               learning_rate: float = 0.1, optimizer=None, delta: float = 1e-5, validation_data=None, random_state=0) -> DPSGDResult:
    """Train ``model`` with DP-SGD on Poisson-sampled lots and account for the privacy spent.

    Each epoch has ``round(n_samples / batch_size)`` steps; each step draws a lot by including
    every example independently with probability ``q = batch_size / n_samples`` (the sampling
    the accountant assumes), then calls the DP step (module docstring). ``noise_multiplier=0``
    with ``l2_norm_clip=None`` is the same loop without privacy, so the two differ only by
    clipping and noise.

    Parameters
    ----------
    model : keras.Model
        Classifier with probability outputs (e.g. :func:`fusionlab.models.build_mlp`); trained
        in place. Its compiled optimizer is not used.
    X : ndarray of shape (n_samples, ...)
    y : ndarray of int of shape (n_samples,)
    epochs : int, default=10
    batch_size : int, default=64
        The expected lot size ``L = q * n_samples``.
    l2_norm_clip : float or None, default=1.0
    noise_multiplier : float, default=1.1
    learning_rate : float, default=0.1
        Of plain SGD, used when ``optimizer`` is None.
    optimizer : keras.optimizers.Optimizer, default=None
    delta : float, default=1e-5
        The delta of the reported (epsilon, delta); keep it below ``1 / n_samples``.
    validation_data : tuple (X_validation, y_validation), default=None
    random_state : int, default=0
        Seeds the lot sampling and the noise.

    Returns
    -------
    result : DPSGDResult

    See Also
    --------
    tensorflow_privacy.DPKerasSGDOptimizer : the reference implementation (not a dependency).
    opacus.PrivacyEngine : the PyTorch counterpart.

    Notes
    -----
    Abadi et al. (2016), "Deep learning with differential privacy". Used in chapter 5.3
    (notebook ``05_3_privacy``) and ``benchmarks/trust.py``.
    """
    import keras

    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    n_samples = len(X)
    epochs = check_int(epochs, "epochs", low=1, fix="Train for at least one epoch.")
    batch_size = check_int(batch_size, "batch_size", low=1, high=n_samples, fix=f"Use a lot size of at most n_samples={n_samples}, e.g. {min(64, n_samples)}.")
    l2_norm_clip, noise_multiplier = _check_privacy_settings(l2_norm_clip, noise_multiplier)
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 0.1.")
    delta = check_float(delta, "delta", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 1e-5, below 1 / n_samples.")
    validation = check_validation_data(model, validation_data)
    rng = check_random_state(random_state)
    stepper = _DPStepper(model, optimizer if optimizer is not None else keras.optimizers.SGD(learning_rate=learning_rate))
    q = batch_size / n_samples
    steps_per_epoch = max(1, round(n_samples / batch_size))
    history, clipped_fraction = History(stopped_by="epochs"), []
    elapsed_s, n_seen = 0.0, 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        loss_sum = correct = clipped = seen = 0.0
        for _ in range(steps_per_epoch):
            lot = np.flatnonzero(rng.random(n_samples) < q)  # Poisson sampling: lots vary in size
            step_loss, step_correct, step_clipped = stepper(X[lot], y[lot], l2_norm_clip, noise_multiplier, batch_size, seed_pair(rng))
            loss_sum, correct, clipped, seen = loss_sum + step_loss, correct + step_correct, clipped + step_clipped, seen + lot.size
        elapsed_s, n_seen = elapsed_s + time.perf_counter() - start, n_seen + int(seen)
        record_epoch(history, model, epoch=epoch, step=epoch * steps_per_epoch, elapsed_s=elapsed_s, n_samples_seen=n_seen,
                     loss_sum=loss_sum, correct=correct, seen=seen, learning_rate=learning_rate, validation=validation)
        clipped_fraction.append(clipped / max(seen, 1) if l2_norm_clip is not None else 0.0)
    n_steps = epochs * steps_per_epoch
    epsilon = dp_sgd_epsilon(noise_multiplier, q, n_steps, delta=delta) if l2_norm_clip is not None else math.inf
    return DPSGDResult(history, epsilon, delta, noise_multiplier, l2_norm_clip, q, n_steps, clipped_fraction)


__all__ = ["DPSGDResult", "dp_sgd_step", "fit_dp_sgd", "per_example_gradients"]
