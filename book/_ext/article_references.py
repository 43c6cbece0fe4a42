"""The source article's reference list, computed at build time: a table of its distinct works and the counts the
book quotes.

``{article-references}`` (a directive) renders one row per distinct work of
``book/article/reference_list.txt``: the entry as the article gives it, how often the list repeats
it, the entry numbers, and what we found (``fusionlab.bibliography.ARTICLE_REFERENCE_STATUS``).
``{article-reference-count}`\\`name\\``` (a role) writes one of the counts of
``fusionlab.bibliography.article_reference_table``: ``entries``, ``distinct``, ``located``,
``unlocated`` or ``unlocated_entries``. Nothing is typed: edit the list or the status table and
the pages follow.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

from fusionlab.bibliography import article_reference_table

REFERENCE_LIST = Path(__file__).resolve().parents[1] / "article" / "reference_list.txt"
HEADER = ("Entry, as the article gives it", "Times listed", "Entry numbers", "Status")


def _computed():
    return article_reference_table(REFERENCE_LIST.read_text(encoding="utf-8"))


def _row(cells) -> nodes.row:
    row = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        row += entry
    return row


def _numbers(work: dict) -> str:
    return ", ".join(f"{n} (cut off)" if n in work["truncated"] else str(n) for n in work["numbers"])


class ArticleReferences(SphinxDirective):
    """A table of the article's distinct references."""

    has_content = False

    def run(self):
        self.env.note_dependency(str(REFERENCE_LIST))
        works, _ = _computed()
        table, group = nodes.table(), nodes.tgroup(cols=len(HEADER))
        table += group
        for width in (45, 10, 20, 25):
            group += nodes.colspec(colwidth=width)
        head, body = nodes.thead(), nodes.tbody()
        head += _row(HEADER)
        for work in works:
            body += _row((work["entry"], str(work["count"]), _numbers(work), work["status"]))
        group += head
        group += body
        return [table]


class ArticleReferenceCount(SphinxRole):
    """One count about the article's reference list, as text."""

    def run(self):
        _, counts = _computed()
        if self.text not in counts:
            message = self.inliner.reporter.error(f"article-reference-count must be one of {sorted(counts)}; got {self.text!r}.", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        self.env.note_dependency(str(REFERENCE_LIST))
        return [nodes.Text(str(counts[self.text]))], []


def setup(app):
    app.add_directive("article-references", ArticleReferences)
    app.add_role("article-reference-count", ArticleReferenceCount())
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
