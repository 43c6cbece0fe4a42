"""Promises about the project itself: dependencies in step, every notebook in the book,
notebooks committed clean, every glued number produced by a cell, the two commands wired up."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared.update(extra)
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    conda_pinned = {_normalise(r) for r in pip_section if not r.startswith("-")}
    assert conda_pinned == {_normalise(r) for r in declared}, (
        "environment.yml and pyproject.toml list different dependencies: "
        f"only in environment.yml {sorted(conda_pinned - {_normalise(r) for r in declared})}, "
        f"only in pyproject.toml {sorted({_normalise(r) for r in declared} - conda_pinned)}"
    )
    python_pin = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python_pin == "python=3.11" and project["requires-python"] == ">=3.11"


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                files.append(value)
            else:
                files.extend(_toc_files(value))
    elif isinstance(node, list):
        for item in node:
            files.extend(_toc_files(item))
    return files


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = _toc_files(toc)
    for notebook in NOTEBOOKS:
        assert f"notebooks/{notebook.stem}" in listed, f"{notebook.name} is missing from _toc.yml"
    for entry in listed:
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(path.exists() for path in candidates), f"_toc.yml lists {entry}, which does not exist"


def test_toc_parts_follow_the_article():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    order = ["Background", "Concepts", "Algorithms", "Code", "Trends and challenges", "Appendix"]
    captions = [part["caption"] for part in toc["parts"]]
    assert all(caption in order for caption in captions), captions
    assert captions == sorted(captions, key=order.index), f"parts out of the article's order: {captions}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_a_parameters_cell_reading_the_size_switch(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{notebook.name}: expected one cell tagged 'parameters', found {len(tagged)}"
    assert "course_size()" in "".join(tagged[0]["source"])


GLUE_USE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)|```\{glue(?::\w+)?\}\s+(\S+)")
GLUE_DEFINE = re.compile(r"""glue\(\s*["']([^"']+)["']""")
RESULTS_QUOTE = re.compile(r"""["'](res_\w+)["']\s*:\s*\(""")  # glue_results(record, {"res_x": (path...)}), see test_results.py


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_glued_number_in_prose_is_computed_by_a_cell(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    text = {kind: "".join("".join(c["source"]) for c in cells if c["cell_type"] == kind) for kind in ("markdown", "code")}
    used = {a or b for a, b in GLUE_USE.findall(text["markdown"])}
    defined = set(GLUE_DEFINE.findall(text["code"])) | set(RESULTS_QUOTE.findall(text["code"]))
    assert used <= defined, f"{notebook.name}: prose uses glue keys no cell defines: {sorted(used - defined)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_asserts_what_it_teaches(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert re.search(r"^\s*assert ", code, re.MULTILINE), f"{notebook.name} has no assertion cell"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py test" in ci
    assert "python3 tasks.py book" in readme
