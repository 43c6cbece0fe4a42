"""Figures of part 1: decision boundaries and the cost of a gradient step."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np

from ._base import new_axes


def plot_decision_boundaries(
    models: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    *,
    scores: Mapping[str, float] | None = None,
    resolution: int = 200,
):
    """One panel per model: its predicted probability of class 1 over the plane, and the data.

    Parameters
    ----------
    models : mapping of name -> callable
        Each callable maps points of shape (n, 2) to the probability of class 1, shape (n,).
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Binary labels 0/1.
    scores : mapping of name -> float, optional
        Accuracies to print in the panel titles.
    resolution : int, default=200
        Grid points per axis.
    """
    figure, axes = plt.subplots(1, len(models), figsize=(5.0 * len(models), 4.2), layout="constrained", squeeze=False)
    margin = 0.5
    (x_min, y_min), (x_max, y_max) = X.min(axis=0) - margin, X.max(axis=0) + margin
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])  # (resolution**2, 2)
    for ax, (name, predict_proba) in zip(axes[0], models.items()):
        probability = np.asarray(predict_proba(grid)).reshape(grid_x.shape)
        filled = ax.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        ax.contour(grid_x, grid_y, probability, levels=[0.5], colors="black", linewidths=1.5)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="white", linewidths=0.4, s=14)
        title = name if scores is None else f"{name}: test accuracy {scores[name]:.1%}"
        ax.set(title=title, xlabel="feature 1 (unitless)", ylabel="feature 2 (unitless)")
    figure.colorbar(filled, ax=axes[0].tolist(), label="predicted probability of class 1")
    return figure


def plot_step_cost(n_samples: np.ndarray, seconds: Mapping[str, np.ndarray], *, ax=None):
    """Seconds per gradient step against the number of samples, log-log.

    Parameters
    ----------
    n_samples : ndarray of shape (n_sizes,)
    seconds : mapping of label -> ndarray of shape (n_sizes,)
        e.g. ``{"full batch": ..., "stochastic, batch 32": ...}``.
    """
    figure, ax = new_axes(ax)
    for (label, values), marker in zip(seconds.items(), "os^dv"):
        ax.loglog(n_samples, np.asarray(values) * 1e6, marker=marker, label=label)
    ax.set(
        title="Cost of one gradient step as the data grows",
        xlabel="number of training samples n",
        ylabel="time per step (microseconds)",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return figure


