"""Adversarial examples: FGSM (Goodfellow et al. 2015) and PGD (Madry et al. 2018), L-infinity.

An adversarial example is the input moved, within a small box ``||x' - x||_inf <= epsilon``
that keeps pixels in their range, in the direction that raises the model's loss::

    FGSM:  x' = clip(x + epsilon * sign(grad_x loss(x, y)))                      one step
    PGD:   x_0 = x + U(-epsilon, epsilon);  x_{t+1} = P(x_t + alpha * sign(grad_x loss(x_t, y)))

where ``P`` projects back onto the epsilon-box around ``x`` and onto the pixel range. The loss
is the cross-entropy computed from the logits (so a very confident softmax does not hide the
gradient). Robust accuracy is the accuracy on the attacked inputs.
"""

from __future__ import annotations

import numpy as np

from .._keras import batches, check_keras_model, check_labels, check_model_inputs, compiled_function, n_outputs
from .._validation import check_array, check_choice, check_float, check_int, check_random_state, error_message

ATTACKS = ("fgsm", "pgd")


def _check_attack(model, X, y, epsilon, clip_min, clip_max):
    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    clip_min = check_float(clip_min, "clip_min")
    clip_max = check_float(clip_max, "clip_max")
    if clip_max <= clip_min:
        raise ValueError(error_message("clip_max", f"greater than clip_min={clip_min}", clip_max, "Pixels scaled by 1/255 live in [0, 1]."))
    if X.size and (X.min() < clip_min or X.max() > clip_max):
        raise ValueError(
            error_message("X", f"values in [clip_min, clip_max] = [{clip_min}, {clip_max}]", f"values in [{X.min():.3g}, {X.max():.3g}]", "Scale the images first (pixels / 255), or pass the range they live in.")
        )
    epsilon = check_float(epsilon, "epsilon", low=0.0, fix="Give the L-inf radius in input units, e.g. 8 / 255 for pixels in [0, 1].")
    return model, X, y, epsilon, clip_min, clip_max


def input_gradient(model, X, y, *, batch_size: int = 256) -> np.ndarray:
    """Gradient of each example's cross-entropy (from logits) with respect to its input, same shape as ``X``."""
    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    gradient_of = compiled_function(model, "loss_gradient", "logit")  # traced once per model
    gradients = np.empty_like(X)
    for rows in batches(len(X), batch_size):
        gradients[rows] = gradient_of(X[rows], y[rows]).numpy()
    return gradients


def fgsm(model, X, y, epsilon: float, *, clip_min: float = 0.0, clip_max: float = 1.0, batch_size: int = 256) -> np.ndarray:
    """The fast gradient sign method: one step of size ``epsilon`` along the sign of the loss gradient.

    Parameters
    ----------
    model : keras.Model
        Classifier ending in a softmax ``Dense`` layer.
    X : ndarray of shape (n_samples, ...)
        Inputs in ``[clip_min, clip_max]``.
    y : ndarray of int of shape (n_samples,)
        True labels (the attack raises their loss).
    epsilon : float
        L-infinity radius, in input units (``8 / 255`` is 8 grey levels).
    clip_min, clip_max : float, default=0.0, 1.0
        The valid input range.
    batch_size : int, default=256

    Returns
    -------
    X_adversarial : ndarray, same shape and dtype as ``X``
        Within ``epsilon`` of ``X`` in every coordinate and inside the pixel range.

    See Also
    --------
    cleverhans.tf2.attacks.fast_gradient_method : the reference implementation.
    """
    model, X, y, epsilon, clip_min, clip_max = _check_attack(model, X, y, epsilon, clip_min, clip_max)
    if epsilon == 0:
        return X.copy()
    step = epsilon * np.sign(input_gradient(model, X, y, batch_size=batch_size))
    return np.clip(X + step, clip_min, clip_max).astype(X.dtype)


def _project(X_adversarial, X, epsilon, clip_min, clip_max):
    """Back into the epsilon-box around X, then into the pixel range (both hold afterwards)."""
    return np.clip(np.clip(X_adversarial, X - epsilon, X + epsilon), clip_min, clip_max)


