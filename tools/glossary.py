"""The glossary's terms, where the book uses them, and a linker that adds ``{term}`` roles.

    python3 -m tools.glossary check    # every term is linked from the book; every {term} is defined
    python3 -m tools.glossary link     # link each term's first use in each chapter to the glossary

``book/glossary.md`` holds one Sphinx ``glossary`` directive. ``link`` wraps the first plain-prose
occurrence of each term (or of one of its other names) on each page in a ``{term}`` role, once
per page; it never touches headings, code, maths, links, roles, fenced blocks or directive
options, and it leaves a page alone where the term is already linked. It is idempotent: run it
again after a chapter is added or rewritten, and review the diff. The tests
(``tests/test_glossary.py``) use :func:`glossary_terms` and :func:`term_references`.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
#: Pages the linker edits and the tests read: every chapter and the prose pages around them.
BOOK_PAGES = ("intro", "background", "concepts", "algorithms", "code", "trends", "faq")

_FENCE = re.compile(r"^\s*(`{3,}|:{3,})")
_ROLE = re.compile(r"\{term\}`([^`]*)`")
_PROTECTED = re.compile(
    r"\{[\w:.-]+\}`[^`]*`"      # a role: {term}`...`, {glue:text}`...`, {cite:p}`...`
    r"|``[^`]*``|`[^`]*`"       # inline code
    r"|\$\$.*?\$\$|\$[^$]*\$"   # inline maths
    r"|!?\[[^\]]*\]\([^)]*\)"   # a Markdown link or image
    r"|<[^>]+>|https?://\S+"    # HTML, a bare URL
)


def pages() -> list[Path]:
    """The notebooks and book pages whose prose may link to the glossary."""
    found = sorted((ROOT / "notebooks").glob("*.ipynb"))
    return found + [ROOT / "book" / f"{name}.md" for name in BOOK_PAGES if (ROOT / "book" / f"{name}.md").exists()]


def glossary_terms(text: str | None = None) -> list[list[str]]:
    """The glossary's entries, each the list of its names (the first is the entry's own)."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    match = re.search(r"^```\{glossary\}\n(.*?)^```", text, flags=re.M | re.S)
    if match is None:
        raise ValueError(f"{GLOSSARY} has no ```{{glossary}} block")
    entries, names = [], []
    for line in match.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            names = []
            continue
        if line[0].isspace():  # a definition line closes the term lines above it
            if names:
                entries.append(names)
            names = []
        else:
            names.append(line.strip())
    return entries


