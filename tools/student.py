"""Student copies of the notebooks: the exercises stay, their solutions go.

``python3 tasks.py student`` calls :func:`write_student_copies`, which writes
``_build/student/notebooks/*.ipynb`` and ``_build/student/fusionlab-student-notebooks.zip``.

What counts as a solution (sphinx-exercise's forms, all removed):

* a fenced ``{solution}`` directive in a markdown cell, with backticks or colons and any fence
  length (```` ````{solution} ex-1 ```` ... ```` ```` ````), together with everything up to its
  closing fence;
* the gated form ``{solution-start}`` ... ``{solution-end}``, which may span cells: every cell
  from the start to the end is removed, code cells included;
* any cell tagged ``solution`` (in ``metadata.tags``).

A removed solution leaves one line saying so, so the student sees that a solution exists. Code
cells tagged ``solution`` become empty code cells with a prompt, so later cells keep their
place. Only the standard library is used: this runs before any virtual environment exists.
"""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path

#: The line that replaces a removed solution in a markdown cell.
REMOVED_NOTE = "*(The solution is left out of the student copy of this notebook.)*"
#: The source of a code cell tagged ``solution`` in the student copy.
EMPTY_SOLUTION_CELL = "# Your solution here (this cell's solution is left out of the student copy).\n"
SOLUTION_TAG = "solution"
ZIP_NAME = "fusionlab-student-notebooks.zip"

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<rest>.*)$")


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def solution_blocks(markdown: str) -> list[tuple[int, int, str]]:
    """The fenced ``{solution}`` blocks of a markdown text: ``(first_line, last_line, label)``.

    Lines are 0-based and inclusive. Fences follow CommonMark: a block opened by N backticks
    (or colons) closes at the first line made of at least N of the same character, so code
    fenced by fewer characters inside the solution does not close it.
    """
    lines = markdown.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        match = _OPEN.match(lines[index])
        if not match:
            index += 1
            continue
        fence, end = match["fence"], index + 1
        while end < len(lines) and not _closes(lines[end], fence):
            end += 1
        if match["name"] == "solution":
            blocks.append((index, min(end, len(lines) - 1), match["rest"].strip()))
        index = end + 1 if match["name"] == "solution" else index + 1
    return blocks


def _gate(markdown: str) -> str | None:
    """``"start"`` or ``"end"`` when the text holds a gated solution directive."""
    for line in markdown.splitlines():
        match = _OPEN.match(line)
        if match and match["name"] in ("solution-start", "solution-end"):
            return match["name"].removeprefix("solution-")
    return None


def strip_markdown(markdown: str) -> str:
    """The markdown with every fenced ``{solution}`` block replaced by :data:`REMOVED_NOTE`."""
    lines = markdown.splitlines(keepends=True)
    for first, last, _ in reversed(solution_blocks(markdown)):
        lines[first:last + 1] = [REMOVED_NOTE + "\n"]
    return "".join(lines)


def student_notebook(notebook: dict) -> dict:
    """A copy of a notebook (nbformat 4 as a dict) without its solutions, and without outputs."""
    student = copy.deepcopy(notebook)
    cells, inside_gate = [], False
    for cell in student["cells"]:
        text = _source(cell)
        gate = _gate(text) if cell["cell_type"] == "markdown" else None
        if gate == "start" or inside_gate:
            inside_gate = gate != "end"
            if gate == "start":  # the whole gated solution becomes one note
                note = {"cell_type": "markdown", "metadata": {}, "source": REMOVED_NOTE + "\n"}
                cells.append({"id": cell["id"], **note} if "id" in cell else note)
            continue
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            if cell["cell_type"] != "code":
                cell = {**cell, "source": REMOVED_NOTE + "\n"}
            else:
                cell = {**cell, "source": EMPTY_SOLUTION_CELL}
            cell["metadata"] = {**cell["metadata"], "tags": [t for t in cell["metadata"]["tags"] if t != SOLUTION_TAG]}
        elif cell["cell_type"] == "markdown":
            cell = {**cell, "source": strip_markdown(text)}
        if cell["cell_type"] == "code":
            cell = {**cell, "outputs": [], "execution_count": None}
        cells.append(cell)
    if inside_gate:
        raise ValueError("a {solution-start} has no matching {solution-end}; close it so the rest of the notebook is kept")
    student["cells"] = cells
    return student


def solution_texts(notebook: dict) -> list[str]:
    """Every line of solution text a notebook holds (for tests: none may survive)."""
    texts = []
    for cell in notebook["cells"]:
        text = _source(cell)
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            texts.extend(text.splitlines())
            continue
        lines = text.splitlines()
        for first, last, _ in solution_blocks(text) if cell["cell_type"] == "markdown" else []:
            texts.extend(lines[first:last + 1])
    return [line.strip() for line in texts if line.strip()]


def write_student_copies(notebooks: list[Path], out_dir: Path) -> list[Path]:
    """Write the student copy of each notebook into ``out_dir/notebooks`` and zip them.

    Returns the written notebook paths; the zip is ``out_dir/`` :data:`ZIP_NAME`. The folder
    is replaced as a whole, so no copy from an earlier run survives.
    """
    target = out_dir / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.ipynb"):
        old.unlink()
    written = []
    for path in sorted(notebooks):
        student = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        destination = target / path.name
        destination.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(destination)
    archive = out_dir / ZIP_NAME
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in written:
            bundle.write(path, f"notebooks/{path.name}")
    partial.replace(archive)  # a failed run leaves no half-written zip under the final name
    return written
