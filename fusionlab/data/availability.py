"""When is a dataset *available*? One definition, used by the loaders, ``python -m fusionlab.data``,
the benchmarks and ``python3 tasks.py test --real-data``: the cache holds a complete extracted
folder (every member the registry requires) or the archive with its registered size and MD5.

Also where a dataset's bytes came from (:func:`provenance`), for the results files of
:mod:`fusionlab.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .registry import (
    DATA_VARIABLE,
    DatasetUnavailable,
    _complete_folder,
    _download_command,
    _problem,
    data_home,
    extracted,
    get_entry,
)

__all__ = ["Availability", "availability", "content_sha256", "is_available", "is_cached", "provenance", "require_available"]


@dataclass(frozen=True)
class Availability:
    """Whether a registered dataset can be loaded from the cache without downloading, and why.

    The one definition used everywhere (loaders, ``python -m fusionlab.data list``, the
    benchmarks, ``python3 tasks.py test --real-data``): a dataset is *available* when the
    cache holds a complete extracted folder (every member of ``RemoteFile.required``) or the
    archive with its registered size and MD5 (the loaders then extract it on first use).

    Attributes
    ----------
    name : str
        Registry key.
    available : bool
    folder : Path or None
        The complete extracted folder, when there is one.
    archive : Path or None
        The archive file, when it is in the cache (verified or not, see ``archive_problem``).
    archive_problem : str or None
        What is wrong with the archive (size or MD5), or None when it is absent or valid.
        Only checked when ``verify`` was true.
    reason : str
        One sentence for people: what was found, or what is missing and the command to run.
    """

    name: str
    available: bool
    folder: Path | None
    archive: Path | None
    archive_problem: str | None
    reason: str

    @property
    def download_command(self) -> str:
        return _download_command(self.name)


def availability(name: str, *, verify: bool = True) -> Availability:
    """Whether the dataset ``name`` is available in the cache: a complete extracted folder, or
    a verified archive.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.
    verify : bool, default=True
        Check an archive's size and MD5 when it is what makes the dataset available, or when
        it sits next to a complete folder. ``False`` only looks at the file names (fast).

    Returns
    -------
    Availability
    """
    entry = get_entry(name)
    folder = _complete_folder(entry)
    archive = data_home() / entry.filename
    archive = archive if archive.is_file() else None
    problem = _problem(entry, archive) if archive is not None and verify else None
    if folder is not None:
        reason = f"complete extracted folder {folder}"
        if archive is not None:
            reason += " (archive invalid: " + problem + ")" if problem else " and its archive" + (" (MD5 verified)" if verify else "")
        return Availability(name, True, folder, archive, problem, reason)
    if archive is not None and problem is None:
        checked = "verified archive" if verify else "archive (not verified)"
        return Availability(name, True, None, archive, None, f"{checked} {archive}")
    partial = data_home() / entry.extract_to
    found = []
    if partial.is_dir():
        missing = [member for member in entry.required if not (partial / member).is_file()]
        found.append(f"the folder {partial} lacks {missing}")
    if archive is not None:
        found.append(f"the archive {archive} is not valid: {problem}")
    what = "; ".join(found) if found else f"neither {data_home() / entry.extract_to} nor {data_home() / entry.filename} exists"
    reason = (
        f"{entry.name} is not available in the cache {data_home()}: {what}. "
        f"Run `{_download_command(entry.name)}` (or set {DATA_VARIABLE} to a cache that has it)."
    )
    return Availability(name, False, None, archive, problem, reason)


def is_available(name: str, *, verify: bool = True) -> bool:
    """Whether ``name`` loads from the cache without downloading (see :func:`availability`)."""
    return availability(name, verify=verify).available


def is_cached(name: str) -> bool:
    """Same as :func:`is_available` with ``verify=False`` (kept for existing callers)."""
    return is_available(name, verify=False)


def require_available(names) -> list[Availability]:
    """Raise :class:`DatasetUnavailable` naming every missing dataset and its download command.

    Parameters
    ----------
    names : iterable of str
        Registry keys.

    Returns
    -------
    list of Availability
        One per name, all available.
    """
    found = [availability(name) for name in names]
    missing = [entry for entry in found if not entry.available]
    if missing:
        commands = "\n".join(f"    python -m fusionlab.data download {entry.name}" for entry in missing)
        raise DatasetUnavailable(
            "These datasets are not available in the cache:\n"
            + "\n".join(f"  - {entry.reason}" for entry in missing)
            + f"\nFetch them once, on a machine with a network, with:\n{commands}"
        )
    return found


def content_sha256(files) -> str:
    """``"sha256:<hex>"`` over ``files``, pairs ``(name, path)`` in order, each hashed as its name, a
    NUL byte, its length in bytes, a NUL byte and its bytes: the identity of the files a run read
    (:func:`provenance`, and the generated data of a benchmark)."""
    import hashlib

    digest = hashlib.sha256()
    for name, path in files:
        path = Path(path)
        digest.update(str(name).encode() + b"\0" + str(path.stat().st_size).encode() + b"\0")
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def provenance(name: str, *, folder=None) -> dict:
    """Where a dataset's bytes came from, for results files.

    ``folder`` (optional) is an extracted folder given explicitly (e.g. on a benchmark's command
    line) instead of the cache's.

    Returns a dict with ``name`` (the registry key), ``stand_in`` (False), ``checksum``
    (``"md5:<hex>"`` of the official archive when it is in the cache and matches the registry,
    else None), ``content_sha256`` (``"sha256:<hex>"`` over the required members, in registry
    order, each as its relative name, a NUL byte, its length and its bytes: the files the
    loaders actually read) and ``note`` (what was used).

    Raises
    ------
    DatasetUnavailable
        The dataset is not available (see :func:`availability`).
    """
    entry = get_entry(name)
    if folder is not None:
        folder = Path(folder)
        missing = [member for member in entry.required if not (folder / member).is_file()]
        if missing:
            raise DatasetUnavailable(f"{entry.name}: the folder {folder} lacks {missing}.")
        state = None
    else:
        state = require_available([name])[0]
        folder = state.folder if state.folder is not None else extracted(name, download=False)
    digest = content_sha256([(member, folder / member) for member in entry.required])
    archive_ok = state is not None and state.archive is not None and state.archive_problem is None  # verified by availability()
    if state is None:
        note = f"read from the folder {folder} given explicitly (not the cache): content_sha256 identifies the files read"
    elif archive_ok:
        note = f"read from the extracted folder of the official archive {entry.filename} (MD5 verified against the registry)"
    elif state.archive is not None:
        note = f"read from the extracted folder {entry.extract_to}/; the archive in the cache does not match the registry"
    else:
        note = (f"read from an extracted folder {entry.extract_to}/ without the official archive: the MD5 cannot be "
                "checked, and content_sha256 identifies the files read")
    return {
        "name": entry.name,
        "stand_in": False,
        "checksum": f"md5:{entry.md5}" if archive_ok else None,
        "content_sha256": digest,
        "note": note,
    }
