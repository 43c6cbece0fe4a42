"""Figures for image classifiers: confusion matrix, misclassified images, reliability, training curves.

Used in chapter 4.1. Each function returns the ``Figure``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._validation import check_int, error_message
from ._base import new_axes


def plot_confusion_matrix(confusion, class_names=None, *, normalize: bool = True, ax=None, title: str = "Confusion matrix (test set)"):
    """Heat map of a confusion matrix, rows true classes and columns predicted classes.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Counts from :func:`fusionlab.evaluate.confusion_matrix`.
    class_names : list of str, default=None
    normalize : bool, default=True
        Colour and annotate each cell by its share of the true class (%), so rows sum to 100.
    ax : matplotlib Axes, default=None
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    counts = np.asarray(confusion, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(error_message("confusion", "a square 2-D matrix", f"array of shape {counts.shape}", "Pass fusionlab.evaluate.confusion_matrix(y_true, y_pred)."))
    n_classes = counts.shape[0]
    names = [str(name) for name in class_names] if class_names is not None else [str(k) for k in range(n_classes)]
    totals = counts.sum(axis=1, keepdims=True)
    values = 100 * np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) if normalize else counts
    figure, ax = new_axes(ax, figsize=(1.0 + 0.55 * n_classes, 0.6 + 0.5 * n_classes))
    image = ax.imshow(values, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=ax, label="share of true class (%)" if normalize else "images (count)")
    threshold = values.max() / 2 if values.size else 0
    for (row, column), value in np.ndenumerate(values):
        if value > 0:
            text = f"{value:.0f}" if normalize else f"{int(value)}"
            ax.text(column, row, text, ha="center", va="center", fontsize=7, color="white" if value > threshold else "black")
    ax.set_xticks(range(n_classes), names, rotation=45, ha="right")
    ax.set_yticks(range(n_classes), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return figure


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


def plot_training_curves(histories, *, title: str = "Validation accuracy against training time"):
    """Two panels per run: training loss by epoch, validation accuracy against training seconds.

    Parameters
    ----------
    histories : dict of str to TrainingHistory
        From :func:`fusionlab.training.fit`, keyed by a model label.
    title : str

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(error_message("histories", "a non-empty dict of label to TrainingHistory", type(histories).__name__, "Pass e.g. {'seed': history}."))
    figure, (loss_ax, accuracy_ax) = new_axes(ncols=2, figsize=(10.0, 4.0))
    for name, history in histories.items():
        epochs = np.arange(1, history.epochs + 1)
        loss_ax.plot(epochs, history.loss, marker="o", label=name)
        accuracy_ax.plot(history.elapsed_s(), 100 * np.asarray(history.val_accuracy), marker="o", label=name)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("training loss (cross-entropy, nats)")
    loss_ax.set_title("Training loss by epoch")
    accuracy_ax.set_xlabel("training time (s, validation excluded)")
    accuracy_ax.set_ylabel("validation accuracy (%)")
    accuracy_ax.set_title(title)
    for ax in (loss_ax, accuracy_ax):
        ax.legend(fontsize=8)
    return figure


__all__ = ["plot_confusion_matrix", "plot_misclassified", "plot_reliability_diagram", "plot_training_curves"]
