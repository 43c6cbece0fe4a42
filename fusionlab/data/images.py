"""Image datasets: CIFAR-10 (binary version, read with NumPy) and scikit-learn's digits.

Both come back as an :class:`ImageDataset` of ``uint8`` images shaped
``(n_samples, height, width, channels)``, so one pipeline (divide by 255) serves both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .._validation import check_choice, check_float, check_int, check_random_state, error_message
from .registry import DatasetCorrupt, extracted, real_or_stand_in

CIFAR10_RECORD_BYTES = 1 + 32 * 32 * 3  # 1 label byte, then 1,024 red, 1,024 green, 1,024 blue


@dataclass(frozen=True)
class ImageDataset:
    """Images and labels, already split into training and test sets.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, height, width, channels), dtype uint8
    y_train : ndarray of shape (n_train,), dtype int64
    X_test : ndarray of shape (n_test, height, width, channels), dtype uint8
    y_test : ndarray of shape (n_test,), dtype int64
    class_names : list of str
    name : str
        What the data is, e.g. ``"CIFAR-10"`` or ``"digits (stand-in for CIFAR-10)"``.
    is_stand_in : bool
        True when a stand-in replaced the dataset that was asked for.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    name: str
    is_stand_in: bool = False

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.X_train.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def subset(self, n_train: int | None = None, n_test: int | None = None, *, random_state=0) -> "ImageDataset":
        """A random subset of each split (classroom-size runs), drawn without replacement."""
        rng = check_random_state(random_state)
        arrays = {}
        for split, n_wanted in (("train", n_train), ("test", n_test)):
            X, y = getattr(self, f"X_{split}"), getattr(self, f"y_{split}")
            if n_wanted is not None:
                n_wanted = check_int(n_wanted, f"n_{split}", low=1, high=len(y), fix=f"The {split} split has {len(y)} images.")
                keep = np.sort(rng.choice(len(y), size=n_wanted, replace=False))
                X, y = X[keep], y[keep]
            arrays[f"X_{split}"], arrays[f"y_{split}"] = X, y
        return replace(self, **arrays)

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.y_train):,} training and {len(self.y_test):,} test images "
            f"of shape {self.image_shape}, {self.n_classes} classes"
        )


def read_cifar10_batch(path) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 binary batch file.

    Returns
    -------
    images : ndarray of shape (n, 32, 32, 3), dtype uint8
    labels : ndarray of shape (n,), dtype int64
    """
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % CIFAR10_RECORD_BYTES:
        raise DatasetCorrupt(
            f"cifar10: {path} has {raw.size:,} bytes, not a whole number of {CIFAR10_RECORD_BYTES}-byte records. "
            "Delete the cache's cifar-10-batches-bin folder and run `python -m fusionlab.data download cifar10`."
        )
    records = raw.reshape(-1, CIFAR10_RECORD_BYTES)  # (n, 3073)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DatasetCorrupt(f"cifar10: {path} has label {labels.max()}; CIFAR-10 labels are 0-9.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (n, 32, 32, 3)
    return np.ascontiguousarray(images), labels


def load_cifar10(*, download: bool | None = None) -> ImageDataset:
    """Load CIFAR-10 from its binary version (no pickle), downloading it once if allowed.

    Parameters
    ----------
    download : bool or None, default=None
        See :func:`fusionlab.data.fetch`.

    Returns
    -------
    ImageDataset
        50,000 training and 10,000 test images of shape (32, 32, 3).

    Raises
    ------
    DatasetUnavailable, DatasetCorrupt, CacheNotWritable
    """
    folder = extracted("cifar10", download=download)
    parts = [read_cifar10_batch(folder / f"data_batch_{i}.bin") for i in range(1, 6)]
    X_test, y_test = read_cifar10_batch(folder / "test_batch.bin")
    class_names = [line.strip() for line in (folder / "batches.meta.txt").read_text().splitlines() if line.strip()]
    if len(class_names) != 10:
        raise DatasetCorrupt(f"cifar10: {folder / 'batches.meta.txt'} lists {len(class_names)} class names, not 10.")
    return ImageDataset(
        X_train=np.concatenate([images for images, _ in parts]),
        y_train=np.concatenate([labels for _, labels in parts]),
        X_test=X_test,
        y_test=y_test,
        class_names=class_names,
        name="CIFAR-10",
    )


def load_digits_images(*, test_size: float = 0.25, random_state=0) -> ImageDataset:
    """scikit-learn's bundled handwritten digits as 8x8x1 ``uint8`` images (0-16 scaled to 0-255).

    Parameters
    ----------
    test_size : float, default=0.25
        Fraction held out, stratified by class.
    random_state : int, default=0
        Seeds the split.

    See Also
    --------
    sklearn.datasets.load_digits : the source (1,797 images, 10 classes).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_size = check_float(test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., np.newaxis]  # (1797, 8, 8, 1)
    X_train, X_test, y_train, y_test = train_test_split(
        images, digits.target.astype(np.int64), test_size=test_size, stratify=digits.target,
        random_state=check_int(random_state, "random_state", low=0, fix="Pass an int seed such as 0."),
    )
    return ImageDataset(X_train, y_train, X_test, y_test, [str(d) for d in range(10)], name="digits")


