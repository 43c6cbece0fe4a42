"""Student notebooks (``python3 tasks.py student``): the exercises stay, no solution survives.

The student copies keep every code cell of the original unchanged (checked here for every
notebook), so the notebook suite's nbval run of the originals covers their code; one student
copy, the fastest notebook, is also run under nbval from its own folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.student import (EMPTY_SOLUTION_CELL, REMOVED_NOTE, ZIP_NAME, solution_blocks, solution_texts,
                           strip_markdown, student_notebook, write_student_copies)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: The student copy run under nbval: the quickest notebook that has exercises with solutions.
NBVAL_STUDENT_NOTEBOOK = "03_1_gradient_descent_backprop.ipynb"


def _cell(kind, source, tags=()):
    cell = {"cell_type": kind, "id": f"c{abs(hash(source)) % 10**8}", "metadata": {"tags": list(tags)} if tags else {},
            "source": source}
    return {**cell, "outputs": [], "execution_count": None} if kind == "code" else cell


def _notebook(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _text(cell):
    return "".join(cell["source"])


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    write_student_copies(NOTEBOOKS, out)
    return out


def test_every_form_of_solution_is_removed_and_the_exercises_stay():
    markdown = (
        "## Exercises\n\n"
        "```{exercise} First\n:label: ex-a\nSolve it.\n```\n\n"
        "```{solution} ex-a\n:class: dropdown\nBACKTICK-SECRET\n```\n\n"
        "````{solution} ex-b\n:class: dropdown\nFOUR-FENCE-SECRET\n```python\ninner = 'CODE-SECRET'\n```\nAFTER-INNER-SECRET\n````\n"
        "Text between.\n\n"
        ":::{solution} ex-c\nCOLON-SECRET\n:::\n"
        "Closing words.\n"
    )
    stripped = strip_markdown(markdown)
    for secret in ("BACKTICK-SECRET", "FOUR-FENCE-SECRET", "CODE-SECRET", "AFTER-INNER-SECRET", "COLON-SECRET", "{solution}"):
        assert secret not in stripped, secret
    for kept in ("```{exercise} First", ":label: ex-a", "Solve it.", "Text between.", "Closing words."):
        assert kept in stripped, kept
    assert stripped.count(REMOVED_NOTE) == 3
    assert [label for _, _, label in solution_blocks(markdown)] == ["ex-a", "ex-b", "ex-c"]


def test_gated_solutions_and_tagged_cells_are_removed_whole():
    notebook = _notebook(
        _cell("markdown", "```{exercise-start}\n:label: ex-g\n```\nWrite a loop."),
        _cell("markdown", "```{exercise-end}\n```"),
        _cell("markdown", "```{solution-start} ex-g\n:class: dropdown\n```\nGATED-PROSE-SECRET"),
        _cell("code", "gated_code = 'GATED-CODE-SECRET'"),
        _cell("markdown", "```{solution-end}\n```"),
        _cell("code", "answer = 'TAGGED-CODE-SECRET'", tags=["solution", "hide-input"]),
        _cell("markdown", "TAGGED-PROSE-SECRET", tags=["solution"]),
        _cell("code", "after = 1"),
    )
    student = student_notebook(notebook)
    text = json.dumps(student)
    for secret in ("GATED-PROSE-SECRET", "GATED-CODE-SECRET", "TAGGED-CODE-SECRET", "TAGGED-PROSE-SECRET", "solution-start",
                   "solution-end"):
        assert secret not in text, secret
    sources = [_text(cell) for cell in student["cells"]]
    assert sources[:2] == ["```{exercise-start}\n:label: ex-g\n```\nWrite a loop.", "```{exercise-end}\n```"]
    assert sources[2:] == [REMOVED_NOTE + "\n", EMPTY_SOLUTION_CELL, REMOVED_NOTE + "\n", "after = 1"]
    assert student["cells"][3]["metadata"]["tags"] == ["hide-input"]  # other tags survive
    assert set(solution_texts(notebook)) >= {"answer = 'TAGGED-CODE-SECRET'", "TAGGED-PROSE-SECRET"}


def test_an_unclosed_gated_solution_is_an_error_not_a_truncated_notebook():
    notebook = _notebook(_cell("markdown", "```{solution-start} ex-g\n```"), _cell("code", "x = 1"))
    with pytest.raises(ValueError, match=r"solution-start.*no matching.*solution-end"):
        student_notebook(notebook)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_text_survives_in_the_student_copy(notebook, student_dir):
    original = json.loads(notebook.read_text())
    student = json.loads((student_dir / "notebooks" / notebook.name).read_text())
    labels = [label for cell in original["cells"] if cell["cell_type"] == "markdown"
              for _, _, label in solution_blocks(_text(cell))]
    assert labels, f"{notebook.name} has no solutions: nothing was tested"
    in_student = {line.strip() for cell in student["cells"] for line in _text(cell).splitlines()}
    # lines the original also has outside its solutions (a bare fence, ":class: dropdown") prove nothing
    elsewhere = {line.strip() for cell in original["cells"] for line in strip_markdown(_text(cell)).splitlines()}
    leaked = [line for line in solution_texts(original) if line in in_student and line not in elsewhere]
    assert not leaked, f"{notebook.name}: solution lines left in the student copy: {leaked[:5]}"
    text = json.dumps(student)
    assert "{solution" not in text
    assert text.count(REMOVED_NOTE) == len(labels)
    for label in labels:  # each exercise is still there for the student to do
        assert f":label: {label}" in text, f"{notebook.name}: exercise {label} lost"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copies_keep_every_code_cell_and_no_outputs(notebook, student_dir):
    original = json.loads(notebook.read_text())
    student = json.loads((student_dir / "notebooks" / notebook.name).read_text())
    assert [_text(c) for c in student["cells"] if c["cell_type"] == "code"] == \
           [_text(c) for c in original["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] for c in student["cells"] if c["cell_type"] == "code")
    assert student["metadata"] == original["metadata"]


def test_the_zip_holds_exactly_the_student_notebooks(student_dir):
    with zipfile.ZipFile(student_dir / ZIP_NAME) as bundle:
        names = sorted(bundle.namelist())
        assert names == sorted(f"notebooks/{p.name}" for p in NOTEBOOKS)
        for name in names:
            assert bundle.read(name) == (student_dir / name).read_bytes()


def test_tasks_student_writes_under_build_student():
    result = subprocess.run([sys.executable, str(ROOT / "tasks.py"), "student"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    out = ROOT / "_build" / "student"
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    assert (out / ZIP_NAME).is_file() and str(out) in result.stdout


def test_a_student_notebook_runs_under_nbval(student_dir):
    """The fastest notebook's student copy, run from the student folder as a student would."""
    path = student_dir / "notebooks" / NBVAL_STUDENT_NOTEBOOK
    assert REMOVED_NOTE in path.read_text()
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=path.parent, env=dict(os.environ), timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", result.stdout) and " failed" not in result.stdout
