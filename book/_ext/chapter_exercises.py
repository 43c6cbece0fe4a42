"""Number the exercises of each chapter from 1: Exercise 2.1, 2.2 ... in chapter 2, Exercise 3.2.1 ...
in chapter 3.2.

sphinx-exercise numbers exercises through Sphinx's ``numfig``. Without a numbered table of
contents Sphinx keeps one counter for the whole book, so chapter 2's exercises came out as 4 to 6.
This extension runs after Sphinx has assigned the numbers (``env-get-updated``) and renumbers the
exercises of every chapter notebook in their order on the page, prefixed with the chapter's
number read from its file name (``notebooks/03_2_sgd_random_forests`` is chapter 3.2).
Cross-references (``{numref}``) and the "Solution to Exercise ..." titles read the same table, so
they follow.
"""

from __future__ import annotations

import re

#: A chapter file name: ``02_concepts`` is chapter (2,), ``03_2_sgd_random_forests`` chapter (3, 2).
CHAPTER = re.compile(r"(?:^|/)(\d+)(?:_(\d+))?_[^/]+$")


def chapter_number(docname: str) -> tuple[int, ...] | None:
    """The chapter number of a document from its file name, or None for a page that is not a chapter."""
    match = CHAPTER.search(docname)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def renumber_exercises(app, env) -> list[str]:
    """Give each chapter's exercises the numbers ``chapter + (1, 2, ...)`` in page order."""
    changed = []
    for docname, numbers in env.toc_fignumbers.items():
        chapter = chapter_number(docname)
        exercises = numbers.get("exercise")
        if chapter is None or not exercises:
            continue
        in_page_order = sorted(exercises, key=exercises.get)  # Sphinx counted them in page order
        renumbered = {node_id: (*chapter, index) for index, node_id in enumerate(in_page_order, 1)}
        if renumbered != exercises:
            numbers["exercise"] = renumbered
            changed.append(docname)
    return changed


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.connect("env-get-updated", renumber_exercises, priority=900)  # after Sphinx's own numbering (500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
