"""Full-size results: the JSON files benchmarks write and chapters read.

A benchmark (``benchmarks/*.py``) runs a full-size experiment and writes one file,
``book/results/NAME.json``, which is committed. A chapter loads it with :func:`load_results`,
shows it in a "full-size results" table (:func:`markdown_table`, :func:`source_line`) and
quotes single numbers with :func:`glue_results`, so that every published figure is one that
a run produced. The file records how to reproduce it::

    {
      "schema": 1,
      "name": "recsys_movielens",                       # = the file's stem
      "command": "python benchmarks/recsys.py movielens",
      "date": "2026-12-01T10:00:00Z",                   # ISO 8601, UTC
      "cpu_count": 2,
      "platform": "Linux-6.8-x86_64-with-glibc2.39",
      "packages": {"numpy": "2.4.6", "scikit-learn": "1.9.1", ...},
      "dataset": {"name": "movielens-100k", "stand_in": false,
                  "checksum": "md5:..." or null,         # the official archive's, when it was present
                  "content_sha256": "sha256:..." or null, # the files actually read
                  "note": "what was used"},
      "figures": {...}                                  # nested dicts and lists of numbers
    }

:func:`validate_results` checks all of this and names the first problem it finds.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shlex
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from numbers import Real
from pathlib import Path

from ._validation import error_message

__all__ = [
    "SCHEMA_VERSION", "KEYS", "DATASET_KEYS", "default_directory", "dataset_record", "figure", "glue_results",
    "iter_numbers", "load_results", "make_results", "markdown_table", "package_versions", "source_line",
    "stand_in_record", "validate_results", "write_results",
]

SCHEMA_VERSION = 1
#: The top-level keys of every results file, in the order they are written.
KEYS = ("schema", "name", "command", "date", "cpu_count", "platform", "packages", "dataset", "figures")
#: The keys of its ``dataset`` record.
DATASET_KEYS = ("name", "stand_in", "checksum", "content_sha256", "note")
#: Packages whose versions every file records (more can be added per benchmark).
CORE_PACKAGES = ("numpy", "scipy", "scikit-learn", "tensorflow", "keras")
RESULTS_VARIABLE = "FUSIONLAB_RESULTS"

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_MD5 = re.compile(r"^md5:[0-9a-f]{32}$")
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")


def default_directory() -> Path:
    """``$FUSIONLAB_RESULTS`` when set, else ``book/results`` of the checkout fusionlab runs from."""
    configured = os.environ.get(RESULTS_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1] / "book" / "results"


def package_versions(extra=()) -> dict:
    """Installed versions of numpy, scipy, scikit-learn, tensorflow, keras and ``extra`` (without
    importing them); a package that is not installed is recorded as ``"not installed"``.
    TensorFlow counts under its CPU-only distribution, ``tensorflow-cpu``, too."""
    versions = {}
    for name in (*CORE_PACKAGES, *extra):
        for distribution in (name, f"{name}-cpu") if name == "tensorflow" else (name,):
            try:
                versions[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def dataset_record(name: str, folder=None) -> dict:
    """The ``dataset`` record of a run on the real dataset ``name`` (a registry key), read from
    the cache or from ``folder``.

    See :func:`fusionlab.data.provenance`; raises ``DatasetUnavailable`` when it is not available.
    """
    from .data import provenance

    return provenance(name, folder=folder)


def stand_in_record(name: str, note: str) -> dict:
    """The ``dataset`` record of a run on a stand-in: no checksum, and a note saying which."""
    return {"name": name, "stand_in": True, "checksum": None, "content_sha256": None, "note": note}


def run_dataset_record(registry_name: str, stand_in=None) -> dict:
    """The ``dataset`` record of a benchmark run: the real dataset's, or the stand-in's it used.

    Parameters
    ----------
    registry_name : str
        The real dataset (a registry key, ``"cifar10"``): its provenance, :func:`dataset_record`.
    stand_in : dataset or None, default=None
        The :mod:`fusionlab.data` dataset the run used instead, if any: a stand-in record whose
        note is its ``describe()``.
    """
    if stand_in is not None:
        return stand_in_record(stand_in.name, f"{stand_in.describe()}; a stand-in, not {registry_name}")
    return dataset_record(registry_name)


def benchmark_command(script: str, argv=None) -> str:
    """How to rerun a benchmark: ``python benchmarks/SCRIPT`` and its arguments, shell-quoted.

    ``argv`` is what the benchmark's ``main`` received (``None``: ``sys.argv[1:]``).
    """
    arguments = sys.argv[1:] if argv is None else argv
    return " ".join(["python", f"benchmarks/{script}", *(shlex.quote(str(a)) for a in arguments)])


def make_results(name: str, figures: dict, *, command: str, dataset: dict, date: datetime | None = None,
                 extra_packages=()) -> dict:
    """Assemble (and validate) one results record.

    Parameters
    ----------
    name : str
        Lower-case identifier, the file's stem (``"cnn_cifar10"``).
    figures : dict
        The numbers, as nested dicts and lists (str, bool and None leaves are allowed for labels).
    command : str
        How to rerun the benchmark, from the repository root.
    dataset : dict
        From :func:`dataset_record` or :func:`stand_in_record`.
    date : datetime or None, default=None
        When the run finished (default: now), stored in UTC.
    extra_packages : iterable of str, default=()
        More distributions whose versions matter.
    """
    moment = (date or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    record = {
        "schema": SCHEMA_VERSION,
        "name": name,
        "command": command,
        "date": moment.isoformat().replace("+00:00", "Z"),
        "cpu_count": os.cpu_count() or 1,
        "platform": platform.platform(),
        "packages": package_versions(extra_packages),
        "dataset": dict(dataset),
        "figures": figures,
    }
    return validate_results(record)


def _fail(where: str, expected: str, got, fix: str | None = None):
    raise ValueError(error_message(where, expected, got, fix))


def _check_leaves(value, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                _fail(f"{where} key", "a non-empty str", key)
            _check_leaves(item, f"{where}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _check_leaves(item, f"{where}[{position}]")
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, Real):
        if not math.isfinite(float(value)):
            _fail(where, "a finite number", value, "Record a failed measurement as null, with a note.")
    else:
        _fail(where, "a number, str, bool, null, list or dict (JSON)", type(value).__name__)


def validate_results(record, *, name: str | None = None) -> dict:
    """Check a results record against the schema; return it, or raise ``ValueError``.

    Parameters
    ----------
    record : dict
    name : str or None, default=None
        When given, ``record["name"]`` must equal it (the file's stem).
    """
    if not isinstance(record, dict):
        raise TypeError(error_message("record", "a dict (a parsed results file)", type(record).__name__))
    keys = tuple(record)
    if set(keys) != set(KEYS):
        missing, extra = sorted(set(KEYS) - set(keys)), sorted(set(keys) - set(KEYS))
        _fail("record keys", f"exactly {list(KEYS)}", keys, f"Missing {missing}, unexpected {extra}.")
    if record["schema"] != SCHEMA_VERSION or isinstance(record["schema"], bool):
        _fail("schema", f"{SCHEMA_VERSION}", record["schema"], "Rerun the benchmark with this version of fusionlab.")
    if not isinstance(record["name"], str) or not _NAME.match(record["name"]):
        _fail("name", "a lower-case identifier such as 'cnn_cifar10'", record["name"])
    if name is not None and record["name"] != name:
        _fail("name", f"{name!r} (the file's stem)", record["name"], "Rename the file or rerun the benchmark.")
    if not isinstance(record["command"], str) or not record["command"].strip():
        _fail("command", "the command that reruns the benchmark", record["command"])
    date = record["date"]
    try:
        parsed = datetime.fromisoformat(date.replace("Z", "+00:00")) if isinstance(date, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None or parsed.utcoffset().total_seconds() != 0:
        _fail("date", "an ISO 8601 date and time in UTC, e.g. '2026-12-01T10:00:00Z'", date)
    cpu_count = record["cpu_count"]
    if not isinstance(cpu_count, int) or isinstance(cpu_count, bool) or cpu_count < 1:
        _fail("cpu_count", "a positive int", cpu_count)
    if not isinstance(record["platform"], str) or not record["platform"]:
        _fail("platform", "a non-empty str (platform.platform())", record["platform"])
    packages = record["packages"]
    if not isinstance(packages, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in packages.items()):
        _fail("packages", "a dict of distribution name -> version str", packages)
    missing = [package for package in ("numpy", "scikit-learn") if package not in packages]
    if missing:
        _fail("packages", f"versions of at least numpy and scikit-learn", sorted(packages), f"Missing {missing}.")
    dataset = record["dataset"]
    if not isinstance(dataset, dict) or set(dataset) != set(DATASET_KEYS):
        got = sorted(dataset) if isinstance(dataset, dict) else type(dataset).__name__
        _fail("dataset", f"a dict with exactly the keys {list(DATASET_KEYS)}", got)
    if not isinstance(dataset["name"], str) or not dataset["name"]:
        _fail("dataset.name", "a non-empty str", dataset["name"])
    if not isinstance(dataset["stand_in"], bool):
        _fail("dataset.stand_in", "true or false", dataset["stand_in"])
    if not isinstance(dataset["note"], str) or not dataset["note"].strip():
        _fail("dataset.note", "a sentence saying what data was used", dataset["note"])
    if dataset["checksum"] is not None and not (isinstance(dataset["checksum"], str) and _MD5.match(dataset["checksum"])):
        _fail("dataset.checksum", "null or 'md5:' followed by 32 lower-case hex digits", dataset["checksum"])
    if dataset["content_sha256"] is not None and not (isinstance(dataset["content_sha256"], str) and _SHA256.match(dataset["content_sha256"])):
        _fail("dataset.content_sha256", "null or 'sha256:' followed by 64 lower-case hex digits", dataset["content_sha256"])
    if dataset["stand_in"] and (dataset["checksum"] or dataset["content_sha256"]):
        _fail("dataset", "no checksum for a stand-in", dataset, "A stand-in is generated, not read from a file.")
    if not dataset["stand_in"] and not (dataset["checksum"] or dataset["content_sha256"]):
        _fail("dataset", "a checksum or content_sha256 for real data", dataset, "Build it with fusionlab.results.dataset_record(name).")
    if not isinstance(record["figures"], dict) or not record["figures"]:
        _fail("figures", "a non-empty dict of the numbers measured", record["figures"])
    _check_leaves(record["figures"], "figures")
    return record


def write_results(record: dict, directory=None) -> Path:
    """Validate ``record`` and write it to ``DIRECTORY/NAME.json`` atomically; return the path.

    ``directory`` defaults to :func:`default_directory` (``book/results``). The file is written
    next to its final place and renamed, so an interrupted run never leaves half a file.
    """
    validate_results(record)
    folder = Path(directory) if directory is not None else default_directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['name']}.json"
    handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{record['name']}.", suffix=".part")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(record, stream, indent=2)
            stream.write("\n")
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
    return path


def load_results(name: str, directory=None) -> dict:
    """Read and validate ``DIRECTORY/NAME.json`` (``directory`` defaults to ``book/results``).

    Raises
    ------
    FileNotFoundError
        No such file; the message gives the benchmark command that writes it.
    ValueError
        The file does not follow the schema.
    """
    folder = Path(directory) if directory is not None else default_directory()
    path = folder / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"No results file {path}. Run the benchmark that writes it (README.md, section "
                                f"Benchmarks), or set {RESULTS_VARIABLE} to the folder that holds it.")
    return validate_results(json.loads(path.read_text()), name=name)


def figure(record: dict, *path):
    """The value at ``record["figures"][path[0]][path[1]]...``; a ``KeyError`` names the missing step."""
    value = record["figures"]
    for depth, key in enumerate(path):
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            walked = "/".join(map(str, path[:depth])) or "(top)"
            raise KeyError(f"{record['name']}.json has no figures/{'/'.join(map(str, path))}: nothing at {key!r} under {walked}. "
                           "Rerun the benchmark or fix the path.") from None
    return value


def iter_numbers(value, prefix=()):
    """Yield ``(path, number)`` for every number in a nested figures structure."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_numbers(item, (*prefix, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from iter_numbers(item, (*prefix, position))
    elif isinstance(value, Real) and not isinstance(value, bool):
        yield prefix, value


def glue_results(record: dict, quotes: dict) -> dict:
    """Glue each ``name: path`` of ``quotes`` (a tuple of keys into the figures) for the prose.

    Every number a chapter's prose quotes from a results file goes through here, with a literal
    ``quotes`` dict, so that ``tests/test_results.py`` can check that each path exists in the
    committed file. Returns ``{name: value}``. The value must be a number.
    """
    from myst_nb import glue

    values = {}
    for glue_name, path in quotes.items():
        value = figure(record, *path)
        if not isinstance(value, Real) or isinstance(value, bool):
            raise TypeError(error_message(f"figures/{'/'.join(map(str, path))}", "a number", value))
        values[glue_name] = value
        glue(glue_name, value, display=False)
    return values


def source_line(record: dict) -> str:
    """One sentence saying where a results file's numbers came from: command, date, CPUs, data."""
    dataset = record["dataset"]
    if dataset["stand_in"]:
        data = f"the stand-in {dataset['name']} ({dataset['note']})"
    else:
        digest = dataset["checksum"] or dataset["content_sha256"]
        data = f"{dataset['name']} ({digest[:19]}...)"
    return (f"Measured by `{record['command']}` on {record['date'][:10]} with {record['cpu_count']} CPUs "
            f"(fusionlab results file `book/results/{record['name']}.json`), on {data}.")


def markdown_table(rows: list, columns: dict, *, label: str = "model") -> str:
    """A Markdown table: one row per ``(label, values)``; ``columns`` maps header -> (key, format).

    A missing value or None prints as an en dash.
    """
    header = [label, *columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(columns)) + "|"]
    for row_label, values in rows:
        cells = [str(row_label)]
        for key, fmt in columns.values():
            value = values.get(key) if isinstance(values, dict) else None
            cells.append("–" if value is None else format(value, fmt))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
