"""Figures of chapter 3.3, the fusion pipeline: model comparison and leakage."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._validation import check_choice, error_message
from ._base import new_axes

_FOLD_METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro")


def plot_cv_comparison(reports, *, metric: str = "accuracy", ax=None):
    """Cross-validated score against training time, one point per model.

    Each model: its fold scores (small dots) and their mean ± standard deviation (error bar),
    at its mean fit time per fold (log scale). Up and to the left is better.

    Parameters
    ----------
    reports : dict of str to CrossValidationReport, or sequence of reports
        From :func:`fusionlab.evaluate.compare_models`.
    metric : {"accuracy", "precision_macro", "recall_macro", "f1_macro"}, default="accuracy"
    ax : matplotlib Axes, default=None

    Returns
    -------
    figure : matplotlib Figure
    """
    metric = check_choice(metric, "metric", _FOLD_METRICS)
    reports = list(reports.values()) if isinstance(reports, Mapping) else list(reports)
    if not reports:
        raise ValueError(error_message("reports", "at least one report", reports, "Pass compare_models(...)'s result."))
    figure, ax = new_axes(ax, figsize=(6.5, 4.2))
    colors = [f"C{index}" for index in range(len(reports))]
    for color, report in zip(colors, reports):
        seconds = float(report.fit_time_s.mean())
        scores = report.fold_scores[metric]
        ax.scatter(np.full(len(scores), seconds), scores, color=color, s=12, alpha=0.5)
        ax.errorbar(seconds, scores.mean(), yerr=report.std(metric), fmt="o", color=color, capsize=4, markersize=7, label=report.name)
    ax.set_xscale("log")
    ax.set(
        title=f"Cross-validated {metric.replace('_', ' ')} against training time ({reports[0].n_splits} folds)",
        xlabel="mean fit time per fold (s, log scale)",
        ylabel=f"{metric.replace('_', ' ')} (fraction, mean ± std over folds)",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return figure


def plot_leakage(results, *, ax=None):
    """Fold accuracies with preprocessing fitted outside (leaky) and inside (honest) the folds.

    Parameters
    ----------
    results : LeakageResult or dict of str to LeakageResult
        From :func:`fusionlab.pipeline.leakage_experiment`; a dict draws one group per case.
    ax : matplotlib Axes, default=None

    Returns
    -------
    figure : matplotlib Figure
    """
    if not isinstance(results, Mapping):
        results = {"": results}
    figure, ax = new_axes(ax, figsize=(6.5, 4.2))
    for group, (label, result) in enumerate(results.items()):
        for offset, (kind, scores, color) in enumerate(
            [("fitted on all data (leaky)", result.leaky_scores, "C3"), ("fitted inside each fold (honest)", result.honest_scores, "C0")]
        ):
            x = 3 * group + offset
            ax.bar(x, scores.mean(), color=color, alpha=0.6, label=kind if group == 0 else None)
            ax.scatter(np.full(len(scores), x), scores, color="black", s=10, zorder=3)
        ax.hlines(result.chance, 3 * group - 0.4, 3 * group + 1.4, colors="grey", linestyles="--", label="chance" if group == 0 else None)
    ax.set_xticks([3 * group + 0.5 for group in range(len(results))], list(results))
    ax.set_ylim(0, 1.05)
    ax.set(title="The same model, preprocessing fitted outside vs inside cross-validation", ylabel="accuracy per fold (fraction)", xlabel="dataset")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize="small", frameon=False)
    return figure


