"""Shared plotting helpers."""

from __future__ import annotations

import matplotlib.pyplot as plt


def new_axes(ax=None, *, ncols: int = 1, figsize=None):
    """Return ``(figure, axes)``: the given ``ax`` and its figure, or new ones."""
    if ax is not None:
        return ax.figure, ax
    figsize = figsize or (5.0 * ncols, 4.0)
    figure, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    return figure, axes
