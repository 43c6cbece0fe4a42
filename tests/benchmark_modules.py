"""Load a script of benchmarks/ as a module, so tests can run its code path on tiny generated data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(stem: str):
    """Import ``benchmarks/{stem}.py`` (not a package) and return the module."""
    spec = importlib.util.spec_from_file_location(stem, BENCHMARKS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exit_without_data(stem: str, argv, tmp_path, monkeypatch, capsys) -> tuple[int, str]:
    """Run ``benchmarks/{stem}.py`` against an empty data cache; return its exit code and stderr."""
    import pytest

    monkeypatch.setenv("FUSIONLAB_DATA", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        load_benchmark(stem).main(list(argv))
    return exit_info.value.code, capsys.readouterr().err
