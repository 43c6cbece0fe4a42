"""Figures for the concepts and algorithms chapters (2, 3.1, 3.2): loss surfaces with optimiser
trajectories, training-loss curves, learning curves, gradient noise, schedules, forests, bias
and variance.
"""

from __future__ import annotations

import numpy as np

from ._base import new_axes


def plot_learning_curves(curves: dict, *, ax=None, title: str = "Learning curves", metric: str = "test accuracy"):
    """Held-out score against training-set size for several models.

    Parameters
    ----------
    curves : dict
        ``{name: result of fusionlab.evaluate.learning_curve_by_size}``.
    """
    figure, ax = new_axes(ax)
    for name, curve in curves.items():
        sizes, score, spread = curve["train_size"], curve["test_score"], curve.get("test_score_std")
        line, = ax.plot(sizes, score, marker="o", label=name)
        if spread is not None and np.any(spread > 0):
            ax.fill_between(sizes, score - spread, score + spread, color=line.get_color(), alpha=0.15)
    ax.set(xscale="log", xlabel="training examples (count, log scale)", ylabel=f"{metric} (fraction)", title=title)
    sizes = np.asarray(next(iter(curves.values()))["train_size"])
    ax.minorticks_off()
    ax.set_xticks(sizes, [f"{int(size):,}" for size in sizes])
    ax.grid(alpha=0.3)
    ax.legend()
    return figure


def plot_loss_surface(objective, trajectories: dict, *, ax=None, span: float = 1.5, levels: int = 25,
                      title: str = "Loss surface and gradient-descent paths"):
    """Contours of a 2-parameter objective with optimiser paths drawn on top.

    Parameters
    ----------
    objective : object with ``loss(w)`` for ``w`` of shape (2,) and ``solution()``
    trajectories : dict
        ``{label: ndarray of shape (n_steps, 2)}``, e.g. ``np.array(history.weights)``.
    span : float, default=1.5
        Extra margin around the points, as a fraction of their extent.
    """
    figure, ax = new_axes(ax, figsize=(6.0, 5.0))
    solution = np.asarray(objective.solution())
    points = np.vstack([solution[None, :], *[np.asarray(t) for t in trajectories.values()]])
    finite = points[np.all(np.isfinite(points), axis=1)]
    low, high = finite.min(axis=0), finite.max(axis=0)
    margin = np.maximum(high - low, 1e-3) * (span - 1.0) / 2 + 0.1
    grid_0 = np.linspace(low[0] - margin[0], high[0] + margin[0], 120)
    grid_1 = np.linspace(low[1] - margin[1], high[1] + margin[1], 120)
    losses = np.array([[objective.loss(np.array([a, b])) for a in grid_0] for b in grid_1])  # (120, 120)
    contour_levels = np.quantile(losses, np.linspace(0.0, 1.0, levels) ** 2)
    ax.contour(grid_0, grid_1, losses, levels=np.unique(contour_levels), cmap="viridis", linewidths=0.8)
    for label, path in trajectories.items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], marker="o", markersize=3, linewidth=1.2, label=label)
    ax.plot(*solution, marker="*", markersize=14, color="black", linestyle="none", label="minimiser")
    ax.set(xlim=(grid_0[0], grid_0[-1]), ylim=(grid_1[0], grid_1[-1]), xlabel="weight $w_1$ (unitless)",
           ylabel="weight $w_2$ (unitless)", title=title)
    ax.legend(fontsize="small", loc="best")
    return figure


def plot_scaling(sizes, series: dict, *, ax=None, ylabel: str, title: str, xlabel: str = "training examples n (count)"):
    """Several quantities against data size, log-log (e.g. loss reached in a fixed time budget)."""
    figure, ax = new_axes(ax)
    for label, values in series.items():
        ax.plot(sizes, values, marker="o", label=label)
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return figure


