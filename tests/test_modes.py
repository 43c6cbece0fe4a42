"""The two test modes: hermetic by default, ``--real-data`` on the user's cache (root conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(command, tmp_path, **extra_env):
    env = {**os.environ, "FUSIONLAB_DATA": str(tmp_path / "empty-cache"), "FUSIONLAB_VENV": sys.prefix, **extra_env}
    env.pop("FUSIONLAB_REQUIRE_REAL_DATA", None)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_default_run_is_hermetic_whatever_the_users_cache_holds():
    from fusionlab.data import data_home

    home = data_home()
    assert home.name.startswith("fusionlab-empty-cache-") and not any(home.iterdir())
    assert os.environ["FUSIONLAB_OFFLINE"] == "1" and "FUSIONLAB_REQUIRE_REAL_DATA" not in os.environ


def test_real_data_mode_stops_with_the_download_commands_before_running_anything(tmp_path):
    result = _run([sys.executable, "tasks.py", "test", "--real-data"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "python -m fusionlab.data download cifar10" in output and "python -m fusionlab.data download movielens-100k" in output
    assert "nothing was run" in output and "passed" not in output


def test_pytest_refuses_real_data_mode_without_the_datasets(tmp_path):
    command = [sys.executable, "-m", "pytest", "--real-data", "-q", "-p", "no:cacheprovider", "tests/test_modes.py"]
    result = _run(command, tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "--real-data: These datasets are not available" in result.stderr
