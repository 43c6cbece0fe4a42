"""Figures for interpretability (chapter 5.2): attribution maps, completeness, the sanity check,
feature importances, partial dependence, and additive explanations (SHAP, item kNN).

Each function returns the ``Figure``. No algorithm is imported here: the functions take arrays
and result objects computed by :mod:`fusionlab.explain`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import check_int, error_message
from ._base import new_axes
from .heatmap import plot_heatmap


def _display_image(image):
    image = np.asarray(image, dtype=np.float64)
    if image.max() > 1.0:
        image = image / 255.0
    return (image[..., 0], "gray") if image.shape[-1] == 1 else (np.clip(image, 0, 1), None)


def _normalise(map_2d, signed=False):
    """Scale a map to [0, 1] (or [-1, 1] when signed) by its 99th percentile of |values|."""
    scale = np.percentile(np.abs(map_2d), 99) or 1.0
    return np.clip(map_2d / scale, -1 if signed else 0, 1)


def plot_attributions(images, maps: dict, *, labels=None, overlay: str | None = None, title: str = "What the model looks at"):
    """A grid: each row an image, then one heat map per method, then an overlay.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width, channels)
        uint8 in [0, 255] or floats in [0, 1].
    maps : dict of str to ndarray of shape (n_images, height, width)
        Non-negative maps (e.g. ``attribution_map(..., "abs_max")``), keyed by method name.
        Each is scaled per image to its 99th percentile, so bright means "among this image's
        most important pixels".
    labels : list of str, default=None
        One caption per image (e.g. "cat (pred cat)").
    overlay : str, default=None
        The method drawn over the image in the last column; ``None``: the first.
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    images = np.asarray(images)
    if images.ndim != 4 or not maps:
        raise ValueError(error_message("images/maps", "a 4-D image array and a non-empty dict of maps", f"images of shape {images.shape}, {len(maps)} map(s)", "Pass X[:n] and {'gradient': maps}."))
    overlay = overlay or next(iter(maps))
    n_images, n_columns = len(images), len(maps) + 2
    figure, axes = plt.subplots(n_images, n_columns, figsize=(1.9 * n_columns, 1.9 * n_images + 0.5), layout="constrained", squeeze=False)
    for row in range(n_images):
        picture, cmap = _display_image(images[row])
        axes[row, 0].imshow(picture, cmap=cmap, interpolation="nearest")
        axes[row, 0].set_title(labels[row] if labels is not None else "image", fontsize=8)
        for column, (name, values) in enumerate(maps.items(), start=1):
            axes[row, column].imshow(_normalise(np.asarray(values)[row]), cmap="inferno", vmin=0, vmax=1, interpolation="nearest")
            axes[row, column].set_title(name, fontsize=8)
        axes[row, -1].imshow(picture, cmap=cmap, interpolation="nearest")
        axes[row, -1].imshow(_normalise(np.asarray(maps[overlay])[row]), cmap="inferno", alpha=0.55, vmin=0, vmax=1, interpolation="nearest")
        axes[row, -1].set_title(f"overlay: {overlay}", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(title + "  (bright = important; each map scaled to its own 99th percentile)", fontsize=10)
    return figure


def plot_completeness(n_steps, gaps: dict, *, tolerance: float = 0.01, ax=None, title: str = "Integrated gradients: completeness gap"):
    """The relative completeness gap of integrated gradients against the number of steps (log-log).

    Parameters
    ----------
    n_steps : sequence of int
    gaps : dict of str to array-like of shape (len(n_steps), n_images)
        Per quadrature rule, the gap of each image (:func:`fusionlab.explain.completeness_gap`).
        The line is the mean over images, the band the range.
    tolerance : float, default=0.01
        Drawn as a horizontal line (1%).
    """
    figure, ax = new_axes(ax, figsize=(6.5, 4.2))
    steps = np.asarray(n_steps)
    for rule, values in gaps.items():
        values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        (line,) = ax.plot(steps, 100 * values.mean(axis=1), marker="o", label=f"{rule} rule (mean; band: all images)")
        ax.fill_between(steps, 100 * values.min(axis=1), 100 * values.max(axis=1), color=line.get_color(), alpha=0.2)
    ax.axhline(100 * tolerance, color="grey", linestyle="--", linewidth=1, label=f"{100 * tolerance:g}% tolerance")
    ax.set_xscale("log", base=2)
    ax.set_xticks(steps, [str(int(m)) for m in steps])
    ax.minorticks_off()
    ax.set_yscale("log")
    ax.set_xlabel("steps on the path from the baseline (log scale)")
    ax.set_ylabel("completeness gap (% of f(x) - f(baseline))")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return figure


def plot_sanity_check(result, *, metric: str = "absolute", ax=None, title: str | None = None):
    """Rank correlation with the trained model's maps as layers are randomised from the top.

    Parameters
    ----------
    result : SanityCheckResult
        From :func:`fusionlab.explain.cascading_randomization`.
    metric : {"absolute", "signed"}, default="absolute"

    Each method's line should fall to its short dash on the right, the correlation between the
    trained model's maps of different images: a map that stays above it after every layer is
    random did not depend on what the model learned.
    """
    figure, ax = new_axes(ax, figsize=(7.5, 4.4))
    stages = ["trained"] + [f"+ {name}" for name in result.stages[1:]]
    positions = np.arange(len(stages))
    for method, values in result.correlation[metric].items():
        style = {"linestyle": "--", "color": "grey"} if method == "edge_detector" else {}
        (line,) = ax.plot(positions, np.asarray(values).mean(axis=1), marker="o", label=method, **style)
        ax.scatter([positions[-1] + 0.35], [result.reference[metric][method]], marker="_", s=250, color=line.get_color())
    ax.text(positions[-1] + 0.35, 1.02, "other\nimages", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(positions, stages, rotation=30, ha="right")
    ax.set_ylim(-0.3, 1.12)
    ax.set_xlim(-0.3, positions[-1] + 0.7)
    ax.set_xlabel("layers randomised so far (output layer first)")
    ax.set_ylabel(f"Spearman rank correlation ({metric} maps)")
    ax.set_title(title or f"Sanity check: do the {metric} maps change when the model is destroyed?")
    ax.legend(fontsize=8, loc="lower left")
    return figure


def plot_sanity_maps(result, image, *, image_index: int = 0, title: str = "Maps as the model is randomised, top layer first"):
    """One image's maps by method (rows) as layers are randomised (columns); absolute values.

    Parameters
    ----------
    result : SanityCheckResult
    image : ndarray of shape (height, width, channels)
        The image explained (shown in the first column).
    image_index : int, default=0
        Which of the result's images.
    """
    methods = list(result.maps)
    n_stages = len(result.stages)
    image_index = check_int(image_index, "image_index", low=0, high=next(iter(result.maps.values())).shape[1] - 1)
    figure, axes = plt.subplots(len(methods), n_stages + 1, figsize=(1.6 * (n_stages + 1), 1.6 * len(methods) + 0.6), layout="constrained", squeeze=False)
    picture, cmap = _display_image(image)
    for row, method in enumerate(methods):
        axes[row, 0].imshow(picture, cmap=cmap, interpolation="nearest")
        axes[row, 0].set_ylabel(method, fontsize=8)
        for column in range(n_stages):
            axes[row, column + 1].imshow(_normalise(np.abs(result.maps[method][column, image_index])), cmap="inferno", vmin=0, vmax=1, interpolation="nearest")
            if row == 0:
                axes[row, column + 1].set_title("trained" if column == 0 else f"+ {result.stages[column]}", fontsize=7)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(title, fontsize=10)
    return figure


def plot_importances(comparison, *, top: int = 12, highlight=("random_continuous", "random_categorical"), title: str = "Impurity against permutation importance"):
    """Two bar charts of the same forest's features: impurity (training data) and permutation (held out).

    Parameters
    ----------
    comparison : ImportanceComparison
        From :func:`fusionlab.explain.compare_importances`.
    top : int, default=12
        Features shown, ranked by impurity importance (plus any highlighted feature).
    highlight : sequence of str
        Features drawn in red (the random columns).
    """
    names = np.asarray(comparison.feature_names)
    order = list(np.argsort(-comparison.impurity, kind="stable")[:top])
    order += [i for i in np.flatnonzero(np.isin(names, highlight)) if i not in order]
    order = order[::-1]  # largest at the top
    colours = ["tab:red" if names[i] in highlight else "tab:blue" for i in order]
    figure, (left, right) = new_axes(ncols=2, figsize=(11.0, 0.3 * len(order) + 1.5))
    left.barh(names[order], comparison.impurity[order], color=colours)
    left.set_xlabel("mean decrease in impurity (share of the total)")
    left.set_title("Impurity importance (training data)")
    right.barh(names[order], comparison.permutation_mean[order], xerr=comparison.permutation_std[order], color=colours)
    right.axvline(0, color="black", linewidth=0.8)
    right.set_xlabel("drop in held-out accuracy when shuffled")
    right.set_title("Permutation importance (test data)")
    figure.suptitle(title + "  (red: random columns)")
    return figure


def plot_pixel_importance(importances, image_shape=(8, 8), *, image=None, title: str = "Which pixels drive the pipeline"):
    """Per-pixel importances as a heat map (through :func:`plot_heatmap`), next to an example image.

    Parameters
    ----------
    importances : array-like of shape (height * width,)
        E.g. permutation importance of each pixel feature (a drop in accuracy, as a fraction);
        shown in percentage points.
    image_shape : tuple (height, width), default=(8, 8)
    image : ndarray of shape (height, width), default=None
        An example input, shown on the left.
    """
    values = 100 * np.asarray(importances, dtype=np.float64).reshape(image_shape)
    figure, axes = new_axes(ncols=2 if image is not None else 1, figsize=(10.0 if image is not None else 6.0, 4.6))
    axes = np.atleast_1d(axes)
    if image is not None:
        axes[0].imshow(np.asarray(image), cmap="gray_r", interpolation="nearest")
        axes[0].set(title="an input image", xlabel="pixel column", ylabel="pixel row")
    plot_heatmap(values, fmt="{:.1f}", cmap="viridis", xlabel="pixel column", ylabel="pixel row", title=title,
                 colorbar_label="drop in accuracy when shuffled (percentage points)", ax=axes[-1])
    return figure


def plot_partial_dependence(grids, averages, feature_names, *, ylabel: str = "average predicted probability of the class", title: str = "Partial dependence"):
    """The model's average prediction as one feature is varied, one panel per feature.

    Parameters
    ----------
    grids : list of ndarray
        Each feature's grid of values (``result["grid_values"][0]`` of
        ``sklearn.inspection.partial_dependence``).
    averages : list of ndarray
        The matching average predictions (``result["average"][0]``).
    feature_names : list of str
    """
    figure, axes = new_axes(ncols=len(grids), figsize=(4.2 * len(grids), 3.6))
    for ax, grid, average, name in zip(np.atleast_1d(axes), grids, averages, feature_names):
        ax.plot(grid, average, marker=".")
        ax.set_xlabel(f"{name} (feature value)")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: {name}", fontsize=10)
    return figure


def plot_contributions(labels, contributions, start: float, *, start_label: str = "start", total_label: str = "prediction", top: int = 8,
                       xlabel: str = "contribution to the prediction", title: str = "Where the prediction comes from", ax=None):
    """An additive explanation as a horizontal waterfall: start value, largest terms, total.

    Used for SHAP values (start = average prediction) and for item-kNN explanations (start =
    the offset, terms = neighbours). Terms beyond ``top`` are summed into one bar, so the bars
    always add up to the total.
    """
    labels = [str(label) for label in labels]
    contributions = np.asarray(contributions, dtype=np.float64)
    order = np.argsort(-np.abs(contributions), kind="stable")
    shown, rest = order[:top], order[top:]
    names = [labels[i] for i in shown] + ([f"{len(rest)} other terms"] if rest.size else [])
    values = list(contributions[shown]) + ([float(contributions[rest].sum())] if rest.size else [])
    figure, ax = new_axes(ax, figsize=(7.5, 0.4 * len(values) + 1.8))
    level = start
    positions = np.arange(len(values) + 2)[::-1]
    ax.barh(positions[0], start, color="lightgrey")
    for position, value in zip(positions[1:-1], values):
        ax.barh(position, value, left=level, color="tab:green" if value >= 0 else "tab:red")
        level += value
    ax.barh(positions[-1], level, color="grey")
    path = np.r_[start, start + np.cumsum(values)]
    margin = 0.15 * (np.ptp(path) or abs(start) or 1.0)
    ax.set_xlim(min(path.min(), level) - margin, max(path.max(), level) + margin)  # zoom on the terms
    ax.set_yticks(positions, [f"{start_label} = {start:.3g}", *[n[:38] for n in names], f"{total_label} = {level:.3g}"], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title + "  (green raises, red lowers)", fontsize=10)
    return figure


__all__ = [
    "plot_attributions", "plot_completeness", "plot_contributions", "plot_importances", "plot_partial_dependence",
    "plot_pixel_importance", "plot_sanity_check", "plot_sanity_maps",
]
