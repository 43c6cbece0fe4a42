"""The built book, read in a real browser with no network: every page, every equation, image,
link and anchor, a silent console, no placeholder, and each chapter's notebook downloadable.

Headless Chromium (Debian's ``chromium`` package, driven by Playwright's Python package with no
browser download) opens every page of the build from ``file://``, inside ``unshare -n`` where the
system allows it (root, as in CI): a network namespace with loopback only, so nothing can reach
a network; ``tools/browser_check.py`` verifies that before it starts. Without Chromium the tests
are skipped with the command that installs it (``.ci/run`` installs it in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.browser_check import find_chromium, pages_of

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "_build" / "test" / "browser"
INSTALL_HINT = ("Chromium is not installed, so the browser test was skipped. Install it with "
                "`apt-get install -y chromium` (as root, on Debian or Ubuntu; .ci/run does this), then rerun.")
#: Pages photographed on every run (the top 2,400 px, 1280 px wide), for a person to look at; a whole
#: page costs seconds more each (``python -m tools.browser_check --help`` takes whole pages).
SHOT_HEIGHT = 2400
SCREENSHOTS = ("index.html", "notebooks/03_1_gradient_descent_backprop.html", "notebooks/04_2_recommender.html",
               "book/glossary.html", "book/faq.html", "book/instructors.html", "book/notation.html")


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def browser_report(request):
    if find_chromium() is None:  # before the build: say at once why the test cannot run
        if os.environ.get("FUSIONLAB_REQUIRE_BROWSER", "0") not in ("", "0"):  # .ci/run: in CI the test must run
            reason = os.environ.get("FUSIONLAB_CHROMIUM_PROBLEM", "")
            pytest.fail(INSTALL_HINT.replace("was skipped", "cannot run") + (f" .ci/run: {reason}." if reason else "")
                        + " (FUSIONLAB_REQUIRE_BROWSER=0 lets it skip.)")
        pytest.skip(INSTALL_HINT)
    built_book = request.getfixturevalue("built_book")
    assert built_book["returncode"] == 0, "the book did not build; see test_book.py\n" + built_book["log"]
    html = built_book["html"]
    shutil.rmtree(REPORT_DIR, ignore_errors=True)
    REPORT_DIR.mkdir(parents=True)
    report = REPORT_DIR / "report.json"
    command = [sys.executable, "-m", "tools.browser_check", str(html), "--report", str(report),
               "--screenshots", str(REPORT_DIR / "screenshots"), "--shot-height", str(SHOT_HEIGHT), "--shoot", *SCREENSHOTS]
    isolated = _unshare_works()
    if isolated:  # a fresh network namespace: loopback only (brought up), no route anywhere
        command = ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh", *command]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    data = json.loads(report.read_text())
    data["isolated_by_unshare"] = isolated
    data["html"] = html
    return data


def test_the_browser_had_no_network(browser_report):
    network = browser_report["network"]
    if browser_report["isolated_by_unshare"]:
        assert network["offline"], f"inside unshare -n the network was reachable: {network['probes']}"
    # with or without the namespace, Chromium resolved no host and every non-file request was aborted
    attempted = [p for page in browser_report["pages"].values() for p in page["problems"] if p.startswith("network request")]
    assert not attempted, attempted


def test_every_page_of_the_book_was_opened(browser_report):
    expected = {p.relative_to(browser_report["html"]).as_posix() for p in pages_of(browser_report["html"])}
    assert set(browser_report["pages"]) == expected
    for page in ("index.html", "book/faq.html", "book/glossary.html", "book/notation.html", "book/instructors.html"):
        assert page in expected, f"{page} is not in the book"
    notebooks = {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= expected


def test_every_page_renders_offline_without_problems(browser_report):
    problems = {name: page["problems"] for name, page in browser_report["pages"].items() if page["problems"]}
    listing = "\n".join(f"{name}:\n  " + "\n  ".join(items[:8]) for name, items in problems.items())
    assert not problems, f"{sum(map(len, problems.values()))} problems on {len(problems)} pages:\n{listing}"


def test_the_checks_saw_equations_images_and_links(browser_report):
    """Guard against a check that passes because it looked at nothing."""
    pages = browser_report["pages"]
    assert pages["notebooks/03_1_gradient_descent_backprop.html"]["equations"] >= 5
    assert sum(page["images"] for page in pages.values()) >= 20
    assert all(page["links"] > 10 for page in pages.values())


def test_each_chapter_offers_its_notebook_for_download(browser_report):
    import nbformat

    html = browser_report["html"]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = browser_report["pages"][f"notebooks/{notebook.stem}.html"]
        assert any(link.split("?")[0].endswith(f"_sources/notebooks/{notebook.name}") for link in page["downloads"]), (
            f"{notebook.stem}.html has no .ipynb download button: {page['downloads']}")
        downloaded = nbformat.read(str(html / "_sources" / "notebooks" / notebook.name), as_version=4)
        original = nbformat.read(str(notebook), as_version=4)
        assert [c.source for c in downloaded.cells] == [c.source for c in original.cells]


def test_screenshots_were_taken(browser_report):
    shots = REPORT_DIR / "screenshots"
    for page in SCREENSHOTS:
        png = shots / (page.replace("/", "__").removesuffix(".html") + ".png")
        assert png.is_file() and png.stat().st_size > 20_000, f"no usable screenshot of {page}"
