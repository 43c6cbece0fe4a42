"""Command line for the dataset cache.

    python -m fusionlab.data list             # registered datasets, sizes, whether available
    python -m fusionlab.data download NAME    # fetch, verify and unpack one dataset
    python -m fusionlab.data download all     # ... every dataset (before class)
    python -m fusionlab.data check all        # exit 1, naming the download commands, unless all are available
    python -m fusionlab.data path             # print the cache directory

A dataset is *available* when the cache holds a complete extracted folder or its verified
archive (:func:`fusionlab.data.availability`).
"""

from __future__ import annotations

import argparse
import sys

from .availability import availability, require_available
from .registry import REGISTRY, DATA_VARIABLE, DatasetError, DatasetUnavailable, data_home, extracted


def _list() -> int:
    print(f"Cache: {data_home()}  (set {DATA_VARIABLE} to move it)\n")
    for entry in REGISTRY.values():
        found = availability(entry.name, verify=False)
        state = "available" if found.available else "missing"
        print(f"{entry.name:<16} {entry.size / 1e6:7.1f} MB  {state:<9} {entry.description}")
        print(f"{'':<16} {entry.url}\n{'':<16} md5 {entry.md5}; licence: {entry.licence}")
        detail = found.reason if found.available else f"run `{found.download_command}`"
        print(f"{'':<16} {detail}\n")
    return 0


def _download(names: list[str]) -> int:
    wanted = list(REGISTRY) if names == ["all"] else names
    failed = 0
    for name in wanted:
        try:
            folder = extracted(name, download=True)
        except (DatasetError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"{name}: ready in {folder}")
    return 1 if failed else 0


def _check(names: list[str]) -> int:
    wanted = list(REGISTRY) if names == ["all"] else names
    try:
        found = require_available(wanted)
    except DatasetUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for state in found:
        print(f"{state.name}: available ({state.reason})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fusionlab.data", description="Manage fusionlab's dataset cache.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="show the registered datasets and whether each is available")
    download = commands.add_parser("download", help="fetch, verify and unpack datasets")
    download.add_argument("names", nargs="+", metavar="NAME", help=f"'all' or any of {', '.join(REGISTRY)}")
    check = commands.add_parser("check", help="exit with status 1 unless every named dataset is available")
    check.add_argument("names", nargs="+", metavar="NAME", help=f"'all' or any of {', '.join(REGISTRY)}")
    commands.add_parser("path", help="print the cache directory")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "path":
        print(data_home())
        return 0
    if args.command == "check":
        return _check(args.names)
    return _download(args.names)


if __name__ == "__main__":
    sys.exit(main())