def plot_gradient_noise(noise: dict, *, ax=None, title: str = "Mini-batch gradient noise falls like 1/batch size"):
    """Measured ``E||g_B - g||^2`` against batch size, with the ``1/b`` line through the first point."""
    figure, ax = new_axes(ax)
    sizes = np.array(sorted(b for b in noise if noise[b] > 0), dtype=float)
    values = np.array([noise[int(b)] for b in sizes])
    ax.plot(sizes, values, marker="o", label="measured")
    ax.plot(sizes, values[0] * sizes[0] / sizes, linestyle="--", color="grey", label="$\\propto 1/b$")
    ax.set(xscale="log", yscale="log", xlabel="batch size b (samples)", ylabel="mean squared gradient error (squared loss units)", title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return figure


def plot_schedules(schedules: dict, n_steps: int, *, ax=None, title: str = "Learning-rate schedules"):
    """``schedule(step)`` for each named schedule over ``n_steps`` steps."""
    figure, ax = new_axes(ax)
    steps = np.arange(n_steps)
    for label, schedule in schedules.items():
        ax.plot(steps, [schedule(int(s)) for s in steps], label=label)
    ax.set(xlabel="step (count)", ylabel="learning rate (per step)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def plot_trees_vs_accuracy(result: dict, *, ax=None, title: str = "Random forest: accuracy vs number of trees"):
    """Held-out and out-of-bag accuracy (from ``fusionlab.forests.accuracy_vs_n_estimators``)."""
    figure, ax = new_axes(ax)
    ax.plot(result["n_estimators"], result["test_accuracy"], marker="o", label="held-out test set")
    ax.plot(result["n_estimators"], result["oob_accuracy"], marker="s", label="out-of-bag estimate")
    ax.set(xscale="log", xlabel="trees in the forest (count, log scale)", ylabel="accuracy (fraction)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return figure


def plot_speedup(result: dict, cores: int, *, ax=None, title: str = "Random forest: parallel speed-up"):
    """Measured speed-up against ``n_jobs`` (from ``fusionlab.forests.fit_time_vs_n_jobs``), with the ideal line up to ``cores``."""
    figure, ax = new_axes(ax)
    n_jobs = np.asarray(result["n_jobs"], dtype=float)
    ax.plot(n_jobs, result["speedup"], marker="o", label="measured (median)")
    ax.plot(n_jobs, np.minimum(n_jobs / n_jobs[0], cores), linestyle="--", color="grey", label=f"ideal on {cores} usable core(s)")
    ax.set(xlabel="n_jobs (worker threads)", ylabel="speed-up over the first setting (ratio)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return figure


def plot_bias_variance(curve: dict, *, ax=None, xlabel: str = "max_depth (levels)",
                       title: str = "Bias and variance against model complexity"):
    """Squared bias, variance, their sum with the noise, and the measured training and held-out errors.

    Parameters
    ----------
    curve : dict
        From ``fusionlab.evaluate.bias_variance_curve``; ``value`` may hold None (shown as "none").
    """
    figure, ax = new_axes(ax)
    positions = np.arange(len(curve["value"]))
    styles = {"bias2": ("squared bias", "-", "o"), "variance": ("variance", "-", "s"),
              "error": ("bias² + variance + noise", "-", "^"), "test_error": ("measured held-out error", "--", "x"),
              "train_error": ("training error", ":", "."), "noise": ("noise σ²", "-.", None)}
    for key, (label, linestyle, marker) in styles.items():
        if key in curve and np.all(np.isfinite(curve[key])):
            ax.plot(positions, curve[key], linestyle=linestyle, marker=marker, label=label)
    ax.set_xticks(positions, ["none" if value is None else str(value) for value in curve["value"]])
    ax.set(xlabel=xlabel, ylabel="mean squared error (squared target units)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def plot_bagging_variance(result: dict, *, ax=None, title: str = "Averaging trees: variance against the number of trees"):
    """Measured variance of a B-tree average against B, the formula, and its floor (from ``fusionlab.forests.bagging_variance``)."""
    figure, ax = new_axes(ax)
    sizes = result["n_estimators"]
    ax.plot(sizes, result["variance"], marker="o", markevery=max(1, len(sizes) // 12), label="measured")
    ax.plot(sizes, result["predicted"], linestyle="--", label="ρσ² + (1 − ρ)σ²/B")
    ax.axhline(result["correlation"] * result["tree_variance"], color="grey", linestyle=":", label="floor ρσ²")
    ax.set(xscale="log", xlabel="trees averaged B (count, log scale)", ylabel="variance of the prediction (squared target units)",
           title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return figure


__all__ = [
    "plot_bias_variance", "plot_bagging_variance",
    "plot_learning_curves", "plot_loss_surface", "plot_scaling", "plot_gradient_noise", "plot_schedules",
    "plot_trees_vs_accuracy", "plot_speedup",
]
