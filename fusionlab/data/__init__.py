"""Datasets: a registry of real datasets with checksums and a cache, plus named stand-ins.

Real data (CIFAR-10 binary version, MovieLens-100K) is fetched once, verified, and cached in
``$FUSIONLAB_DATA`` (default: the user's cache directory). Fetch it ahead of class with
``python -m fusionlab.data download all``. Notebooks call :func:`load_image_dataset` and
:func:`load_ratings_dataset`, which never download: they use the cached real data, or print
which stand-in they use and why.

A dataset is *available* when the cache holds its verified archive or a complete extracted
folder (:func:`availability`); that one definition serves the loaders, the command line, the
benchmarks and ``python3 tasks.py test --real-data``.

Modules: ``registry`` (entries, cache, verified download, extraction), ``availability``
(available or not, and provenance), ``images``, ``ratings`` (MovieLens-100K), ``synthetic``
(the ratings stand-in), ``tabular``, ``clicks`` (a synthetic click log, written to disk block by
block, for the out-of-core chapter).
"""

from __future__ import annotations

from .clicks import ClickModel, click_model, make_click_log, write_click_log
from .images import ImageDataset, load_cifar10, load_digits_images, load_image_dataset, read_cifar10_batch, resize_images
from .ratings import (
    MOVIELENS_100K_STATISTICS,
    Ratings,
    load_movielens_100k,
    load_movielens_100k_folds,
    load_ratings_dataset,
    rating_statistics,
)
from .synthetic import SyntheticRatings, make_synthetic_ratings
from .tabular import make_linear_regression, make_wave, wave
from .registry import (
    REGISTRY,
    CacheNotWritable,
    DatasetCorrupt,
    DatasetError,
    DatasetUnavailable,
    RemoteFile,
    data_home,
    extracted,
    fetch,
)
from .availability import Availability, availability, is_available, is_cached, provenance, require_available

__all__ = [
    "ClickModel", "click_model", "make_click_log", "write_click_log",
    "MOVIELENS_100K_STATISTICS", "REGISTRY", "Availability", "CacheNotWritable", "DatasetCorrupt", "DatasetError", "DatasetUnavailable",
    "ImageDataset", "Ratings", "RemoteFile", "SyntheticRatings", "availability", "data_home", "extracted", "fetch",
    "is_available", "is_cached", "load_cifar10", "load_digits_images", "load_image_dataset", "load_movielens_100k",
    "load_movielens_100k_folds", "load_ratings_dataset", "make_linear_regression", "make_synthetic_ratings", "make_wave", "wave",
    "provenance", "rating_statistics", "read_cifar10_batch", "require_available", "resize_images",
]
