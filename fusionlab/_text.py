"""Plain-text tables: one formatter for every table the notebooks print."""

from __future__ import annotations

from collections.abc import Mapping


def format_rows(rows: Mapping[str, Mapping], *, formats: Mapping[str, str] | None = None, first_column: str = "model") -> str:
    """A fixed-width table: one row per key of ``rows``, one column per key of its values.

    Parameters
    ----------
    rows : dict of str to dict
        ``{row label: {column: value}}``; a column missing from a row shows "-".
    formats : dict of str to str, default=None
        Format spec per column (``".1%"``, ``",.0f"``); floats default to ``".3f"``; None is "-".
    first_column : str, default="model"
        Header of the row labels.

    Returns
    -------
    table : str
        Header, a rule, then the rows; numbers right-aligned.
    """
    formats = dict(formats or {})
    columns = list(dict.fromkeys(column for values in rows.values() for column in values))

    def cell(column, value):
        if value is None:
            return "-"
        spec = formats.get(column, ".3f" if isinstance(value, float) else "")
        return format(value, spec)

    body = [[str(label), *(cell(column, values.get(column)) for column in columns)] for label, values in rows.items()]
    header = [first_column, *columns]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join([line[0].ljust(widths[0]), *(text.rjust(width) for text, width in zip(line[1:], widths[1:]))]) for line in [header, *body]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
