"""Attribution maps for image classifiers: which pixels does a class score depend on?

Four methods, each as its paper defines it, for a Keras model ``f`` and the score ``f_c`` of a
target class ``c`` (the logit by default):

- **gradient saliency** (Simonyan et al. 2014): ``grad_x f_c(x)``, shown as the largest
  absolute value over colour channels;
- **SmoothGrad** (Smilkov et al. 2017): the gradient averaged over noisy copies
  ``x + N(0, (noise_level * (max x - min x))^2)``, which removes much of its speckle;
- **integrated gradients** (Sundararajan et al. 2017): the path integral from a baseline
  ``x'`` (black image by default) to ``x``::

      IG_i(x) = (x_i - x'_i) * integral_0^1 d f_c(x' + a (x - x')) / d x_i  da

  approximated with ``n_steps`` points. It satisfies *completeness*:
  ``sum_i IG_i(x) = f_c(x) - f_c(x')``, which :func:`completeness_gap` measures;
- **occlusion** (Zeiler & Fergus 2014): slide a grey patch over the image and record how much
  the score drops; needs only the model's outputs (model-agnostic).

Gradients are computed with ``tf.GradientTape``; TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import numpy as np

from .._keras import SCORE_OUTPUTS, batches, check_keras_model, check_model_inputs, compiled_function, n_outputs
from .._validation import check_array, check_choice, check_float, check_int, check_random_state, error_message

RULES = ("left", "right", "midpoint", "trapezoid")
REDUCTIONS = ("abs_max", "abs_sum", "sum")


def _check_images(model, X):
    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    if X.ndim != 4:
        raise ValueError(error_message("X", "images of shape (n_images, height, width, channels)", f"array of shape {X.shape}", "Pass a batch of images, e.g. X_test[:8]."))
    return model, X


def _scores(score_of, X, batch_size=256) -> np.ndarray:
    return np.concatenate([np.asarray(score_of(X[rows]), dtype=np.float64) for rows in batches(len(X), batch_size)])


def resolve_target(model, X, target=None, *, output: str = "logit") -> np.ndarray:
    """The class each image is explained for: the model's prediction when ``target`` is None.

    Parameters
    ----------
    target : None, int or array-like of int of shape (n_images,)
    """
    if target is None:
        return _scores(compiled_function(model, "scores", output), X).argmax(axis=1)
    n_classes = n_outputs(model)
    target = np.atleast_1d(np.asarray(target))
    if target.dtype.kind not in "iu":
        raise TypeError(error_message("target", "None, an int class or an array of int classes", f"dtype {target.dtype}", "Pass e.g. target=3, or None for the predicted class."))
    target = np.broadcast_to(target, (len(X),)) if target.size == 1 else target
    if target.shape != (len(X),) or target.min() < 0 or target.max() >= n_classes:
        raise ValueError(error_message("target", f"one class in [0, {n_classes - 1}] per image", target.tolist()[:5], "Pass one int, or one per image."))
    return target.astype(np.int64)


def _target_gradients(model, output, X, target, batch_size) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of the score of class ``target`` with respect to ``x``, and the scores, in batches."""
    gradient_of = compiled_function(model, "target_gradient", output)  # traced once per model
    gradients, values = np.empty_like(X), np.empty(len(X))
    for rows in batches(len(X), batch_size):
        gradient, selected = gradient_of(X[rows], target[rows].astype(np.int64))
        gradients[rows], values[rows] = gradient.numpy(), selected.numpy()
    return gradients, values


def saliency(model, X, target=None, *, output: str = "logit", batch_size: int = 256) -> np.ndarray:
    """Vanilla gradient saliency: ``d f_c / d x`` for each image (Simonyan et al. 2014).

    Parameters
    ----------
    model : keras.Model
        Image classifier ending in a softmax ``Dense`` layer (e.g. ``build_seed_cnn``).
    X : ndarray of shape (n_images, height, width, channels)
        Inputs as the model takes them (pixels / 255).
    target : None, int or array-like of int, default=None
        Class to explain; ``None``: the predicted class.
    output : {"logit", "probability"}, default="logit"
        Differentiate the class score before the softmax (the usual choice: probabilities
        saturate) or the probability.
    batch_size : int, default=256

    Returns
    -------
    gradients : ndarray, same shape as ``X``
        Signed; :func:`attribution_map` turns them into one map per image.

    See Also
    --------
    tf.GradientTape : the reference autodiff used.
    """
    model, X = _check_images(model, X)
    target = resolve_target(model, X, target, output=output)
    return _target_gradients(model, output, X, target, batch_size)[0]


