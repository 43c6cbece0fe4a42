"""The one training-curve figure: metrics of one or several runs against epoch, step or seconds.

It reads a run through the interface of :class:`fusionlab.history.History` only (``run[name]``
gives the values of a metric or of the ``epoch``, ``step`` and ``elapsed_s`` columns), so it
draws what every trainer of the package records: from-scratch optimisers and networks, Keras
fits (:meth:`History.from_keras <fusionlab.history.History.from_keras>`), recommenders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._validation import check_choice, error_message
from ._base import new_axes

#: Axis label of each x column.
X_LABELS = {
    "epoch": "passes over the training data (epochs)",
    "step": "parameter updates (steps)",
    "elapsed_s": "training time (s)",
}
#: Default y label of the metrics the package records; other names are shown as they are.
Y_LABELS = {
    "loss": "training loss",
    "val_loss": "validation loss",
    "accuracy": "training accuracy (fraction)",
    "val_accuracy": "validation accuracy (fraction)",
    "rmse": "training RMSE (stars)",
    "learning_rate": "learning rate (per step)",
}


def plot_curves(histories, metrics: str | Sequence[str] = "loss", *, x: str | Sequence[str] = "epoch", best: float | None = None,
                log: bool | Sequence[str] = False, logx: bool = False, ylabel: str | Sequence[str] | None = None, xlabel: str | None = None,
                hlines: Mapping[str, float] | None = None, title: str | None = None, ax=None, figsize=None):
    """Draw metrics of one or several training runs: one panel per metric, one line per run.

    Parameters
    ----------
    histories : History or dict of str to History
        One run, or runs keyed by the label of their line.
    metrics : str or sequence of str, default="loss"
        Names recorded by every run (``"loss"``, ``"val_accuracy"``, ``"rmse"``, ...).
    x : {"epoch", "step", "elapsed_s"} or sequence of them, default="epoch"
        Passes over the data, parameter updates, or training seconds; a sequence gives each
        metric's panel its own.
    best : float, default=None
        Subtract this optimum from every value, to show the excess loss (use with ``log``).
    log : bool or sequence of str, default=False
        Log scale for every panel's y axis, or only for the metrics named.
    logx : bool, default=False
        Log scale for the x axis (points at x <= 0 are then left out).
    ylabel : str or sequence of str, default=None
        The y label of every panel (or one per metric); by default the metric's own (see ``Y_LABELS``).
    xlabel : str, default=None
        The x label, when a record is not what ``X_LABELS`` says (e.g. a communication round of
        federated averaging, recorded as its ``epoch``).
    hlines : dict of str to float, default=None
        Reference levels drawn as dashed grey lines in every panel and named in the legend
        (e.g. ``{"target 45%": 0.45}``).
    title : str, default=None
        The panel's title (one metric) or the figure's title (several).
    ax : matplotlib Axes, default=None
        Draw into it (one metric only).
    figsize : tuple of float, default=None

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    runs = histories if isinstance(histories, Mapping) else {"": histories}
    if not runs:
        raise ValueError(error_message("histories", "a History or a non-empty dict of label to History", histories, "Pass e.g. {'SGD': history}."))
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    columns = [x] * len(names) if isinstance(x, str) else list(x)
    if len(columns) != len(names):
        raise ValueError(error_message("x", f"one column or {len(names)} (one per metric)", columns, "Pass e.g. x='epoch' or x=['epoch', 'elapsed_s']."))
    for column in columns:
        check_choice(column, "x", list(X_LABELS))
    ylabels = [ylabel] * len(names) if ylabel is None or isinstance(ylabel, str) else list(ylabel)
    if ax is not None and len(names) != 1:
        raise ValueError(error_message("metrics", "a single metric when ax is given", names, "Leave ax=None to draw one panel per metric."))
    figure, axes = new_axes(ax, ncols=len(names), figsize=figsize or (5.0 * len(names), 4.0))
    axes = np.atleast_1d(axes)
    for panel, name, x, label_y in zip(axes, names, columns, ylabels):
        for label, run in runs.items():
            xs, ys = _column(run, x, label), _column(run, name, label) - (best or 0.0)
            on_log = log is True or (not isinstance(log, bool) and name in log)
            keep = (xs > 0) if logx else np.ones(len(xs), dtype=bool)
            values = np.maximum(ys, 1e-16) if on_log and best is not None else ys
            panel.plot(xs[keep], values[keep], marker="." if keep.sum() <= 60 else None, label=label or None)
            panel.set_yscale("log" if on_log else "linear")
        for level_label, level in (hlines or {}).items():
            panel.axhline(level, color="grey", linestyle="--", linewidth=1, label=level_label)
        default = Y_LABELS.get(name, name.replace("_", " "))
        panel.set(xlabel=xlabel or X_LABELS[x], ylabel=label_y or (f"{default} minus optimum" if best is not None else default))
        if logx:
            panel.set_xscale("log")
            panel.set_xlabel((xlabel or X_LABELS[x]) + ", log scale")
        nice = default[:1].upper() + default[1:]
        panel.set_title(nice if len(names) > 1 else title or f"{nice} by {x.replace('elapsed_s', 'training time')}")
        panel.grid(alpha=0.3)
        if any(runs) or hlines:
            panel.legend(fontsize="small")
    if title is not None and len(names) > 1:
        figure.suptitle(title)
    return figure


def _column(run, name: str, label: str) -> np.ndarray:
    try:
        return np.asarray(run[name], dtype=np.float64)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(
            error_message("histories", f"runs that recorded {name!r}", f"run {label!r} of type {type(run).__name__}", "Pass fusionlab.history.History objects (History.from_keras adapts a Keras history) and metric names they hold.")
        ) from exc


__all__ = ["X_LABELS", "Y_LABELS", "plot_curves"]
