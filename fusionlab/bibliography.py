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


#: What we found for each distinct work of the article's list, keyed by the start of its entry.
#: "found: ..." names the real work; the others we searched for by title, authors, venue and
#: identifier in library catalogues and bibliographic indexes without finding them.
ARTICLE_REFERENCE_STATUS = {
    "Goodfellow, I., Bengio, Y., & Courville, A. (2016)": "found: the textbook Deep Learning (MIT Press, 2016), cited in this book",
    "Li, R., & Teng, J. (2013)": "we could not locate it",
    "Deng, J., Dong, W., Socher, R., Li, K., Li, L., & Fei-Fei, L. (2009)": "found: the ImageNet paper (CVPR 2009, pages 248-255), cited in this book",
    "McAuley, J., Lai, C., Li, K., & Tschantz, M. (2015)": "we could not locate it",
    "Zhang, H., & Zhou, Z. (2018)": "we could not locate it",
}


def reference_status(entry: str, statuses: dict[str, str] | None = None) -> str:
    """The status of one distinct work: ``"found: ..."`` or ``"we could not locate it"``.

    Parameters
    ----------
    entry : str
        The work's full entry, as :func:`tally_references` returns it.
    statuses : dict of str to str, default=None
        Entry beginnings to statuses; ``None`` uses :data:`ARTICLE_REFERENCE_STATUS`.

    Raises
    ------
    ValueError
        When no status is known for the entry (a new entry must be searched for and recorded).
    """
    statuses = ARTICLE_REFERENCE_STATUS if statuses is None else statuses
    for start, status in statuses.items():
        if entry.startswith(start):
            return status
    raise ValueError(error_message("entry", "an entry whose status is recorded in ARTICLE_REFERENCE_STATUS", entry[:60], "Search for the work, then record what you found."))


def article_reference_table(text: str) -> tuple[list[dict], dict[str, int]]:
    """The article's distinct references with their repeats and status, and the counts quoted in the book.

    Parameters
    ----------
    text : str
        The reference list (``book/article/reference_list.txt``).

    Returns
    -------
    works : list of dict
        :func:`tally_references`'s works, each with its ``status`` added.
    counts : dict of str to int
        ``entries`` (numbered entries), ``distinct`` (distinct works), ``located`` and
        ``unlocated`` (distinct works), and ``unlocated_entries`` (entries citing a work we could
        not locate).
    """
    works = tally_references(parse_reference_list(text))
    for work in works:
        work["status"] = reference_status(work["entry"])
    unlocated = [work for work in works if not work["status"].startswith("found")]
    counts = {"entries": sum(work["count"] for work in works), "distinct": len(works), "located": len(works) - len(unlocated),
              "unlocated": len(unlocated), "unlocated_entries": sum(work["count"] for work in unlocated)}
    return works, counts


__all__ = ["ARTICLE_REFERENCE_STATUS", "article_reference_table", "parse_reference_list", "reference_status", "tally_references"]
