"""Open every page of the built HTML book in headless Chromium, offline, and report what a reader
would see broken.

    python -m tools.browser_check _build/html --report report.json [--screenshots DIR --shoot PAGE ...]

``tests/test_browser.py`` runs this inside ``unshare -n`` (a network namespace whose only
interface is loopback), so neither Python nor Chromium can reach any network; the script checks
that first, and records which guard was in force. In every case Chromium itself is told to
resolve no host name, and every request that is not for a local file is aborted and reported.

Per page it checks that

* MathJax rendered every equation: each ``.math`` element holds an ``mjx-container``, no
  ``mjx-merror`` node exists, and no raw TeX delimiter (``$$``, ``\\(``, ``\\[``) is left in
  the text outside code;
* no display equation is wider than the text column (``_static/fusionlab.js`` scales a wide one
  down to fit, to 60 % at most);
* every image loaded (``naturalWidth > 0``);
* every internal link and anchor resolves: the target file exists and, for ``#anchor``, the
  target page has an element with that id;
* the console logged no error, no script threw, and no local resource failed to load;
* no unresolved role or glue placeholder shows (``{glue``, ``{term``, ``??``, ``[?]``, an empty
  or ``nan`` pasted glue value), and nothing tried to reach the network;
* every figure of a notebook shows as an image (a ``<Figure size ...>`` text output means the
  notebook ran without an inline backend), and no code block or table scrolls sideways;
* a page that redirects (the book's ``index.html``) lands on a page that exists;
* a chapter that comes from a notebook offers its ``.ipynb`` for download, and the file is there.

The report is JSON: ``{"network": ..., "pages": {page: {"problems": [...], ...}}}``. The exit
status is 0 when the run itself worked (problems are for the caller to judge), 2 otherwise.
Playwright drives Debian's ``/usr/bin/chromium`` (``$CHROMIUM`` to override); no browser is
downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Browsers tried, in order, when ``$CHROMIUM`` is not set.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
#: Folders of the build that hold assets, not pages.
ASSET_DIRS = ("_static", "_sources", "_images", "_downloads", "_sphinx_design_static", "_panels_static")
#: Text that means something was left unrendered or unresolved.
PLACEHOLDERS = re.compile(r"\{(?:glue|term|ref|doc|numref|eq|cite|download)(?::\w+)?\}|\?\?|\[\?\]|<no title>")
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{")
ALLOWED_SCHEMES = ("file", "data", "blob", "about", "chrome-error")

_PAGE_SCRIPT = r"""
async () => {
  if (!document.body || document.querySelector("meta[http-equiv=refresh]")) { return null; }  // a redirect page
  for (const img of document.images) { img.loading = "eager"; }
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done);
                           setTimeout(done, 10000); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));  // let _static/fusionlab.js fit wide equations
  const outside = node => !node.parentElement.closest("pre, code, script, style, mjx-container, .MathJax, textarea, .highlight");
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) { if (outside(walker.currentNode)) texts.push(walker.currentNode.textContent); }
  const math = [...document.querySelectorAll(".math")];
  return {
    title: document.title,
    text: texts.join(" "),
    math_total: math.length,
    math_unrendered: math.filter(el => !el.querySelector("mjx-container")).map(el => el.textContent.slice(0, 80)),
    math_cut_off: [...document.querySelectorAll('mjx-container[display="true"]')]
        .filter(el => el.scrollWidth > el.clientWidth + 2)
        .map(el => `${el.scrollWidth} px wide in a ${el.clientWidth} px column, in section #${(el.closest("section") || {}).id || "?"}`),
    math_errors: [...document.querySelectorAll("mjx-merror, .MathJax_Error, merror")].map(el => el.textContent.slice(0, 80)),
    mathjax_loaded: !!window.MathJax,
    images: [...document.images].map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth, complete: img.complete})),
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    pasted: [...document.querySelectorAll(".pasted-text, .pasted-inline")].map(el => el.textContent.trim()),
    figure_reprs: [...document.querySelectorAll(".cell_output")].map(el => el.textContent)
        .filter(text => /<Figure size \d/.test(text)).map(text => text.trim().slice(0, 80)),
    wide: [...document.querySelectorAll("main table, main pre, main .output, main img")]
        .map(el => [el, el.getBoundingClientRect().right > window.innerWidth + 2 ? "runs past the window: "
                        : el.scrollWidth > el.clientWidth + 2 ? "scrolls sideways: " : null])
        .filter(([el, how]) => how)
        .map(([el, how]) => how + el.tagName.toLowerCase() + " " + (el.className || "").toString().slice(0, 40)
                            + " " + JSON.stringify(el.textContent.trim().slice(0, 60))),
  };
}
"""


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")


def find_chromium() -> str | None:
    """The Chromium executable to drive, or None when none is installed."""
    configured = os.environ.get("CHROMIUM")
    for candidate in ((configured,) if configured else CHROMIUM_CANDIDATES):
        path = shutil.which(candidate)
        if path:
            return path
    return None


def network_state() -> dict:
    """Whether this process can reach any network: a TCP connection and a DNS lookup must fail."""
    attempts = {}
    for label, probe in (("tcp 1.1.1.1:443", lambda: socket.create_connection(("1.1.1.1", 443), timeout=3).close()),
                         ("tcp 8.8.8.8:53", lambda: socket.create_connection(("8.8.8.8", 53), timeout=3).close()),
                         ("dns pypi.org", lambda: socket.getaddrinfo("pypi.org", 443))):
        try:
            probe()
            attempts[label] = "reached"
        except OSError as exc:
            attempts[label] = f"failed: {exc}"
    return {"offline": all(v.startswith("failed") for v in attempts.values()), "probes": attempts}


def pages_of(html_dir: Path) -> list[Path]:
    """Every HTML page of the build (assets' folders excluded), sorted."""
    return sorted(p for p in html_dir.rglob("*.html") if not set(p.relative_to(html_dir).parts[:-1]) & set(ASSET_DIRS))


class Checker:
    """Loads pages in one browser context and collects each page's problems."""

    def __init__(self, html_dir: Path, browser, shot_height: int = 0):
        self.html_dir = html_dir.resolve()
        self.shot_height = shot_height
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        self.context.route("**/*", self._route)
        self.blocked: list[str] = []
        self._ids: dict[Path, set[str]] = {}

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).scheme in ALLOWED_SCHEMES:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def ids(self, path: Path) -> set[str]:
        if path not in self._ids:
            parser = _Ids()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            self._ids[path] = parser.ids
        return self._ids[path]

    def check(self, path: Path, screenshot: Path | None = None) -> dict:
        page = self.context.new_page()
        console, failed = [], []
        page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda exc: console.append(f"uncaught: {exc}"))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        blocked_before = len(self.blocked)
        page.goto(path.as_uri(), wait_until="load")
        found = None
        for _ in range(20):  # a redirect page (the book's index.html) navigates on its own
            try:
                found = page.evaluate(_PAGE_SCRIPT)
            except Exception as exc:
                if "context was destroyed" not in str(exc):
                    raise RuntimeError(f"{path}: {exc}") from exc
            if found is not None:
                break
            page.wait_for_timeout(250)
            page.wait_for_load_state("load")
        if found is None:
            raise RuntimeError(f"{path}: the page never finished loading (a redirect that goes nowhere?)")
        landed_url = page.url
        landed = Path(unquote(urlsplit(landed_url).path))
        page.wait_for_timeout(100)  # let late console messages arrive
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            height = page.evaluate("document.documentElement.scrollHeight")
            clip = {"x": 0, "y": 0, "width": 1280, "height": min(height, self.shot_height)} if self.shot_height else None
            page.screenshot(path=str(screenshot), full_page=True, clip=clip)
        page.close()
        problems = [*console, *(f"failed to load {item}" for item in failed)]
        problems += [f"network request attempted: {url}" for url in self.blocked[blocked_before:]]
        problems += [f"equation not rendered by MathJax: {tex!r}" for tex in found["math_unrendered"]]
        problems += [f"MathJax error: {err!r}" for err in found["math_errors"]]
        problems += [f"display equation cut off: {where}" for where in found["math_cut_off"]]
        problems += [f"raw TeX left in the text: ...{found['text'][max(m.start() - 40, 0):m.end() + 40]!r}..."
                     for m in RAW_TEX.finditer(found["text"])]
        problems += [f"placeholder or unresolved reference: ...{found['text'][max(m.start() - 50, 0):m.end() + 50]!r}..."
                     for m in PLACEHOLDERS.finditer(found["text"])]
        problems += [f"image did not load: {img['src']}" for img in found["images"] if not img["width"]]
        problems += [f"glued value is empty or not a number: {text!r}" for text in found["pasted"]
                     if text.lower() in ("", "nan", "none", "inf", "-inf")]
        problems += [f"a figure shows as text, not as an image (was the notebook run with MPLBACKEND=Agg?): {text!r}"
                     for text in found["figure_reprs"]]
        # a wide table may scroll inside its own box (_static/fusionlab.css); code must wrap, and nothing may run off
        problems += [what for what in found["wide"] if what.startswith(("runs past", "scrolls sideways: pre"))]
        links = sorted(set(found["links"]))
        problems += self._link_problems(path, links)
        downloads = [link for link in links if link.split("#")[0].endswith(".ipynb")]
        if landed != path:
            problems += [] if landed.is_file() else [f"redirects to a missing page: {landed_url}"]
        source_notebook = self.html_dir / "_sources" / landed.relative_to(self.html_dir).with_suffix(".ipynb")
        if source_notebook.exists() and not any(urlsplit(link).path.endswith(source_notebook.name) for link in downloads):
            problems.append(f"no download link to {source_notebook.name}")
        return {"title": found["title"], "problems": problems, "landed": landed.relative_to(self.html_dir).as_posix(), "equations": found["math_total"],
                "images": len(found["images"]), "links": len(links), "downloads": downloads, "wide": found["wide"]}

    def _link_problems(self, page: Path, links: list[str]) -> list[str]:
        problems = []
        for link in links:
            parts = urlsplit(link)
            if parts.scheme != "file":
                continue  # external links are links, not resources: an offline reader just cannot follow them
            target = Path(unquote(parts.path))
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"broken link: {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in self.ids(target):
                problems.append(f"missing anchor: {link}")
        return problems


