"""Part 6: the English–Chinese glossary, its links from the chapters, the notation page, and the
numbers the FAQ and the instructor guide quote from other pages."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tools.glossary import BOOK_PAGES, check, glossary_terms, link_text, pages, term_references

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from test_project import glued_names  # noqa: E402  (one definition of "the keys a cell glues")

CJK = re.compile(r"[\u4e00-\u9fff]")


def _definitions():
    text = (ROOT / "book" / "glossary.md").read_text()
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, flags=re.M | re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.startswith("  ")]


def test_the_glossary_has_every_term_with_chinese_a_definition_and_a_link():
    entries, definitions = glossary_terms(), _definitions()
    assert len(entries) >= 80, len(entries)
    assert len(definitions) == len(entries)
    for names, definition in zip(entries, definitions):
        assert CJK.search(definition.split(".")[0]), f"{names[0]}: no Chinese term"
        assert re.search(r"Taught in \{doc\}`[^`]+`\.$", definition), f"{names[0]}: no link to where it is taught"
    lowered = [name.lower() for names in entries for name in names]
    assert len(lowered) == len(set(lowered)), "a name belongs to two entries"


def test_the_article_s_own_terms_are_marked_and_its_ambiguities_explained():
    text = (ROOT / "book" / "glossary.md").read_text()
    for term in ("随机梯度下降", "反向传播", "协同过滤", "梯度下降", "随机森林", "交叉验证"):
        assert re.search(rf"\*\*{term}[^*]*\*\* \(原文\)", text), term
    ambiguous = text.split("## Terms")[0]
    for word in ("精度", "accuracy", "precision", "偏置", "偏差", "归一化"):
        assert word in ambiguous, word


def test_every_glossary_term_is_used_and_every_term_link_resolves():
    problems = check()
    assert not problems, "\n".join(problems) + "\nRun `python3 -m tools.glossary link` and review the diff."


def test_every_page_links_the_terms_it_uses():
    """A rewritten or new chapter keeps its glossary links: the linker has nothing left to add."""
    entries = glossary_terms()
    for path in pages():
        already = {target.lower() for target in term_references(path)}
        known = {name.lower(): names[0].lower() for names in entries for name in names}
        already = {known.get(name, name) for name in already}
        sources = ([c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
                   if path.suffix == ".ipynb" else [{"source": path.read_text()}])
        for cell in sources:
            _, linked = link_text("".join(cell["source"]), entries, already)
            assert not linked, f"{path.name}: unlinked terms {linked}; run `python3 -m tools.glossary link` and review"


def test_the_linker_links_prose_only_and_once():
    entries = [["stochastic gradient descent", "SGD"], ["gradient descent"], ["gradient"], ["epoch"]]
    text = ("# Gradient descent\n\n"
            "Plain stochastic gradient descent, `gradient descent` in code, $\\nabla$ gradient maths,\n"
            "{glue:text}`gradient` and [gradient descent](x.md). Two epochs of gradient descent,\n"
            "then gradient\ndescent again and a gradient.\n\n"
            "```python\ngradient = 1\n```\n")
    linked_text, linked = link_text(text, entries, set())
    assert linked == ["stochastic gradient descent", "gradient descent", "gradient", "epoch"]
    assert linked_text.startswith("# Gradient descent\n")  # headings untouched
    assert "Plain {term}`stochastic gradient descent`," in linked_text
    assert "`gradient descent` in code" in linked_text and "{glue:text}`gradient`" in linked_text
    assert "[gradient descent](x.md)" in linked_text and "gradient = 1" in linked_text
    assert "Two {term}`epochs <epoch>` of {term}`gradient descent`," in linked_text
    assert "$\\nabla$ {term}`gradient` maths" in linked_text and "and a gradient." in linked_text
    assert "then gradient\ndescent again" in linked_text  # never the "gradient" inside "gradient descent"
    assert linked_text.count("{term}") == 4
    assert link_text(linked_text, entries, {"stochastic gradient descent", "gradient descent", "epoch", "gradient"})[1] == []


def test_the_appendix_holds_faq_glossary_and_notation_last():
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["parts"][-1]["caption"] == "Appendix"
    files = [chapter["file"] for chapter in toc["parts"][-1]["chapters"]]
    assert files[:4] == ["book/faq", "book/glossary", "book/notation", "book/instructors"]


def test_notation_lists_the_symbols_of_every_chapter():
    text = (ROOT / "book" / "notation.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| $")]
    assert len(rows) >= 40
    # parts 1-4; a part-5 chapter (05_*) merged later gets its rows when its symbols are settled
    for notebook in sorted((ROOT / "notebooks").glob("0[1-4]_*.ipynb")):
        if "$" in "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "markdown"):
            assert f"../notebooks/{notebook.stem}>" in text, f"no symbol of {notebook.stem} in the notation table"


CROSS_GLUE = re.compile(r"\{glue(?::\w+)?\}`([^`]+?)::([^`:]+)")


def _page_glue_keys(path: Path) -> set[str]:
    if path.suffix == ".ipynb":
        cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    else:
        cells = re.findall(r"^```\{code-cell\}[^\n]*\n(?::[^\n]*\n)*(.*?)^```", path.read_text(), flags=re.M | re.S)
    return set().union(set(), *(glued_names(cell) for cell in cells))


@pytest.mark.parametrize("page", ["faq", "instructors"])
def test_numbers_quoted_from_other_pages_are_glued_there(page):
    """The FAQ quotes every number from a chapter (``{glue:text}`../notebooks/X.ipynb::key```)."""
    path = ROOT / "book" / f"{page}.md"
    quotes = CROSS_GLUE.findall(path.read_text())
    if page == "faq":
        assert len(quotes) >= 30
        prose = re.sub(r"\{[^}]+\}`[^`]*`|\$[^$]*\$|\([^)]*\.ipynb#[^)]*\)|ex-\d\d[\w-]*|`[^`]*`", "", path.read_text())
        typed = re.findall(r"\b\d+(?:\.\d+)?\s?%|\b\d\.\d{2,}\b", prose)
        assert not typed, f"numbers typed into the FAQ: {typed}"
    for target, key in quotes:
        source = (path.parent / target).resolve()
        assert source.exists(), f"{page}.md quotes a missing page {target}"
        assert key in _page_glue_keys(source), f"{page}.md quotes {key!r}, which {target} does not glue"


def test_book_pages_listed_for_linking_exist_or_are_optional():
    assert {"intro", "faq"} <= {name for name in BOOK_PAGES if (ROOT / "book" / f"{name}.md").exists()}
