"""The one heat map: a small matrix drawn cell by cell with its values written in.

Confusion matrices (rows true class, columns predicted), rating tables (blank = not rated) and
similarity matrices are all this figure with different labels.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .._validation import check_choice, error_message
from ._base import new_axes


#: Named looks: the labels, units, colours and number format of the heat maps the book draws.
STYLES = {
    "confusion": {
        "row_percent": True, "hide_zeros": True, "fmt": "{:.0f}", "cmap": "Blues", "vmin": 0.0, "rotate_labels": True,
        "xlabel": "predicted class", "ylabel": "true class", "colorbar_label": "share of true class (%)",
    },
    "ratings": {
        "fmt": "{:g}", "cmap": "viridis", "vmin": 1.0, "vmax": 5.0,
        "xlabel": "item (film)", "ylabel": "user", "colorbar_label": "rating (stars)",
    },
    "similarity": {
        "fmt": "{:.2f}", "cmap": "magma", "vmin": 0.0, "vmax": 1.0,
        "xlabel": "neighbour", "ylabel": "user or item", "colorbar_label": "similarity (unitless)",
    },
}
_DEFAULTS = {
    "row_percent": False, "hide_zeros": False, "fmt": "{:.2f}", "cmap": "viridis", "vmin": None, "vmax": None,
    "rotate_labels": False, "xlabel": "column", "ylabel": "row", "colorbar_label": "value",
}


def plot_heatmap(values, row_labels=None, column_labels=None, *, style: str | None = None, title: str = "",
                 row_percent: bool | None = None, fmt: str | None = None, cmap: str | None = None,
                 vmin: float | None = None, vmax: float | None = None, hide_zeros: bool | None = None,
                 xlabel: str | None = None, ylabel: str | None = None, colorbar_label: str | None = None,
                 rotate_labels: bool | None = None, ax=None):
    """Draw a matrix as coloured cells with each value written in; NaN cells stay blank.

    Parameters
    ----------
    values : array-like of shape (n_rows, n_columns)
        NaN marks a missing cell (e.g. a film the user has not rated): no colour, no text.
    row_labels, column_labels : sequence of str, default=None
        Tick labels; default ``0, 1, ...``.
    style : {"confusion", "ratings", "similarity"}, default=None
        A named look from ``STYLES`` (labels with units, colours, number format); the
        options below override it. ``"confusion"`` shows counts as each row's percentages.
    title : str, default=""
    row_percent : bool, default=False
        Show each row as a percentage of its total (a confusion matrix's rows then sum to 100,
        and the diagonal is each class's recall).
    fmt : str, default="{:.2f}"
        Format of the written values, e.g. ``"{:.0f}"`` or ``"{:g}"``.
    cmap : str, default="viridis"
    vmin, vmax : float, default=None
        Colour range; default the finite values' range.
    hide_zeros : bool, default=False
        Leave cells equal to 0 unwritten (sparse confusion matrices read better).
    xlabel, ylabel, colorbar_label : str
        Say what the columns, rows and values are, with units.
    rotate_labels : bool, default=False
        Slant the column labels (long class names).
    ax : matplotlib Axes, default=None

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    if style is not None:
        check_choice(style, "style", list(STYLES))
    given = {"row_percent": row_percent, "fmt": fmt, "cmap": cmap, "vmin": vmin, "vmax": vmax, "hide_zeros": hide_zeros,
             "xlabel": xlabel, "ylabel": ylabel, "colorbar_label": colorbar_label, "rotate_labels": rotate_labels}
    look = {**_DEFAULTS, **STYLES.get(style, {}), **{key: value for key, value in given.items() if value is not None}}
    matrix = np.array(values, dtype=np.float64)
    if matrix.ndim != 2 or matrix.size == 0:
        raise ValueError(error_message("values", "a non-empty 2-D matrix", f"array of shape {matrix.shape}", "Pass e.g. a confusion matrix or a small rating table."))
    n_rows, n_columns = matrix.shape
    rows = [str(label) for label in row_labels] if row_labels is not None else [str(k) for k in range(n_rows)]
    columns = [str(label) for label in column_labels] if column_labels is not None else [str(k) for k in range(n_columns)]
    if len(rows) != n_rows or len(columns) != n_columns:
        raise ValueError(error_message("row_labels/column_labels", f"{n_rows} row and {n_columns} column labels", f"{len(rows)} and {len(columns)}", "Pass one label per row and per column."))
    if look["row_percent"]:
        totals = np.nansum(matrix, axis=1, keepdims=True)
        matrix = 100 * np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    figure, ax = new_axes(ax, figsize=(1.5 + 0.6 * n_columns, 1.0 + 0.5 * n_rows))
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=look["cmap"], vmin=look["vmin"], vmax=look["vmax"])
    colormap = mpl.colormaps[look["cmap"]]
    for (row, column), value in np.ndenumerate(matrix):
        if not np.isfinite(value) or (look["hide_zeros"] and value == 0):
            continue
        red, green, blue, _ = colormap(image.norm(value))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5  # perceived brightness of the cell
        ax.text(column, row, look["fmt"].format(value), ha="center", va="center", fontsize=8, color="white" if dark else "black")
    slant = {"rotation": 45, "ha": "right"} if look["rotate_labels"] else {}
    ax.set_xticks(range(n_columns), columns, **slant)
    ax.set_yticks(range(n_rows), rows)
    ax.set(xlabel=look["xlabel"], ylabel=look["ylabel"], title=title)
    figure.colorbar(image, ax=ax, label=look["colorbar_label"])
    return figure


__all__ = ["STYLES", "plot_heatmap"]