def run(html_dir: Path, report_path: Path, shots_dir: Path | None, shoot: list[str], only: list[str],
        shot_height: int = 0) -> int:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        print("No Chromium found: apt-get install chromium (or set CHROMIUM)", file=sys.stderr)
        return 2
    report = {"network": network_state(), "chromium": chromium, "pages": {}}
    pages = [html_dir / p for p in only] if only else pages_of(html_dir)
    args = ["--headless=new", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=en-GB",
            "--disable-dev-shm-usage"]  # containers (CI) often have a 64 MB /dev/shm, too small for long pages
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        report["browser_version"] = browser.version
        checker = Checker(html_dir, browser, shot_height)
        for path in pages:
            name = path.relative_to(html_dir).as_posix()
            shot = shots_dir / (name.replace("/", "__").removesuffix(".html") + ".png") if shots_dir and name in shoot else None
            report["pages"][name] = checker.check(path, shot)
        browser.close()
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for full-page PNG screenshots")
    parser.add_argument("--shoot", nargs="*", default=[], help="pages (relative .html paths) to screenshot")
    parser.add_argument("--only", nargs="*", default=[], help="check only these pages")
    parser.add_argument("--shot-height", type=int, default=0, help="photograph only the top N pixels (0: the whole page)")
    options = parser.parse_args(argv)
    return run(options.html_dir.resolve(), options.report, options.screenshots, options.shoot, options.only,
               options.shot_height)


if __name__ == "__main__":
    sys.exit(main())