def pgd(model, X, y, epsilon: float, *, n_steps: int = 10, step_size: float | None = None, random_start: bool = True,
        clip_min: float = 0.0, clip_max: float = 1.0, random_state=0, batch_size: int = 256) -> np.ndarray:
    """Projected gradient descent (on the loss, so ascent): ``n_steps`` signed steps, each projected.

    Parameters
    ----------
    model, X, y, epsilon, clip_min, clip_max, batch_size
        As in :func:`fgsm`.
    n_steps : int, default=10
    step_size : float, default=None
        alpha; ``None`` uses ``2.5 * epsilon / n_steps`` (Madry et al.'s rule of thumb), enough
        to cross the box from one side to the other.
    random_start : bool, default=True
        Start from a uniformly random point of the box (Madry et al.); False starts at ``X``.
    random_state : int, default=0
        Seeds the random start.

    Returns
    -------
    X_adversarial : ndarray, same shape and dtype as ``X``

    See Also
    --------
    cleverhans.tf2.attacks.projected_gradient_descent : the reference implementation.
    """
    model, X, y, epsilon, clip_min, clip_max = _check_attack(model, X, y, epsilon, clip_min, clip_max)
    n_steps = check_int(n_steps, "n_steps", low=1, fix="Use e.g. 10 steps.")
    step_size = 2.5 * epsilon / n_steps if step_size is None else check_float(step_size, "step_size", low=0.0, low_inclusive=False, fix="Use e.g. epsilon / 4.")
    if not isinstance(random_start, bool):
        raise TypeError(error_message("random_start", "True or False", random_start))
    rng = check_random_state(random_state)
    if epsilon == 0:
        return X.copy()
    X_adversarial = X.copy()
    if random_start:
        X_adversarial = _project(X + rng.uniform(-epsilon, epsilon, size=X.shape), X, epsilon, clip_min, clip_max).astype(X.dtype)
    for _ in range(n_steps):
        gradient = input_gradient(model, X_adversarial, y, batch_size=batch_size)
        X_adversarial = _project(X_adversarial + step_size * np.sign(gradient), X, epsilon, clip_min, clip_max).astype(X.dtype)
    return X_adversarial


def robust_accuracy(model, X, y, epsilons, *, attack: str = "pgd", random_state=0, **attack_options) -> np.ndarray:
    """Accuracy on inputs attacked at each radius in ``epsilons``, shape (n_epsilons,).

    Parameters
    ----------
    model, X, y
        As in :func:`fgsm`.
    epsilons : array-like of float
        Radii, in input units; 0 gives the clean accuracy.
    attack : {"fgsm", "pgd"}, default="pgd"
    random_state : int, default=0
        Seeds PGD's random start.
    **attack_options
        Passed to the attack (``n_steps``, ``step_size``, ``clip_min``, ...).

    Notes
    -----
    Used in chapter 5.3 on the article's CNN of chapter 4.1.
    """
    attack = check_choice(attack, "attack", ATTACKS)
    epsilons = check_array(epsilons, "epsilons", ndim=1)
    if np.any(epsilons < 0):
        raise ValueError(error_message("epsilons", "non-negative radii", epsilons.tolist(), "Use e.g. [0, 2/255, 4/255, 8/255]."))
    accuracies = []
    for epsilon in epsilons:
        if attack == "fgsm":
            X_adversarial = fgsm(model, X, y, float(epsilon), **attack_options)
        else:
            X_adversarial = pgd(model, X, y, float(epsilon), random_state=random_state, **attack_options)
        probabilities = np.concatenate([np.asarray(model(X_adversarial[rows], training=False)) for rows in batches(len(X_adversarial), 512)])
        accuracies.append(float(np.mean(probabilities.argmax(axis=1) == np.asarray(y))))
    return np.array(accuracies)


__all__ = ["ATTACKS", "fgsm", "input_gradient", "pgd", "robust_accuracy"]
