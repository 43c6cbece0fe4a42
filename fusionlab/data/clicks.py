"""A synthetic click log: the shape of the data that large-scale learners were built for.

Each row is one ad impression: ``n_fields`` categorical fields (think site, app, device, ad,
hour ...) whose values follow a long tail over ``cardinality`` possible values, and a click
label drawn from a planted logistic model, ``P(click) = sigmoid(bias + sum_f w_f[value_f])``.
The model is linear in the one-hot encoding, so logistic regression on (hashed) one-hot
features is the right model, and the Bayes accuracy is known.

Rows are generated in fixed blocks of :data:`BLOCK_ROWS`, each from its own seed, so the
same ``random_state`` gives the same rows whether the log is made in memory
(:func:`make_click_log`) or written to disk chunk by chunk (:func:`write_click_log`), and
writing never holds more than one block.

Used in chapter 5.1 (notebook ``05_1_data_at_scale``) and ``benchmarks/scale.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validation import check_float, check_int, error_message

#: Rows per generation block (the unit of seeding): a property of the dataset, not of the I/O.
BLOCK_ROWS = 65_536


@dataclass(frozen=True)
class ClickModel:
    """The planted model behind a click log: per-field weight tables and a bias."""

    weights: np.ndarray  # (n_fields, cardinality)
    bias: float
    zipf_exponent: float

    @property
    def n_fields(self) -> int:
        """Categorical fields per row."""
        return self.weights.shape[0]

    def click_probability(self, fields: np.ndarray) -> np.ndarray:
        """``P(click | fields)`` for an int array of shape ``(n_samples, n_fields)``."""
        logits = self.bias + self.weights[np.arange(self.n_fields), fields].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logits))

    @property
    def cardinality(self) -> int:
        """Possible values of each field."""
        return self.weights.shape[1]


def click_model(*, n_fields: int = 8, cardinality: int = 10_000, weight_std: float = 0.6,
                bias: float = -1.0, zipf_exponent: float = 3.0, random_state: int = 0) -> ClickModel:
    """Return the planted model of the click log with these parameters (deterministic).

    Parameters
    ----------
    n_fields : int, default=8
        Categorical fields per row.
    cardinality : int, default=10_000
        Possible values per field. Value ``v`` of a field is drawn as ``floor(cardinality * u**a)``
        with ``u`` uniform and ``a = zipf_exponent``: a few values are very frequent, most are rare.
    weight_std : float, default=0.6
        Standard deviation of each field's per-value weights (the signal strength).
    bias : float, default=-1.0
        Intercept of the logit (``-1`` gives a click rate near 30%).
    zipf_exponent : float, default=3.0
        Tail exponent ``a`` (>= 1); larger means a heavier head.
    random_state : int, default=0
        Seed of the weights; the rows use seeds derived from it.
    """
    n_fields = check_int(n_fields, "n_fields", low=1, high=64)
    cardinality = check_int(cardinality, "cardinality", low=2, high=2**31 - 1)
    weight_std = check_float(weight_std, "weight_std", low=0.0)
    bias = check_float(bias, "bias")
    zipf_exponent = check_float(zipf_exponent, "zipf_exponent", low=1.0)
    random_state = check_int(random_state, "random_state", low=0, fix="Use a non-negative int seed such as 0.")
    rng = np.random.default_rng([random_state, 0])
    weights = rng.normal(0.0, weight_std, size=(n_fields, cardinality))
    return ClickModel(weights=weights, bias=bias, zipf_exponent=zipf_exponent)


def _block(model: ClickModel, index: int, n_rows: int, random_state: int) -> np.ndarray:
    """Rows ``[index * BLOCK_ROWS, index * BLOCK_ROWS + n_rows)``: int32 of shape (n_rows, n_fields + 1)."""
    rng = np.random.default_rng([random_state, 1, index])
    u = rng.random((n_rows, model.n_fields))
    fields = np.minimum((model.cardinality * u**model.zipf_exponent).astype(np.int64), model.cardinality - 1)
    clicks = rng.random(n_rows) < model.click_probability(fields)
    block = np.empty((n_rows, model.n_fields + 1), dtype=np.int32)
    block[:, :-1] = fields
    block[:, -1] = clicks
    return block


def _blocks(n_samples: int, model: ClickModel, random_state: int):
    for index, start in enumerate(range(0, n_samples, BLOCK_ROWS)):
        yield _block(model, index, min(BLOCK_ROWS, n_samples - start), random_state)


def make_click_log(n_samples: int, *, n_fields: int = 8, cardinality: int = 10_000, random_state: int = 0):
    """Make a click log in memory.

    Returns
    -------
    X : ndarray of shape (n_samples, n_fields), int32
        Categorical field values in ``[0, cardinality)``.
    y : ndarray of shape (n_samples,), int32
        1 for a click.
    model : ClickModel
        The planted model (``model.click_probability(X)`` is the true click probability).

    See Also
    --------
    write_click_log : the same rows, written to disk without holding them in memory.
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    model = click_model(n_fields=n_fields, cardinality=cardinality, random_state=random_state)
    table = np.concatenate(list(_blocks(n_samples, model, random_state)))
    return table[:, :-1], table[:, -1].copy(), model


def write_click_log(path, n_samples: int, *, n_fields: int = 8, cardinality: int = 10_000,
                    random_state: int = 0, overwrite: bool = False) -> Path:
    """Write a click log to a ``.npy`` file block by block; memory use does not grow with ``n_samples``.

    The file holds one int32 array of shape ``(n_samples, n_fields + 1)``: the fields, then the
    click label in the last column (``np.load(path, mmap_mode="r")`` opens it). It is written
    to a temporary name and renamed at the end, so an interrupted run never leaves a
    half-written file under ``path``.

    Parameters
    ----------
    path : str or Path
        Destination, ending in ``.npy``.
    n_samples : int
        Rows to write.
    n_fields, cardinality, random_state
        As in :func:`make_click_log` (same arguments, same rows).
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    if path.suffix != ".npy":
        raise ValueError(error_message("path", "a file name ending in .npy", str(path), "Add the .npy suffix."))
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    n_samples = check_int(n_samples, "n_samples", low=1)
    model = click_model(n_fields=n_fields, cardinality=cardinality, random_state=random_state)
    partial = path.with_name(path.name + ".partial")
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.int32)), "fortran_order": False,
              "shape": (n_samples, model.n_fields + 1)}
    try:
        with open(partial, "wb") as file:
            np.lib.format.write_array_header_1_0(file, header)
            for block in _blocks(n_samples, model, random_state):
                file.write(block.tobytes())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