def smoothgrad(model, X, target=None, *, n_samples: int = 25, noise_level: float = 0.15, output: str = "logit",
               random_state=0, batch_size: int = 256) -> np.ndarray:
    """SmoothGrad: the gradient averaged over ``n_samples`` noisy copies of each image (Smilkov et al. 2017).

    Parameters
    ----------
    model, X, target, output, batch_size
        As in :func:`saliency`.
    n_samples : int, default=25
    noise_level : float, default=0.15
        Noise standard deviation as a fraction of each image's value range (the paper finds
        10-20% works well).
    random_state : int, default=0

    Returns
    -------
    gradients : ndarray, same shape as ``X``
    """
    model, X = _check_images(model, X)
    n_samples = check_int(n_samples, "n_samples", low=1, fix="Use e.g. 25 noisy copies.")
    noise_level = check_float(noise_level, "noise_level", low=0.0, fix="Use e.g. 0.15 (15% of the value range).")
    rng = check_random_state(random_state)
    target = resolve_target(model, X, target, output=output)
    spread = noise_level * (X.max(axis=(1, 2, 3)) - X.min(axis=(1, 2, 3)))  # (n_images,)
    total = np.zeros_like(X, dtype=np.float64)
    for _ in range(n_samples):
        noisy = (X + rng.normal(size=X.shape) * spread[:, None, None, None]).astype(X.dtype)
        total += _target_gradients(model, output, noisy, target, batch_size)[0]
    return (total / n_samples).astype(X.dtype)


def _baseline_array(X, baseline):
    if baseline is None:
        return np.zeros_like(X)
    if np.isscalar(baseline):
        return np.full_like(X, check_float(baseline, "baseline"))
    base = check_array(baseline, "baseline", dtype=X.dtype)
    try:
        return np.broadcast_to(base, X.shape).copy()
    except ValueError as exc:
        raise ValueError(error_message("baseline", f"None, a number, or an array broadcastable to {X.shape}", f"array of shape {base.shape}", "Pass one image, e.g. np.zeros_like(X[0]).")) from exc


def path_weights(n_steps: int, rule: str = "trapezoid") -> tuple[np.ndarray, np.ndarray]:
    """Points ``alpha`` in [0, 1] and weights of the quadrature of the IG path integral.

    ``"left"``, ``"right"`` and ``"midpoint"`` are Riemann sums with ``n_steps`` points;
    ``"trapezoid"`` uses ``n_steps + 1`` points (both ends) and is exact for a score that is
    linear along the path.
    """
    n_steps = check_int(n_steps, "n_steps", low=1, fix="Use e.g. 64 steps; completeness improves as they grow.")
    rule = check_choice(rule, "rule", RULES)
    if rule == "trapezoid":
        alphas = np.linspace(0.0, 1.0, n_steps + 1)
        weights = np.full(n_steps + 1, 1.0 / n_steps)
        weights[[0, -1]] /= 2
        return alphas, weights
    offset = {"left": 0.0, "right": 1.0, "midpoint": 0.5}[rule]
    return (np.arange(n_steps) + offset) / n_steps, np.full(n_steps, 1.0 / n_steps)


def integrated_gradients(model, X, target=None, *, baseline=None, n_steps: int = 64, rule: str = "trapezoid",
                         output: str = "logit", batch_size: int = 256) -> np.ndarray:
    """Integrated gradients from ``baseline`` to each image (Sundararajan et al. 2017).

    Parameters
    ----------
    model, X, target, output, batch_size
        As in :func:`saliency`.
    baseline : None, float or ndarray, default=None
        The reference input ``x'``: ``None`` is the black image (zeros), a float a constant
        image, an array one image or one per image.
    n_steps : int, default=64
        Points on the straight path; the completeness gap shrinks as they grow.
    rule : {"left", "right", "midpoint", "trapezoid"}, default="trapezoid"
        Quadrature rule (:func:`path_weights`); the paper uses a right Riemann sum.

    Returns
    -------
    attributions : ndarray, same shape as ``X``
        ``sum`` over an image's entries is approximately ``f_c(x) - f_c(x')``.

    See Also
    --------
    completeness_gap : checks the completeness axiom.
    captum.attr.IntegratedGradients, alibi.explainers.IntegratedGradients : reference implementations.
    """
    model, X = _check_images(model, X)
    target = resolve_target(model, X, target, output=output)
    base = _baseline_array(X, baseline)
    alphas, weights = path_weights(n_steps, rule)
    delta = X - base  # (n_images, height, width, channels)
    attributions = np.empty_like(X)
    for index in range(len(X)):
        path = (base[index] + alphas[:, None, None, None] * delta[index]).astype(X.dtype)  # (n_points, h, w, c)
        gradients, _ = _target_gradients(model, output, path, np.full(len(alphas), target[index]), batch_size)
        attributions[index] = delta[index] * np.tensordot(weights, gradients, axes=1)  # weighted mean gradient
    return attributions


