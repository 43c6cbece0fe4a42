"""Test-wide settings: no network, no display, quiet TensorFlow.

These are set before any test or notebook kernel starts; nbval kernels inherit them.
"""

from __future__ import annotations

import os

os.environ["FUSIONLAB_OFFLINE"] = "1"  # any attempt to download raises DatasetUnavailable
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")
