"""Full-size benchmark for chapter 5.1: data and compute at scale (not part of the tests).

    python benchmarks/scale.py                       # 1M and 10M rows; writes book/results/scale.json
    python benchmarks/scale.py --sizes 20000 200000 --dask-rows 200000 --algorithm-rows 20000 \
        --results-dir /tmp                           # a small run of every part, a few minutes
    python benchmarks/scale.py --sizes 20000 --parts out_of_core algorithms communication_model \
        --algorithm-rows 5000 --algorithm-test-rows 2000 --results-dir /tmp   # no Dask, no TensorFlow: seconds

1. Out of core: click logs of each size written to disk; peak resident memory of a fresh
   process training logistic regression on it with ``partial_fit`` chunk by chunk, against
   loading it whole (in memory) at the sizes given by ``--in-memory-sizes``; test accuracy of both.
2. Dask, on one cluster of 2 worker processes: a random search through joblib's Dask backend on
   one worker, then on both (speed-up, start-up, per-task overhead); per-value click rates of a
   log of ``--dask-rows`` rows as a Dask dataframe on workers whose memory limit is smaller
   than the frame.
3. tf.distribute: ``MultiWorkerMirroredStrategy`` with 1 worker (2 threads) and 2 workers
   (1 thread each) on 127.0.0.1: images per second, all-reduce times, the 2-worker weights
   against one process's step on the doubled batch.
4. Algorithms: delayed-gradient SGD against staleness; batch sizes 32 to 4,096 with and
   without the linear scaling rule; on the first 1M rows.
5. The communication model's predicted scaling efficiency to 1,024 workers.

The machine is shared: the load average is recorded with every timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402

from fusionlab.data import make_click_log, write_click_log  # noqa: E402
from fusionlab.data.availability import content_sha256  # noqa: E402
from fusionlab.results import benchmark_command, default_directory, make_results, write_results  # noqa: E402
from fusionlab.scale import comms  # noqa: E402
from fusionlab.scale.async_sgd import critical_learning_rate, staleness_sweep  # noqa: E402
from fusionlab.scale.dask_tools import click_log_frame, click_rates, dask_client, search_workload, speedup_against_one_worker, worker_memory_mb  # noqa: E402
from fusionlab.scale.distribute import max_abs_difference, run_multi_worker  # noqa: E402
from fusionlab.scale.large_batch import batch_size_sweep  # noqa: E402
from fusionlab.scale.streaming import hash_fields, peak_memory_by_size  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The click logs this run wrote and read, in order (their digest identifies the data in the results file).
READ: list[Path] = []
#: The benchmark's parts, in the order they run.
PARTS = ("out_of_core", "dask", "tf_distribute", "algorithms", "communication_model")


def load() -> float:
    return os.getloadavg()[0]


def out_of_core(folder: Path, sizes, in_memory_sizes) -> dict:
    rows = []
    for n in sizes:
        path = write_click_log(folder / f"clicks_{n}.npy", n, overwrite=True)
        READ.append(path)
        modes = ("stream", "memory") if n in in_memory_sizes else ("stream",)
        for row in peak_memory_by_size([path], modes=modes):
            row["load"] = load()
            rows.append(row)
            print(f"{n:>11,d} rows {row['mode']:>6}: peak {row['peak_rss_mb']:7.1f} MB (baseline {row['baseline_rss_mb']:.1f}), "
                  f"accuracy {row['accuracy']:.4f}, {row['rows_per_s']:,.0f} rows/s, load {row['load']:.1f}", flush=True)
    return {"rows": rows}


def dask_part(folder: Path, dask_rows: int, memory_limit: str) -> dict:
    import dask.utils

    X, y, _ = make_click_log(40_000, random_state=1)
    path = folder / f"clicks_{dask_rows}.npy"
    if not path.exists():
        write_click_log(path, dask_rows)
        READ.append(path)
    started = time.perf_counter()
    with dask_client(n_workers=2, memory_limit=memory_limit) as client:
        startup_s = time.perf_counter() - started
        timing = speedup_against_one_worker(search_workload(X, y, n_iter=8, cv=2), client)
        timing.update(startup_s=startup_s, load=load())
        print(f"dask search: {timing['seconds']} s, speed-up {timing['speedup'][-1]:.2f}, start-up {startup_s:.1f} s, "
              f"per-task overhead {timing['task_overhead_s']:.4f} s, load {timing['load']:.1f}", flush=True)
        # fresh workers for the memory-limited pass: after the search each worker holds about 300 MiB
        # (scikit-learn and its results), so near a 400 MiB limit Dask would pause it (at 80%) for
        # memory it cannot spill, and the pass would wait forever
        client.restart()
        before = worker_memory_mb(client)
        frame = click_log_frame(path)
        frame_mb = float(frame.memory_usage(index=False).sum().compute()) / 2**20
        start = time.perf_counter()
        table = click_rates(frame)
        seconds = time.perf_counter() - start
        peak = client.run(lambda: __import__("resource").getrusage(__import__("resource").RUSAGE_SELF).ru_maxrss / 1024)
        now = worker_memory_mb(client)
    print(f"dask click rates on {dask_rows:,} rows: frame {frame_mb:.0f} MB, worker limit {memory_limit}, "
          f"worker peaks {sorted(peak.values())} MB, {seconds:.1f} s, {len(table):,} (field, value) pairs", flush=True)
    limit_mib = float(dask.utils.parse_bytes(memory_limit)) / 2**20
    return {"search": timing, "click_rates": {"rows": dask_rows, "frame_mb": frame_mb, "memory_limit": memory_limit, "memory_limit_mib": limit_mib,
                                               "worker_rss_mb_before": sorted(before.values()), "worker_peak_rss_mb": sorted(peak.values()),
                                               "worker_rss_mb_after": sorted(now.values()),
                                               "seconds": seconds, "pairs": len(table), "load": load()}}


def tf_part(batch: int, n_steps: int) -> dict:
    one = run_multi_worker(1, per_worker_batch=16, throughput_batch=batch, n_steps=n_steps, threads_per_worker=2)
    two = run_multi_worker(2, per_worker_batch=8, throughput_batch=batch, n_steps=n_steps, threads_per_worker=1)
    gap = max_abs_difference(one["weights"], two["weights"])
    result = {"one_worker": one["timing"], "two_workers": two["timing"], "max_weight_difference": gap,
              "workers_agree": two["workers_agree"], "load": load()}
    print(f"tf.distribute: 1 worker {one['timing']['step']['images_per_s']:.0f} img/s, 2 workers "
          f"{two['timing']['step']['images_per_s']:.0f} img/s; all-reduce {two['timing']['allreduce_s']}; "
          f"|w(2 x b) - w(1 x 2b)| = {gap:.1e}; load {result['load']:.1f}", flush=True)
    return result


def algorithms(n_rows: int, n_test: int = 100_000) -> dict:
    X, y, _ = make_click_log(n_rows + n_test, random_state=2)
    H = hash_fields(X, 2**16)
    train, test = (H[:n_rows], y[:n_rows]), (H[n_rows:], y[n_rows:])
    stale = staleness_sweep(*train, [0, 1, 4, 16, 64], [0.5, 2.0], eval_data=test)
    print("staleness", stale["stalenesses"], np.round(stale["final_loss"], 4).tolist(), flush=True)
    batches = batch_size_sweep(*train, [32, 64, 128, 256, 512, 1024, 2048, 4096], eval_data=test)
    for rule, values in batches["rules"].items():
        print(f"{rule:>26}: {np.round(values['loss'], 4).tolist()}", flush=True)
    stale.pop("histories")  # the curves; the file keeps the final losses
    return {"rows": n_rows, "staleness": stale, "batch_size": batches, "critical_learning_rate": critical_learning_rate(train[0])}


def model_predictions(tf_result: dict | None) -> dict:
    """The efficiency table; the seed CNN's row needs its measured step time (``tf_result``), else it is left out."""
    models = {name: dict(spec) for name, spec in comms.MODELS.items()}
    if tf_result is None:
        del models["seed CNN (122,570)"]
    else:
        models["seed CNN (122,570)"]["step_s"] = tf_result["one_worker"]["compute_only"]["step_s"]
    n = 2 ** np.arange(0, 11)
    table = comms.efficiency_table(n, models, comms.BANDWIDTHS_GBIT)
    return {"n_workers": n.tolist(), "models": models,
            "efficiency": {f"{name} @ {gbit:g} Gbit/s": values.tolist() for (name, gbit), values in table.items()}}


