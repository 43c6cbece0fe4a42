"""The model-randomisation sanity check of Adebayo et al. (2018), cascading from the top.

If an attribution method explains the *model*, destroying the model must change the map.
Starting from the output layer, each layer's weights are re-initialised in turn (a copy of the
model; the original is untouched) and each method's map is recomputed for the same images and
the same target class. The Spearman rank correlation between the new and the original map
measures how much survives, in Adebayo et al.'s two versions: of the signed maps, and of their
absolute values (what a heat map shows). A method whose maps still look the same when every
layer is random is explaining the input (or the architecture), not the learned model: it *fails*.

How similar is "the same"? Maps of one network share structure whatever the weights (in a CNN
with "valid" convolutions, border pixels feed fewer units and get smaller gradients), so even
the trained model's maps of two *different* images correlate. That correlation is the
reference: a method passes when, with every layer random, its maps are no more like the trained
maps than the maps of unrelated images are (within ``margin``).

A model-independent edge detector (Sobel filter of the image) is included as the control: its
correlation is 1 by construction, so it always fails; that is what failing looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._keras import check_keras_model
from .._validation import check_choice, check_float, check_int, error_message
from .attributions import _check_images, attribution_map, integrated_gradients, occlusion, resolve_target, saliency, smoothgrad

METHODS = ("gradient", "smoothgrad", "integrated_gradients", "gradient_x_input", "occlusion", "edge_detector")


def edge_map(X) -> np.ndarray:
    """Sobel gradient magnitude of each image (summed over channels): the model-independent control.

    Returns
    -------
    maps : ndarray of shape (n_images, height, width)
    """
    from scipy.ndimage import sobel

    X = np.asarray(X, dtype=np.float64)
    return np.hypot(sobel(X, axis=1, mode="nearest"), sobel(X, axis=2, mode="nearest")).sum(axis=3)


def explain(model, X, method: str, target=None, **options) -> np.ndarray:
    """Attributions of each image by the named method, shape (n_images, height, width, channels).

    Parameters
    ----------
    method : {"gradient", "smoothgrad", "integrated_gradients", "gradient_x_input", "occlusion", "edge_detector"}
        ``"gradient_x_input"`` is the gradient times the input. Occlusion and the edge detector
        give one value per pixel, returned with a single channel.
    **options
        Passed to the method (``n_steps``, ``n_samples``, ``patch`` ...).

    Returns
    -------
    attributions : ndarray of shape (n_images, height, width, channels or 1)
        Reduce with :func:`attribution_map` (``"sum"`` keeps the sign, ``"abs_max"`` is the heat map).
    """
    method = check_choice(method, "method", METHODS)
    if method == "edge_detector":
        return edge_map(X)[..., None]
    if method == "occlusion":
        return occlusion(model, X, target, **options)[..., None]
    if method == "gradient":
        return saliency(model, X, target, **options)
    if method == "gradient_x_input":
        return saliency(model, X, target, **options) * np.asarray(X)
    if method == "smoothgrad":
        return smoothgrad(model, X, target, **options)
    return integrated_gradients(model, X, target, **options)


def rank_correlation(maps_a, maps_b, *, absolute: bool = True) -> np.ndarray:
    """Spearman rank correlation of paired maps, shape (n_images,).

    ``absolute=True`` ranks absolute values (heat maps); ``False`` ranks the signed values.
    """
    from scipy.stats import spearmanr

    a, b = np.asarray(maps_a, dtype=np.float64), np.asarray(maps_b, dtype=np.float64)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    values = []
    for left, right in zip(a.reshape(len(a), -1), b.reshape(len(b), -1)):
        if np.ptp(left) == 0 or np.ptp(right) == 0:  # a constant map carries no ranking
            values.append(1.0 if np.array_equal(left, right) else 0.0)
        else:
            values.append(float(spearmanr(left, right).statistic))
    return np.array(values)


def _reinitialise(layer, seed: int) -> None:
    """Draw a layer's weights afresh from its own initialisers (a zero bias stays zero)."""
    for variable in layer.trainable_weights:
        name = variable.path.rsplit("/", 1)[-1]
        initializer = getattr(layer, f"{name}_initializer", None)
        if initializer is None:
            raise ValueError(error_message("model", "layers whose weights have initialisers (Dense, Conv2D ...)", f"{layer.name}/{name}", "Randomise only layers with kernel/bias initialisers."))
        config = initializer.get_config()
        if "seed" in config:
            config["seed"] = seed
        fresh = type(initializer).from_config(config)
        variable.assign(fresh(variable.shape, dtype=variable.dtype))


METRICS = ("absolute", "signed")


