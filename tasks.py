"""The course's two commands, for a fresh machine with Python 3.11+ and nothing else.

    python3 tasks.py book               # set up .venv, build the HTML book (executes every notebook)
    python3 tasks.py test               # set up .venv, run every test (unit tests + notebooks via nbval)
    python3 tasks.py test --real-data   # every notebook (and the real-data tests) on your cached datasets
    python3 tasks.py student            # student copies of the notebooks, solutions removed, and a zip

Each command creates the virtual environment ``.venv`` next to this file on first use and
reuses it afterwards; it reinstalls only when ``pyproject.toml`` changes. Extra arguments
after ``test`` go to pytest (``python3 tasks.py test -k data``).

``test`` is hermetic: it runs offline against an empty, temporary dataset cache, so the
notebooks use their named stand-ins whatever your cache holds. ``test --real-data`` runs every
notebook offline against your cache (``$FUSIONLAB_DATA``, or the default shown by
``python -m fusionlab.data path``) with stand-ins forbidden; it stops before running anything,
printing the download commands, when CIFAR-10 or MovieLens-100K is not available there.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("FUSIONLAB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".fusionlab-installed"


def _requirements_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create ``.venv`` and install the package with its book and test extras, once."""
    if sys.version_info < (3, 11):
        sys.exit(f"fusionlab needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = _requirements_digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("Installing fusionlab and its dependencies (about 2 minutes, once) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--quiet", "-e", f"{ROOT}[book,test]"], check=True)
    STAMP.write_text(digest)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def book(args: list[str]) -> int:
    ensure_venv()
    command = [str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going", *args]
    code = subprocess.run(command, cwd=ROOT, env=_environment()).returncode
    if code == 0:
        print(f"\nThe book is at {ROOT / '_build' / 'html' / 'index.html'}")
    return code


def test(args: list[str]) -> int:
    ensure_venv()
    env = _environment()
    if "--real-data" in args:  # check up front, so a missing dataset costs seconds, not a test run
        check = [str(PYTHON), "-m", "fusionlab.data", "check", "all"]
        if subprocess.run(check, cwd=ROOT, env=env).returncode != 0:
            print("\nThe real-data tests need both datasets in the cache (see above); nothing was run.", file=sys.stderr)
            return 1
    command = [str(PYTHON), "-m", "pytest", "--nbval-lax", *args]  # testpaths: tests, notebooks
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    sys.path.insert(0, str(ROOT))
    from tools.browser_check import find_chromium

    if find_chromium() is None and "--real-data" not in args:
        print("\nNOTE: the browser test (tests/test_browser.py) was skipped because Chromium is not installed.\n"
              "      Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) and run the tests again.",
              file=sys.stderr)
    return code


def student(args: list[str]) -> int:
    """Write ``_build/student/notebooks/*.ipynb`` without exercise solutions, and a zip of them."""
    if args:
        print(f"student takes no arguments; got {args}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from tools.student import ZIP_NAME, write_student_copies

    out_dir = ROOT / "_build" / "student"
    written = write_student_copies(sorted((ROOT / "notebooks").glob("*.ipynb")), out_dir)
    print(f"{len(written)} student notebooks in {out_dir / 'notebooks'}, zipped as {out_dir / ZIP_NAME}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"book": book, "test": test, "student": student}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
