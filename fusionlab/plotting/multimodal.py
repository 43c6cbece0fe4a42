"""Figures for chapter 5.5 (multimodal fusion). Reads result dicts; imports no algorithm module."""

from __future__ import annotations

import numpy as np

from ._base import new_axes

__all__ = ["plot_blend_weight", "plot_warm_cold"]


def plot_warm_cold(results: dict, *, k: int = 10, title="Warm and cold films: rating error and ranking"):
    """Grouped bars per model: RMSE (left) and NDCG@k (right), on warm and on cold films.

    ``results`` maps a model's name to ``{"warm": {"rmse": ..., "ndcg@k": ...}, "cold": {...}}``.
    """
    figure, axes = new_axes(ncols=2, figsize=(11.0, 4.0))
    names = list(results)
    positions = np.arange(len(names))
    for ax, metric, label in zip(axes, ("rmse", f"ndcg@{k}"), ("RMSE (stars, lower is better)", f"NDCG@{k} (higher is better)")):
        for offset, part, colour in ((-0.2, "warm", "tab:blue"), (0.2, "cold", "tab:orange")):
            ax.bar(positions + offset, [results[name][part][metric] for name in names], width=0.4, color=colour, label=f"{part} films")
        ax.set_xticks(positions, names, rotation=15)
        ax.set_xlabel("model")
        ax.set_ylabel(label)
        if metric == "rmse":
            low = min(results[name][part]["rmse"] for name in names for part in ("warm", "cold"))
            ax.set_ylim(0.9 * low, None)
    axes[0].legend()
    figure.suptitle(title)
    return figure


def plot_blend_weight(validation_rmse: dict, *, chosen=None, title="Late fusion: choosing kappa on validation ratings", ax=None):
    """Validation RMSE against the blend's ``kappa`` (symlog axis: 0 included), the choice marked."""
    figure, ax = new_axes(ax, figsize=(5.5, 3.8))
    kappas = np.array(sorted(validation_rmse), dtype=float)
    ax.plot(kappas, [validation_rmse[kappa] for kappa in sorted(validation_rmse)], marker="o")
    if chosen is not None:
        ax.axvline(chosen, color="grey", linestyle="--", label=f"chosen kappa = {chosen:g}")
        ax.legend()
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("kappa (training ratings at which CF gets half the weight)")
    ax.set_ylabel("validation RMSE (stars)")
    ax.set_title(title)
    return figure
