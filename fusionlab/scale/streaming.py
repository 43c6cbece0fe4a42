"""Out-of-core learning: read a file in chunks, hash the categories, learn with ``partial_fit``.

Three pieces, each small:

- :class:`NpyChunkReader` yields consecutive row blocks of a ``.npy`` file with plain file
  reads (no memory map), so memory holds one chunk at a time whatever the file size.
- :func:`hash_fields` is the hashing trick (Weinberger et al., 2009) for integer categorical
  fields: field ``f`` with value ``v`` goes to column ``|h_f(v)| mod n_features`` with sign
  ``sign(h_f(v))``, where ``h_f`` is MurmurHash3 seeded with ``f``. No vocabulary is stored,
  so unseen values (an unbounded category) cost nothing.
- :func:`partial_fit_stream` and :func:`evaluate_stream` train and score any scikit-learn
  estimator with ``partial_fit`` (e.g. ``SGDClassifier(loss="log_loss")``) chunk by chunk.

:func:`train_click_log` ties them together and is what the memory measurement runs in a
child process (:func:`fusionlab.scale.measure_peak_memory`).

Used in chapter 5.1 (notebook ``05_1_data_at_scale``) and ``benchmarks/scale.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from .._validation import check_array, check_choice, check_int, error_message


class NpyChunkReader:
    """Iterate over the rows of a 2-D ``.npy`` file in chunks, reading only one chunk at a time.

    Parameters
    ----------
    path : str or Path
        A ``.npy`` file holding a C-ordered 2-D array (e.g. from
        :func:`fusionlab.data.write_click_log`).
    chunk_rows : int, default=100_000
        Rows per chunk (the last chunk may be shorter).
    start, stop : int, default=0 and None
        Row range to read, like ``array[start:stop]``; ``stop=None`` reads to the end.

    Attributes
    ----------
    shape : tuple of int
        Shape of the whole array in the file.
    dtype : numpy.dtype

    Notes
    -----
    ``np.load(path, mmap_mode="r")`` would also avoid loading the file, but every page of a
    memory map that has been read counts in the process's resident set until the kernel
    evicts it, so the measured peak memory of a memory-mapped pass grows with the file even
    though the pages are reclaimable cache. Plain reads into a fresh buffer keep the resident
    set at one chunk.

    See Also
    --------
    numpy.load : with ``mmap_mode="r"``, the memory-mapped alternative.
    pyarrow.parquet.ParquetFile.iter_batches : the same idea for Parquet files.
    """

    def __init__(self, path, chunk_rows: int = 100_000, *, start: int = 0, stop: int | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"path must be an existing .npy file; got path={str(self.path)!r}. "
                                    "Write one first, e.g. fusionlab.data.write_click_log(path, n_samples).")
        self.chunk_rows = check_int(chunk_rows, "chunk_rows", low=1, fix="Use e.g. 100_000 rows per chunk.")
        with open(self.path, "rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = read_header(file)
            self._offset = file.tell()
        if len(shape) != 2 or fortran_order or dtype.hasobject:
            raise ValueError(error_message("path", "a C-ordered 2-D numeric .npy array", f"shape {shape}, fortran_order={fortran_order}, dtype {dtype}"))
        self.shape, self.dtype = tuple(shape), dtype
        n_rows = self.shape[0]
        self.start = check_int(start, "start", low=0, high=n_rows)
        self.stop = n_rows if stop is None else check_int(stop, "stop", low=self.start, high=n_rows, fix=f"Use a row index in [{self.start}, {n_rows}] or None.")

    @property
    def n_rows(self) -> int:
        """Rows this reader yields (``stop - start``)."""
        return self.stop - self.start

    def __len__(self) -> int:
        """Number of chunks."""
        return -(-self.n_rows // self.chunk_rows)

    def __iter__(self) -> Iterator[np.ndarray]:
        row_bytes = self.shape[1] * self.dtype.itemsize
        with open(self.path, "rb", buffering=0) as file:
            file.seek(self._offset + self.start * row_bytes)
            for first in range(self.start, self.stop, self.chunk_rows):
                n = min(self.chunk_rows, self.stop - first)
                chunk = np.empty((n, self.shape[1]), dtype=self.dtype)  # (n, n_columns)
                view = memoryview(chunk).cast("B")
                filled = 0
                while filled < view.nbytes:
                    got = file.readinto(view[filled:])
                    if not got:
                        raise EOFError(f"{self.path} ended after {first * row_bytes + filled} data bytes; the file is truncated.")
                    filled += got
                yield chunk


def hash_fields(fields, n_features: int = 2**18, *, alternate_sign: bool = True):
    """Hash integer categorical fields into a sparse signed one-hot matrix (the hashing trick).

    Parameters
    ----------
    fields : array-like of int, shape (n_samples, n_fields)
        Categorical values; column ``f`` is field ``f``. Values must fit in int32.
    n_features : int, default=2**18
        Columns of the output (hash buckets).
    alternate_sign : bool, default=True
        Give each entry the sign of its hash, so that collisions cancel in expectation
        (Weinberger et al., 2009), as scikit-learn's ``FeatureHasher`` does.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features), float64
        One entry (+1 or -1) per field per row. Two fields of one row that collide are stored
        as two entries of the same column; scikit-learn's sparse kernels add them, which is
        what a summed one-hot encoding means.

    See Also
    --------
    sklearn.feature_extraction.FeatureHasher : the same trick for string or (name, value) tokens;
        it uses the same hash (MurmurHash3, ``sklearn.utils.murmurhash3_32``), the same column
        ``|h| mod n_features`` and the same sign rule, keyed by the token's bytes.
    """
    from scipy.sparse import csr_matrix
    from sklearn.utils import murmurhash3_32

    fields = check_array(fields, "fields", ndim=2, dtype=None)
    if fields.dtype.kind not in "iu":
        raise TypeError(error_message("fields", "an integer array", f"dtype {fields.dtype}", "Encode categories as integers first."))
    if fields.size and (fields.min() < np.iinfo(np.int32).min or fields.max() > np.iinfo(np.int32).max):
        raise ValueError(error_message("fields", "values that fit in int32", f"range [{fields.min()}, {fields.max()}]", "Reduce the ids modulo 2**31 first."))
    n_features = check_int(n_features, "n_features", low=1, high=2**31 - 1, fix="Use a power of two such as 2**18.")
    n_samples, n_fields = fields.shape
    hashes = np.empty((n_samples, n_fields), dtype=np.int64)
    for field in range(n_fields):
        hashes[:, field] = murmurhash3_32(np.ascontiguousarray(fields[:, field], dtype=np.int32), seed=field)
    indices = (np.abs(hashes) % n_features).astype(np.int32).ravel()
    data = np.where(hashes >= 0, 1.0, -1.0).ravel() if alternate_sign else np.ones(hashes.size)
    indptr = np.arange(0, n_samples * n_fields + 1, n_fields, dtype=np.int64)
    return csr_matrix((data, indices, indptr), shape=(n_samples, n_features))


def _split_chunk(chunk: np.ndarray, n_features: int):
    return hash_fields(chunk[:, :-1], n_features), chunk[:, -1]


def partial_fit_stream(estimator, chunks: Iterable[np.ndarray], *, n_features: int = 2**18, classes=(0, 1)):
    """Train ``estimator`` with one ``partial_fit`` call per chunk; return it.

    Parameters
    ----------
    estimator : scikit-learn estimator with ``partial_fit``
        E.g. ``SGDClassifier(loss="log_loss")``.
    chunks : iterable of int ndarray of shape (chunk_rows, n_fields + 1)
        Categorical fields, then the label in the last column (a :class:`NpyChunkReader`).
    n_features : int, default=2**18
        Hash buckets (see :func:`hash_fields`).
    classes : sequence, default=(0, 1)
        All labels, as ``partial_fit`` needs them on its first call.

    Returns
    -------
    estimator
        The same object, trained; ``estimator.n_rows_seen_`` counts the rows it saw.
    """
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(error_message("estimator", "an estimator with partial_fit", type(estimator).__name__, "Use e.g. sklearn.linear_model.SGDClassifier."))
    classes = np.asarray(classes)
    n_rows = 0
    for chunk in chunks:
        X, y = _split_chunk(chunk, n_features)
        estimator.partial_fit(X, y, classes=classes)
        n_rows += len(y)
    if n_rows == 0:
        raise ValueError(error_message("chunks", "at least one non-empty chunk", "no rows", "Check the reader's start and stop."))
    estimator.n_rows_seen_ = n_rows
    return estimator


def evaluate_stream(estimator, chunks: Iterable[np.ndarray], *, n_features: int = 2**18) -> dict:
    """Accuracy and log loss of a fitted binary classifier over a stream of chunks.

    Returns
    -------
    scores : dict
        ``{"accuracy": float, "log_loss": float, "n_samples": int}``, equal to scikit-learn's
        ``accuracy_score`` and ``log_loss`` on the concatenated chunks.
    """
    n, correct, loss = 0, 0, 0.0
    eps = np.finfo(np.float64).eps
    for chunk in chunks:
        X, y = _split_chunk(chunk, n_features)
        p = np.clip(estimator.predict_proba(X)[:, 1], eps, 1 - eps)
        correct += int(np.sum((p > 0.5) == (y == 1)))
        loss -= float(np.sum(np.where(y == 1, np.log(p), np.log1p(-p))))
        n += len(y)
    if n == 0:
        raise ValueError(error_message("chunks", "at least one non-empty chunk", "no rows", "Check the reader's start and stop."))
    return {"accuracy": correct / n, "log_loss": loss / n, "n_samples": n}


def make_sgd_classifier(*, alpha: float = 1e-5, random_state: int = 0, **options):
    """The out-of-core learner of chapter 5.1: logistic regression by SGD (``SGDClassifier``).

    ``alpha`` is the L2 penalty; the learning rate follows scikit-learn's ``"optimal"``
    schedule. Extra keyword arguments go to ``SGDClassifier``.
    """
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=alpha, random_state=random_state, **options)


def train_click_log(path, *, mode: str = "stream", n_train: int | None = None, chunk_rows: int = 100_000,
                    n_features: int = 2**18, n_epochs: int = 1, alpha: float = 1e-5, random_state: int = 0) -> dict:
    """Train logistic regression on a click-log file, out of core or in memory, and score it.

    The first ``n_train`` rows train, the rest test (read in chunks in both modes).

    Parameters
    ----------
    path : str or Path
        A ``.npy`` click log from :func:`fusionlab.data.write_click_log`.
    mode : {"stream", "memory"}, default="stream"
        ``"stream"``: ``partial_fit`` chunk by chunk, ``n_epochs`` passes over the file.
        ``"memory"``: load and hash all training rows, then one ``fit`` call with
        ``max_iter=n_epochs`` (the usual in-memory way; its memory grows with the data).
    n_train : int, default=None
        Training rows; ``None`` uses 90% of the file.
    chunk_rows, n_features, alpha, random_state
        Chunk size, hash buckets, L2 penalty and seed.
    n_epochs : int, default=1
        Passes over the training rows.

    Returns
    -------
    result : dict
        ``accuracy``, ``log_loss`` (on the test rows), ``n_train``, ``n_test``, ``fit_time_s``
        and ``rows_per_s`` (training rows per second of fitting, hashing included).
    """
    mode = check_choice(mode, "mode", ("stream", "memory"))
    n_epochs = check_int(n_epochs, "n_epochs", low=1)
    total = NpyChunkReader(path, chunk_rows).n_rows
    n_train = int(0.9 * total) if n_train is None else check_int(n_train, "n_train", low=1, high=total - 1)
    model = make_sgd_classifier(alpha=alpha, random_state=random_state)
    start = time.perf_counter()
    if mode == "stream":
        for _ in range(n_epochs):
            partial_fit_stream(model, NpyChunkReader(path, chunk_rows, stop=n_train), n_features=n_features)
    else:
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        table = np.concatenate(list(NpyChunkReader(path, chunk_rows, stop=n_train)))
        X, y = _split_chunk(table, n_features)
        del table
        model.set_params(max_iter=n_epochs, tol=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs is the point
            model.fit(X, y)
    fit_time_s = time.perf_counter() - start
    scores = evaluate_stream(model, NpyChunkReader(path, chunk_rows, start=n_train), n_features=n_features)
    return {"mode": mode, "accuracy": scores["accuracy"], "log_loss": scores["log_loss"], "n_train": n_train,
            "n_test": scores["n_samples"], "fit_time_s": fit_time_s, "rows_per_s": n_epochs * n_train / fit_time_s}


def peak_memory_by_size(paths, *, modes=("stream",), timeout_s: float = 600.0, **options) -> list[dict]:
    """Train on each click-log file in a fresh child process per mode; report peak memory and scores.

    Returns one dict per (path, mode): ``rows`` (in the file), ``mode``, ``peak_rss_mb``,
    ``baseline_rss_mb`` (after importing NumPy, SciPy and scikit-learn), ``extra_mb`` (the
    difference: the training's own memory), and :func:`train_click_log`'s result.
    Keyword ``options`` go to :func:`train_click_log`.
    """
    from .processes import measure_peak_memory

    rows = []
    for path in paths:
        n_rows = NpyChunkReader(path).n_rows
        for mode in modes:
            measured = measure_peak_memory("fusionlab.scale.streaming:train_click_log", {"path": str(path), "mode": mode, **options},
                                           preload=("scipy.sparse", "sklearn.linear_model", "sklearn.utils"), timeout_s=timeout_s)
            rows.append({"rows": n_rows, "mode": mode, "peak_rss_mb": measured["peak_rss_mb"],
                         "baseline_rss_mb": measured["baseline_rss_mb"],
                         "extra_mb": measured["peak_rss_mb"] - measured["baseline_rss_mb"], **measured["result"]})
    return rows
