"""Datasets: a registry of real datasets with checksums and a cache, plus named stand-ins.

Real data (CIFAR-10 binary version, MovieLens-100K) is fetched once, verified, and cached in
``$FUSIONLAB_DATA`` (default: the user's cache directory). Fetch it ahead of class with
``python -m fusionlab.data download all``. Notebooks call :func:`load_image_dataset` and
:func:`load_ratings_dataset`, which never download: they use the cached real data, or print
which stand-in they use and why.
"""

from __future__ import annotations

from .clicks import ClickModel, click_model, make_click_log, write_click_log
from .images import ImageDataset, load_cifar10, load_digits_images, load_image_dataset, read_cifar10_batch, resize_images
from .ratings import (
    Ratings,
    SyntheticRatings,
    load_movielens_100k,
    load_movielens_100k_folds,
    load_ratings_dataset,
    make_synthetic_ratings,
)
from .tabular import make_linear_regression
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
    is_cached,
)

__all__ = [
    "ClickModel", "click_model", "make_click_log", "write_click_log",
    "REGISTRY", "CacheNotWritable", "DatasetCorrupt", "DatasetError", "DatasetUnavailable",
    "ImageDataset", "Ratings", "RemoteFile", "SyntheticRatings", "data_home", "extracted", "fetch",
    "is_cached", "load_cifar10", "load_digits_images", "load_image_dataset", "load_movielens_100k",
    "load_movielens_100k_folds", "load_ratings_dataset", "make_linear_regression", "make_synthetic_ratings",
    "read_cifar10_batch", "resize_images",
]