def resize_images(images: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Resize ``uint8`` images bilinearly to ``(height, width)`` and repeat grey to ``channels``.

    Parameters
    ----------
    images : ndarray of shape (n, h, w, c), dtype uint8
    shape : tuple (height, width, channels)
        ``channels`` must equal ``c`` or ``c`` must be 1.
    """
    from scipy.ndimage import zoom

    if len(shape) != 3:
        raise ValueError(error_message("shape", "a (height, width, channels) tuple", shape, "E.g. (32, 32, 3)."))
    height, width, channels = (check_int(v, f"shape[{i}]", low=1) for i, v in enumerate(shape))
    n, h, w, c = images.shape
    if channels != c and c != 1:
        raise ValueError(error_message("shape[2]", f"{c} or a multiple of grey (1) channels", channels))
    scaled = zoom(images.astype(np.float32), (1, height / h, width / w, 1), order=1, grid_mode=True, mode="nearest")
    scaled = np.clip(np.round(scaled), 0, 255).astype(np.uint8)  # (n, height, width, c)
    return np.repeat(scaled, channels // c, axis=3) if channels != c else scaled


def load_image_dataset(
    prefer: str = "cifar10",
    *,
    stand_in_shape: tuple[int, int, int] | None = None,
    random_state=0,
    verbose: bool = True,
) -> ImageDataset:
    """The image dataset for a notebook: the real one if cached, else a named stand-in.

    Never downloads. When CIFAR-10 is not cached, prints which stand-in is used, why, and how to
    get CIFAR-10, and returns the digits; nothing is substituted silently.

    Parameters
    ----------
    prefer : {"cifar10", "digits"}, default="cifar10"
    stand_in_shape : tuple (height, width, channels) or None, default=None
        Resize the digits stand-in to this shape (e.g. ``(32, 32, 3)``) so that a model built
        for CIFAR-10 runs unchanged.
    random_state : int, default=0
        Seeds the digits' train/test split.
    verbose : bool, default=True
        Print what is used.
    """
    prefer = check_choice(prefer, "prefer", ["cifar10", "digits"])

    def digits() -> ImageDataset:
        dataset = load_digits_images(random_state=random_state)
        if stand_in_shape is None:
            return dataset
        return replace(
            dataset, X_train=resize_images(dataset.X_train, stand_in_shape), X_test=resize_images(dataset.X_test, stand_in_shape)
        )

    if prefer == "digits":
        dataset = digits()
        if verbose:
            print(f"Using {dataset.describe()}.")
        return dataset
    resized = f", resized to {tuple(stand_in_shape)}" if stand_in_shape is not None else ""
    return real_or_stand_in(
        "CIFAR-10", lambda: load_cifar10(download=False), digits, verbose=verbose,
        description=f"scikit-learn's bundled handwritten digits (1,797 8x8 greyscale images, 10 classes){resized}",
    )
