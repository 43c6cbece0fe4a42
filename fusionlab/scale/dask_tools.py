"""Dask helpers: a cluster that always closes, the click log as a Dask dataframe and array,
and the measurements of chapter 5.1 (speed-up against one worker, and where the time goes).

The same code runs on a laptop and on a real cluster: :func:`dask_client` starts a
``LocalCluster`` of worker *processes* on 127.0.0.1 when ``address`` is ``None``, and connects
to a running scheduler (``"tcp://host:8786"``) otherwise. Everything else takes the client.

Dask, dask-ml and pandas are imported inside the functions, so ``import fusionlab.scale``
stays fast. Used in chapter 5.1 (notebook ``05_1_data_at_scale``) and ``benchmarks/scale.py``.

References: Rocklin (2015) for Dask's design (blocked algorithms, a dynamic task scheduler).
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from pathlib import Path

import numpy as np

from .._validation import check_float, check_int, error_message
from .processes import LOOPBACK, live_children
from .streaming import NpyChunkReader, hash_fields


@contextlib.contextmanager
def dask_client(address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1,
                memory_limit: str | int = "1GiB", timeout_s: float = 60.0):
    """A ``dask.distributed.Client``, closed (with its local cluster) when the block ends.

    Parameters
    ----------
    address : str, default=None
        ``None`` starts a ``LocalCluster`` of ``n_workers`` worker processes bound to
        127.0.0.1, with no dashboard (no other network listener). A scheduler address such as
        ``"tcp://10.0.0.5:8786"`` connects to a running cluster instead (started elsewhere
        with ``dask scheduler`` and ``dask worker tcp://10.0.0.5:8786``); then the other
        parameters are ignored and only the client is closed at the end.
    n_workers : int, default=2
        Worker processes of the local cluster.
    threads_per_worker : int, default=1
        Threads in each worker.
    memory_limit : str or int, default="1GiB"
        Per-worker memory limit of the local cluster (Dask spills to disk above 60% of it,
        pauses at 80% and restarts the worker at 95%).
    timeout_s : float, default=60.0
        Bound on starting and on closing; a cluster that cannot start in time raises instead
        of hanging.

    Yields
    ------
    client : dask.distributed.Client

    Notes
    -----
    On leaving the block the client and the cluster are closed, then any worker process that
    is still alive is killed, so a failing notebook cell or test leaves no process behind.
    """
    from distributed import Client, LocalCluster

    timeout_s = check_float(timeout_s, "timeout_s", low=0.0, low_inclusive=False)
    if address is not None:
        if not isinstance(address, str) or "://" not in address:
            raise ValueError(error_message("address", "a scheduler address such as 'tcp://host:8786'", address, "Or pass None for a local cluster."))
        client = Client(address, timeout=timeout_s)
        try:
            yield client
        finally:
            client.close(timeout=timeout_s)
        return
    n_workers = check_int(n_workers, "n_workers", low=1, high=64)
    threads_per_worker = check_int(threads_per_worker, "threads_per_worker", low=1, high=64)
    before = set(live_children())
    cluster = client = None
    try:
        # dashboard_address=None: no dashboard; the scheduler's health endpoint binds to 127.0.0.1 like everything else
        warnings.filterwarnings("ignore", message="Port 8787 is already in use", category=UserWarning)
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                               host=LOOPBACK, scheduler_port=0, dashboard_address=None, memory_limit=memory_limit,
                               silence_logs=logging.ERROR, timeout=timeout_s, death_timeout=timeout_s)
        client = Client(cluster, timeout=timeout_s)
        client.wait_for_workers(n_workers, timeout=timeout_s)
        yield client
    finally:
        with contextlib.suppress(Exception):
            if client is not None:
                client.close(timeout=timeout_s)
        with contextlib.suppress(Exception):
            if cluster is not None:
                cluster.close(timeout=timeout_s)
        _kill_new_children(before)


def _kill_new_children(before: set[int], grace_s: float = 5.0) -> None:
    """Kill the descendants that appeared since ``before`` and are still alive."""
    import psutil

    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and set(live_children()) - before:
        time.sleep(0.05)
    for pid in set(live_children()) - before:
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).kill()
    survivors = []
    for pid in set(live_children()) - before:
        with contextlib.suppress(psutil.Error):
            survivors.append(psutil.Process(pid))
    psutil.wait_procs(survivors, timeout=grace_s)


def worker_memory_mb(client) -> dict:
    """Resident set (MB) of each worker process right now, keyed by worker address."""

    def rss():
        import psutil

        return psutil.Process().memory_info().rss / 2**20

    return client.run(rss)


# --- the click log as Dask collections ---------------------------------------------------------

def _read_rows(path: str, start: int, stop: int) -> np.ndarray:
    reader = NpyChunkReader(path, chunk_rows=stop - start, start=start, stop=stop)
    return next(iter(reader))


def _read_frame(bounds, path: str, names: list[str]):
    import pandas as pd

    start, stop = bounds
    return pd.DataFrame(_read_rows(path, start, stop), columns=names, index=pd.RangeIndex(start, stop))


def _partitions(n_rows: int, partition_rows: int, start: int = 0) -> list[tuple[int, int]]:
    return [(first, min(first + partition_rows, n_rows)) for first in range(start, n_rows, partition_rows)]


def click_log_frame(path, *, partition_rows: int = 250_000):
    """The click log at ``path`` as a lazy ``dask.dataframe``: each partition is read by a worker.

    Columns ``f0 ... f{n_fields-1}`` (int32 field values) and ``click`` (0/1). No data goes
    through the client: each worker reads its own row range from the file, so the file must
    be visible to every worker (a shared file system on a real cluster).
    """
    import dask.dataframe as dd
    import pandas as pd

    reader = NpyChunkReader(path)
    partition_rows = check_int(partition_rows, "partition_rows", low=1)
    columns = [f"f{i}" for i in range(reader.shape[1] - 1)] + ["click"]
    meta = pd.DataFrame({name: pd.Series([], dtype=reader.dtype) for name in columns})
    return dd.from_map(_read_frame, _partitions(reader.n_rows, partition_rows), path=str(Path(path).resolve()),
                       names=columns, meta=meta, enforce_metadata=False)


def _value_counts(frame):
    """Impressions and clicks per (field, value) in one partition, with ``np.bincount``."""
    import pandas as pd

    clicks = frame["click"].to_numpy()
    parts = []
    for name in frame.columns[:-1]:
        values = frame[name].to_numpy()
        impressions = np.bincount(values)
        present = np.flatnonzero(impressions)
        index = pd.MultiIndex.from_arrays([np.full(len(present), name, dtype=object), present], names=["field", "value"])
        parts.append(pd.DataFrame({"impressions": impressions[present], "clicks": np.bincount(values, weights=clicks)[present]}, index=index))
    return pd.concat(parts)


def _sum_counts(tables):
    import pandas as pd

    tables = pd.concat(tables) if isinstance(tables, list) else tables
    return tables.groupby(level=[0, 1]).sum()


def click_rates(frame) -> "pandas.DataFrame":
    """Impressions, clicks and click rate of every value of every field: the statistics behind
    click-rate features, computed data-parallel.

    Each worker counts the partitions it reads (``np.bincount``, a few MB each); the small
    per-partition tables are then summed pairwise (a tree reduction), so no worker ever
    holds the whole frame.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        From :func:`click_log_frame` (non-negative int fields, then ``click``).

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``(field, value)``; columns ``impressions``, ``clicks``, ``click_rate``.
    """
    meta = _value_counts(frame._meta)
    table = frame.reduction(_value_counts, aggregate=_sum_counts, combine=_sum_counts, meta=meta).compute()
    table["click_rate"] = table["clicks"] / table["impressions"]
    return table.sort_index()


def click_rates_in_memory(table: np.ndarray) -> "pandas.DataFrame":
    """The same statistics as :func:`click_rates` from an in-memory array, with pandas alone (a reference)."""
    import pandas as pd

    frame = pd.DataFrame(table, columns=[f"f{i}" for i in range(table.shape[1] - 1)] + ["click"])
    long = frame.melt(id_vars="click", var_name="field", value_name="value")
    out = long.groupby(["field", "value"])["click"].agg(impressions="count", clicks="sum").astype(float)
    out["click_rate"] = out["clicks"] / out["impressions"]
    return out.sort_index()


def hashed_click_arrays(path, *, partition_rows: int = 250_000, n_features: int = 2**18, start: int = 0, stop: int | None = None):
    """The click log as Dask arrays: ``X`` with sparse hashed blocks, ``y`` the labels.

    Returns
    -------
    X : dask.array of shape (n_rows, n_features)
        Blocks are ``scipy.sparse.csr_matrix`` from :func:`hash_fields`, computed on the workers.
    y : dask.array of shape (n_rows,)
    """
    import dask
    import dask.array as da
    import scipy.sparse

    reader = NpyChunkReader(path, start=start, stop=stop)
    path = str(Path(path).resolve())
    blocks_X, blocks_y = [], []
    for first, last in _partitions(reader.stop, partition_rows, reader.start):
        rows = dask.delayed(_read_rows)(path, first, last)
        hashed = dask.delayed(hash_fields)(rows[:, :-1], n_features)
        meta = scipy.sparse.csr_matrix((0, n_features))
        blocks_X.append(da.from_delayed(hashed, shape=(last - first, n_features), dtype=np.float64, meta=meta))
        blocks_y.append(da.from_delayed(rows[:, -1], shape=(last - first,), dtype=reader.dtype))
    return da.concatenate(blocks_X), da.concatenate(blocks_y)


# --- measurements ------------------------------------------------------------------------------

def task_overhead_s(client, n_tasks: int = 500) -> float:
    """Seconds per task of Dask's scheduling overhead: the time of ``n_tasks`` no-op tasks / n."""
    n_tasks = check_int(n_tasks, "n_tasks", low=10)
    client.gather(client.map(_identity, range(10), pure=False))  # warm the connections
    start = time.perf_counter()
    client.gather(client.map(_identity, range(n_tasks), pure=False))
    return (time.perf_counter() - start) / n_tasks


def _warm_imports():
    import scipy.sparse  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    import fusionlab.scale.search  # noqa: F401


def _identity(value):
    return value


def search_on_cluster(search, X, y, client=None, *, workers=None):
    """Fit a scikit-learn search (``RandomizedSearchCV``, ``HalvingRandomSearchCV`` ...) with its
    candidate fits run as Dask tasks through joblib's Dask backend; return it and the seconds taken.

    ``client`` only documents the dependency: joblib's Dask backend uses the current client.
    ``workers`` (addresses) restricts the tasks to those workers (``None``: any worker).
    """
    import joblib

    if client is None:
        from distributed import get_client

        get_client()  # raises a clear ValueError when no client is running
    restriction = {} if workers is None else {"workers": list(workers)}
    start = time.perf_counter()
    with joblib.parallel_backend("dask", **restriction):
        search.fit(X, y)
    return search, time.perf_counter() - start


def search_workload(X, y, *, n_iter: int = 8, cv: int = 2, random_state: int = 0):
    """``work(client, workers)`` for :func:`speedup_against_one_worker`: a random search over the
    click-log pipeline (:func:`fusionlab.scale.search.click_search_space`) with its fits run as
    Dask tasks on ``workers``. Returns the fitted search's best cross-validated score."""
    from sklearn.model_selection import RandomizedSearchCV

    from .search import click_search_space

    def work(client, workers=None):
        pipeline, space = click_search_space()
        search = RandomizedSearchCV(pipeline, space, n_iter=n_iter, cv=cv, scoring="neg_log_loss", random_state=random_state)
        fitted, _ = search_on_cluster(search, X, y, client, workers=workers)
        return float(fitted.best_score_)

    work.prepare = _warm_imports  # run on every worker before the clock starts
    return work


def speedup_against_one_worker(work, client, *, n_repeats: int = 1) -> dict:
    """Run ``work(client, workers)`` on one worker of the cluster, then on all; compare the times.

    One cluster serves both runs: the first restricts every task to the first worker
    (``workers=[address]``), the second lets the scheduler use them all. When ``work`` has an
    attribute ``prepare`` (a function), every worker runs it before the clock starts (e.g. to
    import scikit-learn, a fresh worker's cost on its first task). Dask's per-task overhead is
    measured too.

    Parameters
    ----------
    work : callable
        ``work(client, workers)``, e.g. from :func:`search_workload`; it must run its tasks
        only on ``workers`` (a list of addresses, or ``None`` for any).
    client : distributed.Client
        Of a cluster with at least two workers (e.g. from :func:`dask_client`).
    n_repeats : int, default=1
        Each run is timed this many times; the best counts.

    Returns
    -------
    timing : dict
        ``n_workers`` ([1, n]), ``seconds`` (best of ``n_repeats``), ``speedup``, ``task_overhead_s``
        (of the whole cluster), ``results`` (what ``work`` returned the last time, per run).
    """
    n_repeats = check_int(n_repeats, "n_repeats", low=1)
    addresses = sorted(client.scheduler_info()["workers"])
    if len(addresses) < 2:
        raise ValueError(error_message("client", "a client of a cluster with at least 2 workers", f"{len(addresses)} worker(s)",
                                       "Start it with dask_client(n_workers=2)."))
    if getattr(work, "prepare", None) is not None:
        client.run(work.prepare)  # e.g. imports: a fresh worker's cost, not the work's
    timing = {"n_workers": [1, len(addresses)], "seconds": [], "results": [], "task_overhead_s": task_overhead_s(client, n_tasks=100)}
    for workers in (addresses[:1], None):
        seconds = []
        for _ in range(n_repeats):
            start = time.perf_counter()
            result = work(client, workers)
            seconds.append(time.perf_counter() - start)
        timing["seconds"].append(min(seconds))
        timing["results"].append(result)
    timing["speedup"] = [timing["seconds"][0] / s for s in timing["seconds"]]
    return timing


def incremental_fit(path, *, n_train: int, partition_rows: int = 250_000, n_features: int = 2**18, alpha: float = 1e-5) -> dict:
    """Train logistic regression on the first ``n_train`` rows of a click log with dask-ml, and score it
    on the rest: the out-of-core loop of :func:`fusionlab.scale.streaming.partial_fit_stream`, run
    by the cluster of the current client.

    ``Incremental`` calls ``partial_fit`` once per block of the Dask array, in order (blocks of
    ``partition_rows`` rows, each read and hashed by a worker); ``ParallelPostFit`` predicts
    block by block on the workers.

    Returns
    -------
    fit : dict
        ``estimator`` (the fitted ``SGDClassifier``), ``accuracy`` (on the rows after
        ``n_train``), ``n_train``, ``n_test``.
    """
    from dask_ml.wrappers import Incremental, ParallelPostFit

    from .streaming import make_sgd_classifier

    n_rows = NpyChunkReader(path).n_rows
    n_train = check_int(n_train, "n_train", low=1, high=n_rows - 1, fix="Keep some rows for testing.")
    X, y = hashed_click_arrays(path, partition_rows=partition_rows, n_features=n_features, stop=n_train)
    X_test, y_test = hashed_click_arrays(path, partition_rows=partition_rows, n_features=n_features, start=n_train)
    model = Incremental(make_sgd_classifier(alpha=alpha), shuffle_blocks=False).fit(X, y, classes=[0, 1])
    accuracy = (ParallelPostFit(model.estimator_).predict(X_test) == y_test).mean().compute()
    return {"estimator": model.estimator_, "accuracy": float(accuracy), "n_train": n_train, "n_test": n_rows - n_train}