def click_log_record(paths) -> dict:
    """The results file's ``dataset`` record: generated data, identified by the digest of the logs read."""
    rows = ", ".join(f"{int(path.stem.rpartition('_')[2]):,}" for path in paths)
    return {"name": "click-log", "stand_in": False, "checksum": None,
            "content_sha256": content_sha256([(path.name, path) for path in paths]),
            "note": (f"synthetic by design (there is no real counterpart): click logs of {rows} rows written by "
                     "fusionlab.data.write_click_log with random_state=0; content_sha256 identifies the logs this run read")}


def plain(value):
    """NumPy scalars and arrays, and tuples, as JSON's numbers and lists."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--in-memory-sizes", nargs="+", type=int, default=None, help="default: every size")
    parser.add_argument("--algorithm-rows", type=int, default=1_000_000)
    parser.add_argument("--algorithm-test-rows", type=int, default=100_000)
    parser.add_argument("--memory-limit", default="400MiB", help="Dask worker memory limit for the click-rate pass")
    parser.add_argument("--dask-rows", type=int, default=16_000_000, help="rows of the Dask click-rate pass (a frame larger than the limit)")
    parser.add_argument("--tf-batch", type=int, default=64)
    parser.add_argument("--tf-steps", type=int, default=30)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="what to run (default: all); without tf_distribute the model leaves out the seed CNN")
    parser.add_argument("--results-dir", type=Path, default=None, help="where scale.json goes (default: book/results)")
    args = parser.parse_args(argv)
    READ.clear()
    in_memory = set(args.sizes if args.in_memory_sizes is None else args.in_memory_sizes)
    started = time.perf_counter()
    figures = {}
    with tempfile.TemporaryDirectory(prefix="fusionlab-scale-") as folder:
        if "out_of_core" in args.parts:
            figures["out_of_core"] = out_of_core(Path(folder), args.sizes, in_memory)
        if "dask" in args.parts:
            figures["dask"] = dask_part(Path(folder), args.dask_rows, args.memory_limit)
        dataset = click_log_record(READ) if READ else {
            "name": "click-log", "stand_in": True, "checksum": None, "content_sha256": None,
            "note": "generated in memory by fusionlab.data.make_click_log (no log was written)"}
    if "tf_distribute" in args.parts:
        figures["tf_distribute"] = tf_part(args.tf_batch, args.tf_steps)
    if "algorithms" in args.parts:
        figures["algorithms"] = algorithms(args.algorithm_rows, args.algorithm_test_rows)
    if "communication_model" in args.parts:
        figures["communication_model"] = model_predictions(figures.get("tf_distribute"))
    figures["seconds"] = time.perf_counter() - started
    record = make_results("scale", plain(figures), command=benchmark_command("scale.py", argv), dataset=dataset,
                          extra_packages=("scipy", "dask", "distributed", "dask-ml", "pandas", "pyarrow"))
    path = write_results(record, args.results_dir or default_directory())
    print(f"wrote {path} in {figures['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