def completeness_gap(model, X, attributions, target=None, *, baseline=None, output: str = "logit") -> np.ndarray:
    """Relative error of the completeness axiom, per image.

    ``|sum_i attributions_i - (f_c(x) - f_c(x'))| / |f_c(x) - f_c(x')|``; integrated
    gradients make it 0 in the limit of infinitely many steps.

    Returns
    -------
    gap : ndarray of shape (n_images,)
    """
    model, X = _check_images(model, X)
    attributions = check_array(attributions, "attributions", dtype=np.float64)
    if attributions.shape != X.shape:
        raise ValueError(error_message("attributions", f"an array of shape {X.shape}", f"array of shape {attributions.shape}", "Pass integrated_gradients(model, X, ...) for the same X."))
    target = resolve_target(model, X, target, output=output)
    score_of = compiled_function(model, "scores", output)
    rows = np.arange(len(X))
    difference = _scores(score_of, X)[rows, target] - _scores(score_of, _baseline_array(X, baseline))[rows, target]
    return np.abs(attributions.reshape(len(X), -1).sum(axis=1) - difference) / np.maximum(np.abs(difference), 1e-12)


def occlusion(model, X, target=None, *, patch: int = 4, stride: int = 2, fill: float | None = None,
              output: str = "probability", batch_size: int = 256) -> np.ndarray:
    """Occlusion sensitivity (Zeiler & Fergus 2014): the score drop when a patch is hidden.

    Each ``patch x patch`` square (moved by ``stride``) is replaced by ``fill`` in every
    channel; a pixel's value is the mean drop ``f_c(x) - f_c(x with the patch hidden)`` over the
    patches that cover it. Positive: hiding the pixel hurts the class.

    Parameters
    ----------
    model : keras.Model or callable
        A Keras classifier, or any function mapping images to scores of shape
        ``(n_images, n_classes)`` (the method needs only outputs).
    X : ndarray of shape (n_images, height, width, channels)
    target : None, int or array-like of int, default=None
    patch : int, default=4
    stride : int, default=2
    fill : float or None, default=None
        Value of hidden pixels; ``None`` uses each image's mean (a grey patch).
    output : {"logit", "probability"}, default="probability"
        For Keras models; ignored for a plain callable.
    batch_size : int, default=256

    Returns
    -------
    maps : ndarray of shape (n_images, height, width)
    """
    import keras

    if isinstance(model, keras.Model):
        model, X = _check_images(model, X)
        score_of = compiled_function(model, "scores", output)
        target = resolve_target(model, X, target, output=output)
    elif callable(model):
        X = check_array(X, "X", ndim=4)
        score_of = model
        target = _scores(score_of, X).argmax(axis=1) if target is None else np.broadcast_to(np.asarray(target, dtype=np.int64), (len(X),))
    else:
        raise TypeError(error_message("model", "a keras.Model or a callable returning class scores", type(model).__name__, "Pass the model, or lambda X: model.predict(X)."))
    n_images, height, width, _ = X.shape
    patch = check_int(patch, "patch", low=1, high=min(height, width), fix="Use a patch smaller than the image, e.g. 4.")
    stride = check_int(stride, "stride", low=1, fix="Use e.g. 2.")
    tops = list(range(0, height - patch + 1, stride))
    lefts = list(range(0, width - patch + 1, stride))
    maps = np.zeros((n_images, height, width))
    coverage = np.zeros((height, width))
    for top in tops:
        for left in lefts:
            coverage[top:top + patch, left:left + patch] += 1
    for index in range(n_images):
        image = X[index]
        value = float(image.mean()) if fill is None else check_float(fill, "fill")
        occluded = np.repeat(image[None], len(tops) * len(lefts), axis=0)  # (n_patches, h, w, c)
        for position, (top, left) in enumerate((t, l) for t in tops for l in lefts):
            occluded[position, top:top + patch, left:left + patch, :] = value
        original = _scores(score_of, image[None])[0, target[index]]
        drops = original - _scores(score_of, occluded, batch_size)[:, target[index]]  # (n_patches,)
        for position, (top, left) in enumerate((t, l) for t in tops for l in lefts):
            maps[index, top:top + patch, left:left + patch] += drops[position]
    return maps / np.maximum(coverage, 1)


def attribution_map(attributions, reduce: str = "abs_max") -> np.ndarray:
    """One 2-D map per image from per-channel attributions.

    Parameters
    ----------
    attributions : ndarray of shape (n_images, height, width, channels)
    reduce : {"abs_max", "abs_sum", "sum"}, default="abs_max"
        ``"abs_max"`` is Simonyan et al.'s saliency (largest absolute value over channels);
        ``"sum"`` keeps the sign (integrated gradients add up over channels).

    Returns
    -------
    maps : ndarray of shape (n_images, height, width)
    """
    attributions = check_array(attributions, "attributions", ndim=4)
    reduce = check_choice(reduce, "reduce", REDUCTIONS)
    if reduce == "abs_max":
        return np.abs(attributions).max(axis=3)
    if reduce == "abs_sum":
        return np.abs(attributions).sum(axis=3)
    return attributions.sum(axis=3)


__all__ = [
    "REDUCTIONS", "RULES", "SCORE_OUTPUTS", "attribution_map", "completeness_gap", "integrated_gradients", "occlusion",
    "path_weights", "resolve_target", "saliency", "smoothgrad",
]