def _markdown_sources(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown"]
    return [path.read_text(encoding="utf-8")]


def term_references(path: Path) -> list[str]:
    """The glossary terms a page's ``{term}`` roles point to (``text <term>`` gives ``term``)."""
    targets = []
    for source in _markdown_sources(path):
        for content in _ROLE.findall(source):
            explicit = re.search(r"<([^<>]+)>\s*$", content)
            targets.append((explicit.group(1) if explicit else content).strip())
    return targets


@functools.lru_cache(maxsize=None)
def _pattern(name: str) -> re.Pattern:
    body = re.escape(name).replace(r"\ ", r"[ \n-]+").replace(r"\-", r"[ \n-]+")
    plural = r"(?:s|es)?"
    flags = 0 if name.isupper() or any(ch.isupper() for ch in name[1:]) else re.I
    return re.compile(rf"(?<![\w/.-]){body}{plural}(?![\w-])", flags)


def _safe_spans(text: str):
    """(start, end) of the text of ``text`` that is plain prose."""
    spans, in_fence, in_exercise, in_math, in_inline, position = [], None, None, False, False, 0
    for line in text.splitlines(keepends=True):
        start, position = position, position + len(line)
        fence = _FENCE.match(line)
        stripped = line.strip()
        if fence and in_exercise and stripped == in_exercise:
            in_exercise = None  # an exercise's statement is prose; its fences and options are not
            continue
        if in_fence:
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence) and stripped == fence.group(1):
                in_fence = None
            continue
        if fence:
            if stripped.startswith(fence.group(1) + "{exercise}") and not in_exercise:
                in_exercise = fence.group(1)
            else:
                in_fence = fence.group(1)
            continue
        if stripped.startswith("$$"):
            in_math = not (in_math or stripped.endswith("$$") and len(stripped) > 2)
            continue
        if len(re.findall(r"(?<!\\)\$", line.replace("$$", ""))) % 2:  # inline maths that spans lines
            in_inline = not in_inline
            continue
        if in_math or in_inline or stripped.startswith(("#", ":", "|", "<")) or line.startswith("    "):
            continue
        cursor = start
        for match in _PROTECTED.finditer(line):
            spans.append((cursor, start + match.start()))
            cursor = start + match.end()
        spans.append((cursor, position))
    merged = []  # a phrase may run across a line break
    for begin, end in spans:
        if merged and merged[-1][1] == begin:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def link_text(text: str, entries: list[list[str]], already: set[str]) -> tuple[str, list[str]]:
    """Link the first plain-prose use of each entry not in ``already``; return (text, linked)."""
    linked = []
    order = sorted(entries, key=lambda names: -max(len(n) for n in names))
    for position, names in enumerate(order):
        if names[0].lower() in already:
            continue
        # never link a term inside a longer term's words ("gradient" in "stochastic gradient descent")
        lowered = [m.lower() for m in names]
        longer = [_pattern(n) for other in order[:position] for n in other
                  if len(n) > min(map(len, names)) and any(m in n.lower().replace("-", " ") for m in lowered)]
        taken = [m.span() for pattern in longer for m in pattern.finditer(text)]
        best = None
        for name in names:
            pattern = _pattern(name)
            for begin, end in _safe_spans(text):
                match = next((m for m in pattern.finditer(text, begin, end)
                              if not any(s < m.end() and m.start() < e for s, e in taken)), None)
                if match and (best is None or match.start() < best.start()):
                    best = match
                    break
        if best is None:
            continue
        shown = best.group(0)
        role = f"{{term}}`{shown}`" if shown.lower() == names[0].lower() else f"{{term}}`{shown} <{names[0]}>`"
        text = text[:best.start()] + role + text[best.end():]
        already.add(names[0].lower())
        linked.append(names[0])
    return text, linked


def link_page(path: Path, entries) -> list[str]:
    """Add ``{term}`` roles to one page, in place; return the entries linked."""
    already = {target.lower() for target in term_references(path)}
    known = {name.lower(): names[0].lower() for names in entries for name in names}
    already = {known.get(name, name) for name in already}
    linked = []
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text, new = link_text("".join(cell["source"]), entries, already)
            if new:
                cell["source"] = text.splitlines(keepends=True)
                linked += new
        if linked:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        text, linked = link_text(path.read_text(encoding="utf-8"), entries, already)
        if linked:
            path.write_text(text, encoding="utf-8")
    return linked


def check() -> list[str]:
    """Problems: a ``{term}`` that names no glossary entry; an entry no page links to."""
    entries = glossary_terms()
    names = {name.lower() for entry in entries for name in entry}
    problems, used = [], set()
    for path in pages():
        for target in term_references(path):
            used.add(target.lower())
            if target.lower() not in names:
                problems.append(f"{path.relative_to(ROOT)}: {{term}} `{target}` is not in the glossary")
    for entry in entries:
        if not {name.lower() for name in entry} & used:
            problems.append(f"glossary term {entry[0]!r} is linked from no page")
    return problems


def main(argv: list[str]) -> int:
    if argv == ["link"]:
        entries = glossary_terms()
        for path in pages():
            linked = link_page(path, entries)
            if linked:
                print(f"{path.relative_to(ROOT)}: {len(linked)} terms linked")
        argv = ["check"]
    if argv == ["check"]:
        problems = check()
        print("\n".join(problems) or "glossary: every term is linked and every link is defined")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
