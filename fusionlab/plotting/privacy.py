"""Figures for privacy and security (chapter 5.3): accuracy against epsilon, membership-inference
ROC curves and AUCs, client splits, robust accuracy, adversarial images. (Federated
averaging's accuracy by round is a training curve: :func:`fusionlab.plotting.plot_curves`.)

Each function returns the ``Figure``. No algorithm is imported here: the functions take arrays
and result objects computed by :mod:`fusionlab.privacy`.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .._validation import error_message
from ._base import new_axes


def plot_privacy_utility(epsilons, accuracies, *, non_private_accuracy: float | None = None, ax=None,
                         title: str = "DP-SGD: test accuracy against the privacy budget"):
    """Test accuracy against epsilon (log scale); the model without privacy as a dashed line.

    Parameters
    ----------
    epsilons : array-like of float
        Finite epsilons of the private models (smaller = more private).
    accuracies : array-like of float
        Their test accuracies, in [0, 1].
    non_private_accuracy : float, default=None
        Accuracy of the same training without clipping or noise (epsilon = infinity).
    """
    epsilons, accuracies = np.asarray(epsilons, dtype=np.float64), np.asarray(accuracies, dtype=np.float64)
    if epsilons.shape != accuracies.shape or not np.all(np.isfinite(epsilons)):
        raise ValueError(error_message("epsilons", "finite values, one per accuracy", epsilons.tolist(), "Plot the non-private model with non_private_accuracy=..."))
    figure, ax = new_axes(ax, figsize=(5.8, 4.0))
    ax.plot(epsilons, 100 * accuracies, marker="o", label="DP-SGD")
    for epsilon, accuracy in zip(epsilons, accuracies):
        ax.annotate(f"{100 * accuracy:.0f}%", (epsilon, 100 * accuracy), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    if non_private_accuracy is not None:
        ax.axhline(100 * non_private_accuracy, color="grey", linestyle="--", label=f"no privacy (epsilon = inf): {100 * non_private_accuracy:.0f}%")
    ax.set_xscale("log")
    ax.set_xticks(epsilons, [f"{epsilon:g}" for epsilon in epsilons])
    ax.minorticks_off()
    ax.set_xlabel("epsilon at delta = 1e-5 (log scale; smaller = more private)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return figure


def plot_membership(results: dict, *, bounds: dict | None = None, title: str = "Membership inference: can the attacker tell members?"):
    """ROC curves of the loss-threshold attack (left) and its AUC per model with the DP bound (right).

    Parameters
    ----------
    results : dict of str to MembershipAttackResult
        Keyed by model label (e.g. ``"no privacy, overfit"``, ``"epsilon = 1"``).
    bounds : dict of str to float, default=None
        The largest AUC differential privacy allows for each label (``dp_auc_bound``); drawn as
        a marker above the bar.
    """
    figure, (roc_ax, bar_ax) = new_axes(ncols=2, figsize=(11.0, 4.2))
    roc_ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="guessing (AUC 0.5)")
    for label, result in results.items():
        fpr, tpr = result.roc_curve()
        roc_ax.plot(fpr, tpr, linewidth=1.2, label=f"{label} (AUC {result.auc:.2f})")
    roc_ax.set_xlabel("false-positive rate (non-members called members)")
    roc_ax.set_ylabel("true-positive rate (members found)")
    roc_ax.set_title("ROC of the attack")
    roc_ax.legend(fontsize=7, loc="lower right")
    labels = list(results)
    positions = np.arange(len(labels))
    bar_ax.bar(positions, [results[label].auc for label in labels], color="tab:purple")
    if bounds:
        shown = [i for i, label in enumerate(labels) if label in bounds and bounds[label] < 1]
        bar_ax.scatter(positions[shown], [bounds[labels[i]] for i in shown], marker="v", color="black", zorder=3, label="largest AUC DP allows")
        bar_ax.legend(fontsize=8, loc="upper right")
    bar_ax.axhline(0.5, color="grey", linestyle="--", linewidth=1)
    bar_ax.set_xticks(positions, labels, rotation=20, ha="right", fontsize=8)
    bar_ax.set_ylim(0.4, 1.04)
    bar_ax.set_ylabel("attack AUC (0.5 = no better than guessing)")
    bar_ax.set_title("Attack AUC by model")
    figure.suptitle(title)
    return figure


def plot_client_split(clients, y, *, n_classes: int | None = None, ax=None, title: str = "Examples per client and class"):
    """Stacked bars: how many examples of each class every simulated client holds.

    Parameters
    ----------
    clients : list of ndarray of int
        Each client's indices into ``y`` (from ``client_split``).
    y : array-like of int
    n_classes : int, default=None
        Defaults to ``max(y) + 1``.
    """
    y = np.asarray(y)
    n_classes = int(n_classes or y.max() + 1)
    counts = np.array([np.bincount(y[np.asarray(part, dtype=np.int64)], minlength=n_classes) for part in clients])  # (n_clients, n_classes)
    figure, ax = new_axes(ax, figsize=(6.0, 3.6))
    bottom = np.zeros(len(clients))
    colours = plt.get_cmap("tab10")
    for label in range(n_classes):
        ax.bar(np.arange(len(clients)), counts[:, label], bottom=bottom, color=colours(label % 10), label=str(label))
        bottom += counts[:, label]
    ax.set_xticks(np.arange(len(clients)))
    ax.set_xlabel("client")
    ax.set_ylabel("training examples (count)")
    ax.set_title(title)
    ax.legend(title="class", fontsize=7, ncols=2, loc="upper right")
    return figure


def plot_robust_accuracy(epsilons, curves: dict, *, pixel_scale: float = 255.0, ax=None, title: str = "Robust accuracy against the attack radius"):
    """Accuracy on attacked test images against the L-infinity radius, one line per attack.

    Parameters
    ----------
    epsilons : array-like of float
        Radii in input units (pixels in [0, 1]); the axis shows them in grey levels
        (``epsilon * pixel_scale``).
    curves : dict of str to array-like of float
        Accuracy (in [0, 1]) at each radius, keyed by attack name.
    """
    epsilons = np.asarray(epsilons, dtype=np.float64)
    figure, ax = new_axes(ax, figsize=(5.8, 4.0))
    for label, values in curves.items():
        ax.plot(epsilons * pixel_scale, 100 * np.asarray(values), marker="o", label=label)
    ax.set_xlabel(f"attack radius epsilon (grey levels of {pixel_scale:g}, L-infinity)")
    ax.set_ylabel("test accuracy on attacked images (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return figure


def plot_adversarial_examples(X, X_adversarial, y_true, y_clean, y_adversarial, class_names=None, *, epsilon: float | None = None,
                              n_images: int = 6, title: str = "Adversarial examples"):
    """Three rows: clean images, attacked images, and the perturbation (amplified to be visible).

    Parameters
    ----------
    X, X_adversarial : ndarray of shape (n, height, width, channels), floats in [0, 1]
    y_true, y_clean, y_adversarial : array-like of int
        True labels, predictions on the clean and on the attacked images.
    class_names : list of str, default=None
    epsilon : float, default=None
        The radius, for the caption.
    n_images : int, default=6
        Images shown; those whose prediction the attack changed come first (their caption is red).
    """
    X, X_adversarial = np.asarray(X), np.asarray(X_adversarial)
    changed = np.asarray(y_clean) != np.asarray(y_adversarial)
    order = np.argsort(~changed, kind="stable")  # fooled images first, then the rest in order
    X, X_adversarial = X[order], X_adversarial[order]
    y_true, y_clean, y_adversarial, changed = (np.asarray(v)[order] for v in (y_true, y_clean, y_adversarial, changed))
    names = [str(n) for n in class_names] if class_names is not None else None
    label = (lambda k: names[int(k)]) if names else (lambda k: str(int(k)))  # noqa: E731
    n_images = min(int(n_images), len(X))
    figure, axes = plt.subplots(3, n_images, figsize=(1.8 * n_images, 6.0), layout="constrained", squeeze=False)
    for column in range(n_images):
        delta = X_adversarial[column] - X[column]
        scale = np.abs(delta).max() or 1.0
        for row, (picture, caption) in enumerate((
            (X[column], f"true {label(y_true[column])}\npred {label(y_clean[column])}"),
            (X_adversarial[column], f"attacked\npred {label(y_adversarial[column])}"),
            (0.5 + 0.5 * delta / scale, "perturbation\n(amplified)"),
        )):
            picture = np.clip(picture, 0, 1)
            axes[row, column].imshow(picture[..., 0] if picture.shape[-1] == 1 else picture, cmap="gray" if picture.shape[-1] == 1 else None, vmin=0, vmax=1, interpolation="nearest")
            axes[row, column].set_title(caption, fontsize=7, color="tab:red" if row == 1 and changed[column] else "black")
            axes[row, column].set_xticks([])
            axes[row, column].set_yticks([])
    radius = f" (epsilon = {epsilon * 255:.0f}/255)" if epsilon is not None and math.isfinite(epsilon) else ""
    figure.suptitle(title + radius)
    return figure


__all__ = [
    "plot_adversarial_examples", "plot_client_split", "plot_membership", "plot_privacy_utility",
    "plot_robust_accuracy",
]
