"""Figures for image classifiers: misclassified images and reliability diagrams.

Used in chapter 4.1. Each function returns the ``Figure``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._validation import check_int, error_message
from ._base import new_axes


def plot_misclassified(images, y_true, y_pred, indices, class_names=None, *, probabilities=None, n_columns: int = 8, title: str = "Misclassified test images"):
    """A grid of images, each labelled with its predicted and true class.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height, width, channels)
        uint8 in [0, 255] or floats in [0, 1].
    y_true, y_pred : array-like of int, shape (n_samples,)
    indices : array-like of int
        Which images to show, e.g. :func:`fusionlab.evaluate.most_confident_mistakes`.
    class_names : list of str, default=None
    probabilities : ndarray of shape (n_samples, n_classes), default=None
        When given, each label shows the confidence of the prediction.
    n_columns : int, default=8
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(error_message("images", "a 4-D array (n_samples, height, width, channels)", f"array of shape {images.shape}", "Pass the image array, not flattened features."))
    indices = np.asarray(indices, dtype=np.int64).reshape(-1)
    n_columns = check_int(n_columns, "n_columns", low=1)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    names = [str(name) for name in class_names] if class_names is not None else None
    label = (lambda k: names[int(k)]) if names else (lambda k: str(int(k)))  # noqa: E731
    n_columns = max(1, min(n_columns, len(indices)))
    n_rows = max(1, math.ceil(len(indices) / n_columns))
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(1.5 * n_columns, 1.75 * n_rows + 0.4), layout="constrained", squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), indices):
        picture = images[index]
        picture = picture[..., 0] if picture.shape[-1] == 1 else picture
        ax.imshow(picture, cmap="gray" if picture.ndim == 2 else None, interpolation="nearest")
        caption = f"pred {label(y_pred[index])}"
        if probabilities is not None:
            caption += f" ({np.asarray(probabilities)[index, int(y_pred[index])]:.0%})"
        ax.set_title(f"{caption}\ntrue {label(y_true[index])}", fontsize=7)
    if len(indices) == 0:
        axes[0, 0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
    figure.suptitle(title)
    return figure


def plot_reliability_diagram(curves, *, ax=None, title: str = "Reliability diagram (test set)"):
    """Accuracy against confidence per bin, for one or several models; the diagonal is calibrated.

    Parameters
    ----------
    curves : ReliabilityCurve or dict of str to ReliabilityCurve
        From :func:`fusionlab.evaluate.reliability_curve`; a dict labels each model.
    ax : matplotlib Axes, default=None
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    curves = curves if isinstance(curves, dict) else {"model": curves}
    figure, ax = new_axes(ax, figsize=(5.0, 4.5))
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="perfectly calibrated")
    for name, curve in curves.items():
        filled = curve.counts > 0
        x, y = 100 * curve.confidence[filled], 100 * curve.accuracy[filled]
        (line,) = ax.plot(x, y, linewidth=1, label=f"{name} (ECE {100 * curve.expected_calibration_error:.1f} points)")
        share = curve.counts[filled] / curve.counts.sum()
        ax.scatter(x, y, s=10 + 300 * share, color=line.get_color(), alpha=0.8)  # area ~ images in the bin
    ax.set_xlim(0, 102)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("mean confidence in bin (%)")
    ax.set_ylabel("accuracy in bin (%)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8, title="marker area: share of images", title_fontsize=7)
    return figure


__all__ = ["plot_misclassified", "plot_reliability_diagram"]