@dataclass
class SanityCheckResult:
    """Rank correlations with the trained model's maps as layers are randomised top-down.

    Attributes
    ----------
    stages : list of str
        ``"trained"``, then the name of each layer as it is randomised (output layer first);
        stage ``k`` has the top ``k`` weighted layers random.
    correlation : dict of str to dict of str to ndarray of shape (n_stages, n_images)
        ``correlation[metric][method]``: Spearman correlation of each method's map with its map
        on the trained model, for ``metric`` in ``("absolute", "signed")``.
    reference : dict of str to dict of str to float
        ``reference[metric][method]``: mean correlation between the trained model's maps of
        *different* images (each image with the next): what unrelated maps share.
    margin : float
        A method passes when its final mean correlation is below ``max(reference, 0) + margin``
        (a negative reference is sampling noise around 0).
    maps : dict of str to ndarray of shape (n_stages, n_images, height, width)
        The signed maps (channels summed), for figures.
    """

    stages: list
    correlation: dict
    reference: dict
    margin: float
    maps: dict = field(repr=False, default_factory=dict)

    @property
    def methods(self) -> list:
        return list(self.correlation["absolute"])

    def final_correlation(self, metric: str = "absolute") -> dict:
        """Each method's mean correlation once every layer is random."""
        metric = check_choice(metric, "metric", METRICS)
        return {method: float(values[-1].mean()) for method, values in self.correlation[metric].items()}

    def passed(self, metric: str = "absolute") -> dict:
        """Each method's verdict: True when its maps, with every layer random, are no closer to the
        trained maps than the maps of unrelated images (plus the margin)."""
        final = self.final_correlation(metric)
        return {method: final[method] < max(self.reference[metric][method], 0.0) + self.margin for method in final}

    def excess(self, metric: str = "absolute") -> dict:
        """Each method's final correlation minus its reference: what survives beyond shared structure."""
        final = self.final_correlation(metric)
        return {method: final[method] - self.reference[metric][method] for method in final}

    def table(self, metric: str = "absolute") -> str:
        """Mean correlation per stage and method, the reference and the verdicts, as fixed-width text."""
        metric = check_choice(metric, "metric", METRICS)
        methods = self.methods
        width = max(12, *(len(m) for m in methods))
        rows = [f"{metric + ' maps':<20}" + "".join(f"{m:>{width + 1}}" for m in methods)]
        for index, stage in enumerate(self.stages):
            label = "trained" if index == 0 else f"random to {stage}"
            rows.append(f"{label[:20]:<20}" + "".join(f"{self.correlation[metric][m][index].mean():>{width + 1}.2f}" for m in methods))
        rows.append(f"{'other images':<20}" + "".join(f"{self.reference[metric][m]:>{width + 1}.2f}" for m in methods))
        verdicts = self.passed(metric)
        rows.append(f"{'verdict':<20}" + "".join(f"{('pass' if verdicts[m] else 'FAIL'):>{width + 1}}" for m in methods))
        return "\n".join(rows)


def cascading_randomization(model, X, methods=("gradient", "smoothgrad", "integrated_gradients", "edge_detector"), *,
                            target=None, margin: float = 0.1, method_options: dict | None = None,
                            random_state: int = 0) -> SanityCheckResult:
    """Adebayo et al.'s cascading model-randomisation test for several attribution methods.

    Parameters
    ----------
    model : keras.Model
        The trained classifier (not modified: a copy is randomised).
    X : ndarray of shape (n_images, height, width, channels)
        At least two images (the reference pairs different images).
    methods : sequence of str, default=("gradient", "smoothgrad", "integrated_gradients", "edge_detector")
        Names accepted by :func:`explain`.
    target : None, int or array-like of int, default=None
        Class explained; ``None``: the trained model's prediction, kept fixed while the model
        is destroyed.
    margin : float, default=0.1
        Pass when the final mean rank correlation is below the reference (maps of different
        images) plus this margin.
    method_options : dict of str to dict, default=None
        Options per method, e.g. ``{"integrated_gradients": {"n_steps": 32}}``.
    random_state : int, default=0
        Seeds the re-initialisation (and SmoothGrad's noise).

    Returns
    -------
    result : SanityCheckResult

    Notes
    -----
    Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim (2018), "Sanity checks for saliency
    maps". Used in chapter 5.2.
    """
    import keras

    model = check_keras_model(model)
    model, X = _check_images(model, X)
    methods = [check_choice(m, "methods", METHODS) for m in methods]
    if not methods:
        raise ValueError(error_message("methods", "at least one method name", methods, f"Choose from {list(METHODS)}."))
    margin = check_float(margin, "margin", low=0.0, high=1.0, fix="Use e.g. 0.1.")
    if len(X) < 2:
        raise ValueError(error_message("X", "at least 2 images (the reference compares different images)", f"{len(X)} image(s)", "Pass e.g. X_test[:4]."))
    random_state = check_int(random_state, "random_state", low=0, fix="Pass a seed such as 0.")
    options = {m: dict((method_options or {}).get(m, {})) for m in methods}
    if "smoothgrad" in options:
        options["smoothgrad"].setdefault("random_state", random_state)
    target = resolve_target(model, X, target)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    layers = [layer for layer in reversed(copy.layers) if layer.trainable_weights]
    stages = ["trained"] + [layer.name for layer in layers]
    attributions = {m: [explain(copy, X, m, target, **options[m])] for m in methods}
    for depth, layer in enumerate(layers, start=1):
        _reinitialise(layer, seed=random_state + depth)
        for m in methods:
            attributions[m].append(explain(copy, X, m, target, **options[m]))
    signed = {m: np.stack([attribution_map(a, "sum") for a in stack]) for m, stack in attributions.items()}
    absolute = {m: np.stack([attribution_map(a, "abs_max") for a in stack]) for m, stack in attributions.items()}
    correlation = {
        "absolute": {m: np.stack([rank_correlation(stack[0], stage) for stage in stack]) for m, stack in absolute.items()},
        "signed": {m: np.stack([rank_correlation(stack[0], stage, absolute=False) for stage in stack]) for m, stack in signed.items()},
    }
    reference = {
        "absolute": {m: float(rank_correlation(stack[0], np.roll(stack[0], 1, axis=0)).mean()) for m, stack in absolute.items()},
        "signed": {m: float(rank_correlation(stack[0], np.roll(stack[0], 1, axis=0), absolute=False).mean()) for m, stack in signed.items()},
    }
    return SanityCheckResult(stages, correlation, reference, margin, signed)


__all__ = ["METHODS", "METRICS", "SanityCheckResult", "cascading_randomization", "edge_map", "explain", "rank_correlation"]
