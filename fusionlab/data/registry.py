"""The dataset registry and its cache: official URL, byte size and checksum for each file.

Files are downloaded (with pooch's downloader and a progress bar) into a temporary file next to
their final place, checked against the registered size and MD5, and only then moved into place;
a lock keeps two processes from fetching the same file at once. Archives are extracted member by
member, each path checked, into a temporary folder that is renamed into place when complete.
Nothing half-written is ever left where the loaders look.

The cache is ``$FUSIONLAB_DATA`` when set, else the user's cache directory
(``pooch.os_cache("fusionlab")``, e.g. ``~/.cache/fusionlab`` on Linux).
``FUSIONLAB_OFFLINE=1`` forbids downloads (the test suite sets it).
``FUSIONLAB_REQUIRE_REAL_DATA=1`` forbids stand-ins: a notebook whose real dataset is not
available fails with the download command instead (``python3 tasks.py test --real-data`` sets it).
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .._validation import error_message

DATA_VARIABLE = "FUSIONLAB_DATA"
OFFLINE_VARIABLE = "FUSIONLAB_OFFLINE"
REQUIRE_REAL_VARIABLE = "FUSIONLAB_REQUIRE_REAL_DATA"


class DatasetError(RuntimeError):
    """Base class of the dataset errors: each message names the dataset, the path and a fix."""


class DatasetUnavailable(DatasetError):
    """The dataset is not in the cache and cannot be downloaded (offline, or the server failed)."""


class DatasetCorrupt(DatasetError):
    """A file's size or checksum, or an archive's content, is not what the registry says."""


class CacheNotWritable(DatasetError):
    """The cache directory cannot be created or written."""


@dataclass(frozen=True)
class RemoteFile:
    """One downloadable dataset file.

    Attributes
    ----------
    name : str
        Registry key, used on the command line (``python -m fusionlab.data download NAME``).
    url : str
        Official address (``https://``; ``file://`` is accepted for local mirrors and tests).
    size : int
        Exact size in bytes.
    md5 : str
        MD5 checksum (hex).
    filename : str
        Name of the file in the cache.
    extract_to : str
        Top-level folder the archive unpacks into (inside the cache).
    required : tuple of str
        Members (relative to ``extract_to``) that must be present after extraction.
    description : str
    licence : str
    """

    name: str
    url: str
    size: int
    md5: str
    filename: str
    extract_to: str
    required: tuple[str, ...]
    description: str
    licence: str


REGISTRY: dict[str, RemoteFile] = {
    "cifar10": RemoteFile(
        name="cifar10",
        url="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
        size=170_052_171,
        md5="c32a1d4ab5d03f1284b67883e8d87530",
        filename="cifar-10-binary.tar.gz",
        extract_to="cifar-10-batches-bin",
        required=(*(f"data_batch_{i}.bin" for i in range(1, 6)), "test_batch.bin", "batches.meta.txt"),
        description="CIFAR-10, binary version: 60,000 32x32 colour images in 10 classes (Krizhevsky 2009)",
        licence="free to use for research and teaching; cite Krizhevsky (2009)",
    ),
    "movielens-100k": RemoteFile(
        name="movielens-100k",
        url="https://files.grouplens.org/datasets/movielens/ml-100k.zip",
        size=4_924_029,
        md5="0e33842e24a9c977be4e0107933c0723",
        filename="ml-100k.zip",
        extract_to="ml-100k",
        required=("u.data", "u.item", "u.genre", "u.user", "u.occupation", *(f"u{k}.{part}" for k in range(1, 6) for part in ("base", "test"))),
        description="MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies (Harper & Konstan 2015)",
        licence="GroupLens research licence: may not be redistributed; download it yourself",
    ),
}


def get_entry(name: str) -> RemoteFile:
    """Return the registry entry for ``name``, or raise a ``ValueError`` listing the choices."""
    if name not in REGISTRY:
        raise ValueError(
            error_message("dataset", f"one of {sorted(REGISTRY)}", name, "Run `python -m fusionlab.data list` to see the registry.")
        )
    return REGISTRY[name]


def data_home() -> Path:
    """The cache directory: ``$FUSIONLAB_DATA`` if set, else the user's cache directory."""
    configured = os.environ.get(DATA_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("fusionlab"))


def real_data_required() -> bool:
    """True when ``FUSIONLAB_REQUIRE_REAL_DATA`` is set to a true value (1, true, yes)."""
    return os.environ.get(REQUIRE_REAL_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def downloads_allowed() -> bool:
    """False when ``FUSIONLAB_OFFLINE`` is set to a true value (1, true, yes)."""
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() not in {"1", "true", "yes"}


def _download_command(name: str) -> str:
    return f"python -m fusionlab.data download {name}"


def _writable_home() -> Path:
    home = data_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        raise CacheNotWritable(
            f"The dataset cache {home} cannot be written ({exc.strerror or exc}). "
            f"Set {DATA_VARIABLE} to a folder you can write, e.g. {DATA_VARIABLE}=$HOME/fusionlab-data."
        ) from exc
    return home


def _md5(path: Path) -> str:
    import pooch

    return pooch.file_hash(str(path), alg="md5")


def _problem(entry: RemoteFile, path: Path) -> str | None:
    """What is wrong with ``path`` against the registry (size, then MD5), or None."""
    stat = path.stat()
    if stat.st_size != entry.size:
        return f"it has {stat.st_size:,} bytes but the registry expects {entry.size:,} (truncated or the wrong file)"
    digest = _md5(path)
    if digest != entry.md5:
        return f"its MD5 is {digest} but the registry expects {entry.md5}"
    return None


def verify(entry: RemoteFile, path: Path) -> None:
    """Raise :class:`DatasetCorrupt` unless ``path`` has the registered size and MD5."""
    problem = _problem(entry, path)
    if problem:
        raise DatasetCorrupt(
            f"{entry.name}: the cached file {path} is not valid: {problem}. "
            f"Delete it and run `{_download_command(entry.name)}`."
        )


def _download_to(url: str, destination: Path) -> None:
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse

        with open(unquote(urlparse(url).path), "rb") as source, open(destination, "wb") as target:
            shutil.copyfileobj(source, target, length=1 << 20)
        return
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=True, timeout=60)
    downloader(url, str(destination), None)


def fetch(name: str, *, download: bool | None = None) -> Path:
    """Return the path of the verified dataset file, downloading it if allowed and needed.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.
    download : bool or None, default=None
        Whether a missing file may be downloaded. ``None`` means yes. ``FUSIONLAB_OFFLINE=1``
        forbids network downloads whatever this says (local ``file://`` mirrors still work).
        Notebooks pass ``False``: they never download.

    Raises
    ------
    ValueError
        Unknown ``name``.
    DatasetUnavailable
        Not cached and downloading is not allowed or failed.
    DatasetCorrupt
        Wrong size or checksum (the bad download is deleted; a bad cached file is reported).
    CacheNotWritable
        The cache directory cannot be written.
    """
    entry = get_entry(name)
    download = True if download is None else bool(download)
    path = data_home() / entry.filename
    if path.exists():
        verify(entry, path)
        return path
    network_blocked = not downloads_allowed() and not entry.url.startswith("file://")
    if not download or network_blocked:
        reason = f"downloads are disabled ({OFFLINE_VARIABLE} is set)" if network_blocked else "this call does not download"
        raise DatasetUnavailable(
            f"{entry.name} is not in the cache ({path}) and {reason}. "
            f"On a machine with a network run `{_download_command(entry.name)}`, "
            f"or copy a cache that has it and point {DATA_VARIABLE} at it."
        )
    home = _writable_home()
    from filelock import FileLock

    (home / ".locks").mkdir(exist_ok=True)
    with FileLock(str(home / ".locks" / f"{entry.filename}.lock")):
        if path.exists():  # another process finished while we waited
            verify(entry, path)
            return path
        handle, partial_name = tempfile.mkstemp(dir=home, prefix=f".{entry.filename}.", suffix=".part")
        os.close(handle)
        partial = Path(partial_name)
        try:
            try:
                _download_to(entry.url, partial)
            except OSError as exc:  # requests' errors derive from OSError (IOError)
                raise DatasetUnavailable(
                    f"{entry.name} could not be downloaded from {entry.url} ({exc}). "
                    f"Check the network and run `{_download_command(entry.name)}` again, "
                    f"or copy a cache that has it and point {DATA_VARIABLE} at it."
                ) from exc
            problem = _problem(entry, partial)
            if problem:
                raise DatasetCorrupt(
                    f"{entry.name}: the download from {entry.url} was rejected and deleted: {problem}. "
                    f"Nothing was added to the cache. Run `{_download_command(entry.name)}` to try again."
                )
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path


def _safe_member_path(name: str, entry: RemoteFile) -> PurePosixPath | None:
    """The member's path below ``entry.extract_to``, or None for members we do not extract."""
    member = PurePosixPath(name)
    if member.is_absolute() or ".." in member.parts or re.match(r"^[A-Za-z]:", name):
        raise DatasetCorrupt(f"{entry.name}: the archive member {name!r} points outside the cache; refusing to extract it.")
    if not member.parts or member.parts[0] != entry.extract_to or len(member.parts) < 2:
        return None
    return PurePosixPath(*member.parts[1:])


def _extract_members(archive: Path, entry: RemoteFile, target: Path) -> None:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                relative = _safe_member_path(info.filename, entry)
                if relative is None or info.is_dir():
                    continue
                destination = target.joinpath(*relative.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(info) as source, open(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink, length=1 << 20)
        return
    with tarfile.open(archive, "r:*") as bundle:
        for member in bundle:
            relative = _safe_member_path(member.name, entry)
            if relative is None or member.isdir():
                continue
            if not member.isfile():
                raise DatasetCorrupt(f"{entry.name}: the archive member {member.name!r} is not a regular file; refusing to extract it.")
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.extractfile(member) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink, length=1 << 20)


def _complete_folder(entry: RemoteFile) -> Path | None:
    folder = data_home() / entry.extract_to
    if folder.is_dir() and all((folder / member).is_file() for member in entry.required):
        return folder
    return None


def extracted(name: str, *, download: bool | None = None) -> Path:
    """Return the folder of the extracted dataset, fetching and extracting it when needed.

    See :func:`fetch` for ``download`` and the errors raised.
    """
    entry = get_entry(name)
    folder = data_home() / entry.extract_to
    if _complete_folder(entry) is not None:
        return folder
    archive = fetch(name, download=download)
    home = _writable_home()
    staging = Path(tempfile.mkdtemp(dir=home, prefix=f".{entry.extract_to}."))
    try:
        try:
            _extract_members(archive, entry, staging)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise DatasetCorrupt(
                f"{entry.name}: the archive {archive} could not be read ({exc}). "
                f"Delete it and run `{_download_command(entry.name)}`."
            ) from exc
        missing = [member for member in entry.required if not (staging / member).is_file()]
        if missing:
            raise DatasetCorrupt(
                f"{entry.name}: the archive {archive} lacks {missing}. Delete it and run `{_download_command(entry.name)}`."
            )
        if folder.exists():  # incomplete folder from elsewhere, or a concurrent extraction
            if all((folder / member).is_file() for member in entry.required):
                return folder
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def real_or_stand_in(real_name: str, load_real, make_stand_in, *, description: str, verbose: bool = True):
    """The real dataset when it loads without downloading, else a named stand-in, announced.

    The one mechanism behind the notebooks' data helpers: nothing is substituted silently.

    Parameters
    ----------
    real_name : str
        The real dataset's name, e.g. ``"CIFAR-10"``.
    load_real : callable
        Loads the real dataset; raises :class:`DatasetUnavailable` when it is not cached.
    make_stand_in : callable
        Builds the stand-in (a dataclass with ``name``, ``is_stand_in`` and ``describe()``).
        Never called when ``FUSIONLAB_REQUIRE_REAL_DATA`` is set: the unavailability is then
        raised as :class:`DatasetUnavailable`.
    description : str
        What the stand-in is, for the printed notice.
    verbose : bool, default=True
        Print which data is used, and why.
    """
    try:
        dataset = load_real()
    except DatasetUnavailable as exc:
        if real_data_required():
            raise DatasetUnavailable(
                f"{real_name} is required ({REQUIRE_REAL_VARIABLE} is set, as in `python3 tasks.py test --real-data`) "
                f"but not available, and stand-ins are off: {exc}"
            ) from exc
        stand_in = make_stand_in()
        dataset = replace(stand_in, name=f"{stand_in.name} (stand-in for {real_name})", is_stand_in=True)
        if verbose:
            print(
                f"{real_name} is not available, so this notebook uses a stand-in: {description}.\n"
                f"Why: {exc}\nIts numbers are not {real_name} numbers. Using {dataset.describe()}."
            )
        return dataset
    if verbose:
        print(f"Using the real dataset. {dataset.describe()}.")
    return dataset
