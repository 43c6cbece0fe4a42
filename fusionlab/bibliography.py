"""The source article's reference list, read as data: its numbered entries, and how often each
distinct work repeats.

The article's list numbers 61 entries, but most are the same few works over and over, and the
copy we have stops in the middle of its last entry. The book's references page and its
introduction quote the counts computed here (never typed), from the list kept verbatim in
``book/article/reference_list.txt``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._validation import error_message

_ENTRY = re.compile(r"^\s*\[(\d+)\]\s*(.*?)\s*$")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_reference_list(text: str) -> list[tuple[int, str]]:
    """The numbered entries ``[n] ...`` of a reference list, in order.

    An entry starts at a line beginning with ``[n]`` and runs to the next such line (or the end);
    its lines are joined with single spaces. Text before the first entry (a heading) is ignored.

    Parameters
    ----------
    text : str
        The reference list.

    Returns
    -------
    entries : list of (int, str)
        ``(number, entry text)`` in the order they appear.

    Raises
    ------
    TypeError
        When ``text`` is not a string.
    ValueError
        When it holds no numbered entry.
    """
    if not isinstance(text, str):
        raise TypeError(error_message("text", "a str (the reference list)", type(text).__name__, "Pass the file's text, e.g. path.read_text()."))
    entries: list[tuple[int, list[str]]] = []
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match:
            entries.append((int(match.group(1)), [match.group(2)]))
        elif entries and line.strip():
            entries[-1][1].append(line.strip())
    if not entries:
        raise ValueError(error_message("text", "a reference list with numbered entries such as '[1] Author (2016). Title.'", "no '[n]' entry", "Pass the list itself, not the article's body."))
    return [(number, _normalise(" ".join(lines))) for number, lines in entries]


def tally_references(entries: Sequence[tuple[int, str]]) -> list[dict]:
    """Group a reference list's entries into distinct works and count the repeats.

    Two entries are the same work when their texts are equal up to whitespace. An entry whose
    text is the beginning of another work's entry (a list cut off in mid-entry) is counted as a
    *truncated* repeat of that work.

    Parameters
    ----------
    entries : sequence of (int, str)
        From :func:`parse_reference_list`.

    Returns
    -------
    works : list of dict
        In order of first appearance, one per distinct work: ``entry`` (its full text),
        ``count`` (how many entries cite it, truncated ones included), ``numbers`` (their
        numbers) and ``truncated`` (the numbers of the cut-off ones).
    """
    works: list[dict] = []
    for number, text in entries:
        text = _normalise(text)
        work = next((w for w in works if w["entry"] == text), None)
        if work is None:
            work = next((w for w in works if w["entry"].startswith(text)), None)
            if work is not None:
                work["truncated"].append(number)
        if work is None:
            work = {"entry": text, "count": 0, "numbers": [], "truncated": []}
            works.append(work)
        work["count"] += 1
        work["numbers"].append(number)
    for work in list(works):  # a cut-off entry that came before its full text
        owner = next((w for w in works if w is not work and w["entry"].startswith(work["entry"])), None)
        if owner is not None:
            owner["count"] += work["count"]
            owner["numbers"] = sorted(owner["numbers"] + work["numbers"])
            owner["truncated"] = sorted(owner["truncated"] + work["numbers"])
            works.remove(work)
    return works


__all__ = ["parse_reference_list", "tally_references"]
