"""fusionlab.scale and the click log: references, exact equalities, clean process handling.

Every test that starts processes (a Dask cluster, TensorFlow workers, a measuring child) checks
afterwards that none of them survives.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from benchmark_modules import load_benchmark
from sklearn.linear_model import SGDClassifier
from sklearn.utils import murmurhash3_32

from fusionlab.data import make_click_log, write_click_log
from fusionlab.data.availability import content_sha256
from fusionlab.history import History
from fusionlab.results import load_results
from fusionlab.scale import comms
from fusionlab.scale.async_sgd import critical_learning_rate, staleness_sweep
from fusionlab.scale.large_batch import batch_size_sweep, warmup_schedule
from fusionlab.scale.processes import ProcessGroup, live_children, measure_peak_memory
from fusionlab.scale.sgd import logistic_loss, sgd_logistic
from fusionlab.scale.streaming import NpyChunkReader, evaluate_stream, hash_fields, partial_fit_stream, train_click_log


@pytest.fixture(scope="module")
def click_file(tmp_path_factory):
    return write_click_log(tmp_path_factory.mktemp("clicks") / "clicks.npy", 30_000)


@pytest.fixture(autouse=True)
def no_process_survives():
    before = set(live_children())
    yield
    assert set(live_children()) <= before, f"processes outlived the test: {set(live_children()) - before}"


# --- data and streaming -------------------------------------------------------------------------

def test_written_log_equals_the_in_memory_log_and_the_reader_returns_every_row_once(click_file):
    X, y, model = make_click_log(30_000)
    chunks = list(NpyChunkReader(click_file, chunk_rows=7_000))
    assert [len(c) for c in chunks] == [7_000] * 4 + [2_000]
    table = np.concatenate(chunks)
    np.testing.assert_array_equal(table[:, :-1], X)
    np.testing.assert_array_equal(table[:, -1], y)
    np.testing.assert_array_equal(np.concatenate(list(NpyChunkReader(click_file, 4_000, start=10_000, stop=21_000))), table[10_000:21_000])
    p = model.click_probability(X)
    assert 0.25 < y.mean() < 0.45 and abs(y.mean() - p.mean()) < 0.01  # labels follow the planted model


def test_hash_fields_equals_a_brute_force_oracle():
    rng = np.random.default_rng(0)
    fields = rng.integers(0, 50, size=(40, 3))
    X = hash_fields(fields, n_features=16).toarray()
    oracle = np.zeros((40, 16))
    for i, row in enumerate(fields):
        for f, value in enumerate(row):
            h = murmurhash3_32(int(value), seed=f)
            oracle[i, abs(h) % 16] += 1.0 if h >= 0 else -1.0
    np.testing.assert_array_equal(X, oracle)


def test_streaming_equals_in_memory_fit_exactly(click_file):
    """partial_fit over chunks in order is the same SGD pass as one fit (shuffle off): no row lost or repeated."""
    table = np.load(click_file)
    stream = partial_fit_stream(SGDClassifier(loss="log_loss", shuffle=False, random_state=0), NpyChunkReader(click_file, 6_000))
    whole = SGDClassifier(loss="log_loss", shuffle=False, max_iter=1, tol=None, random_state=0)
    whole.fit(hash_fields(table[:, :-1]), table[:, -1])
    np.testing.assert_allclose(stream.coef_, whole.coef_, rtol=1e-12, atol=1e-14)
    assert stream.n_rows_seen_ == 30_000
    scores = evaluate_stream(stream, NpyChunkReader(click_file, 9_000))
    assert scores["accuracy"] == pytest.approx(np.mean(stream.predict(hash_fields(table[:, :-1])) == table[:, -1]))


def _alive(pids) -> set:
    """Those of ``pids`` that are still running (a zombie, dead but not yet reaped, does not count)."""
    import psutil

    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.add(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_the_survivor_check_sees_a_live_child_and_its_end():
    """The check every process-starting test ends with (``no_process_survives``) is not vacuous."""
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert child.pid in live_children() and _alive([child.pid]) == {child.pid}
    finally:
        child.kill()
        child.wait()
    assert child.pid not in live_children() and not _alive([child.pid])


def test_process_group_kills_a_hung_child_at_the_deadline():
    with pytest.raises(TimeoutError, match="still running after timeout_s=1.0"):
        with ProcessGroup(timeout_s=1.0) as group:
            group.start([sys.executable, "-c", "import time; time.sleep(60)"])
            pids = group.pids
            assert _alive(pids) == set(pids)
            group.wait()
    assert not _alive(pids), "the hung child was killed"


def test_process_group_fails_as_soon_as_one_child_fails_and_stops_its_partner():
    """A worker that dies leaves its partner waiting forever (e.g. in an all-reduce): fail at once, kill the rest."""
    import time

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="exited with code 3:\n.*partner is gone"):
        with ProcessGroup(timeout_s=60.0) as group:
            group.start([sys.executable, "-c", "import time; time.sleep(60)"])
            group.start([sys.executable, "-c", "import sys; print('partner is gone'); sys.exit(3)"])
            group.wait()
    assert time.monotonic() - start < 30


# --- algorithms ---------------------------------------------------------------------------------

def test_sgd_logistic_fast_path_equals_the_general_path_and_delay_zero_is_plain_sgd():
    X, y, _ = make_click_log(3_000, random_state=3)
    H = hash_fields(X, 2**10)
    fast = sgd_logistic(H, y, batch_size=16, learning_rate=0.3, n_epochs=1, random_state=0)
    general = sgd_logistic(_vary_row_lengths(H), y, batch_size=16, learning_rate=0.3, n_epochs=1, random_state=0)
    np.testing.assert_allclose(fast["w"], general["w"], atol=1e-12)
    # brute force: the first two steps by hand
    run = sgd_logistic(H, y, batch_size=4, learning_rate=0.3, n_epochs=8 / 3_000, random_state=0)
    order = np.random.default_rng(0).permutation(3_000)
    w = np.zeros(H.shape[1] + 1)
    dense = np.hstack([H.toarray(), np.ones((3_000, 1))])
    for step in range(2):
        rows = order[4 * step: 4 * step + 4]
        p = 1 / (1 + np.exp(-dense[rows] @ w))
        w -= 0.3 * dense[rows].T @ (p - y[rows]) / 4
    np.testing.assert_allclose(run["w"], w[:-1], atol=1e-12)
    assert run["bias"] == pytest.approx(w[-1], abs=1e-12)


def test_sgd_logistic_records_a_history():
    X, y, _ = make_click_log(2_000, random_state=7)
    H = hash_fields(X, 2**10)
    run = sgd_logistic(H[:1_600], y[:1_600], batch_size=50, learning_rate=0.5, n_epochs=2, n_evaluations=4, eval_data=(H[1_600:], y[1_600:]))
    history = run["history"]
    assert isinstance(history, History) and history.stopped_by == "n_steps"
    np.testing.assert_array_equal(history["step"], [0, 16, 32, 48, 64])
    np.testing.assert_allclose(history["epoch"], [0, 0.5, 1, 1.5, 2])
    assert history.n_samples_seen == [0, 800, 1_600, 2_400, 3_200]
    assert history["val_loss"][0] == pytest.approx(np.log(2)) and history["val_loss"][-1] == run["final_loss"] < np.log(2)
    assert run["final_loss"] == pytest.approx(logistic_loss(H[1_600:], y[1_600:], run["w"], run["bias"]))
    diverged = sgd_logistic(H, y, batch_size=50, learning_rate=500.0, n_epochs=2, divergence_loss=5.0)
    assert diverged["diverged"] and diverged["history"].stopped_by == "divergence" and "loss" in diverged["history"]


def _vary_row_lengths(H):
    """The same matrix with one explicit zero added to row 0, so rows differ in length (general path)."""
    from scipy.sparse import csr_matrix

    coo = H.tocoo()
    rows = np.concatenate([coo.row, [0]])
    cols = np.concatenate([coo.col, [(coo.col[0] + 1) % H.shape[1]]])
    data = np.concatenate([coo.data, [0.0]])
    out = csr_matrix((data, (rows, cols)), shape=H.shape)
    out.sum_duplicates()
    return out


def test_staleness_hurts_at_a_large_rate_and_the_large_batch_rule_breaks_past_two_over_l():
    X, y, _ = make_click_log(24_000, random_state=4)
    H = hash_fields(X, 2**12)
    train, test = (H[:20_000], y[:20_000]), (H[20_000:], y[20_000:])
    stale = staleness_sweep(*train, [0, 32], [2.0], eval_data=test)
    assert stale["final_loss"][0][1] > stale["final_loss"][0][0] + 0.05
    eta_max = critical_learning_rate(train[0])
    sweep = batch_size_sweep(*train, [32, 128, 4096], base_rate=0.5, n_epochs=2, eval_data=test)
    linear, same = sweep["rules"]["linear scaling"]["loss"], sweep["rules"]["same rate"]["loss"]
    assert same[-1] > same[0] and 0.5 * 4096 / 32 > eta_max and linear[-1] > linear[1]
    schedule = warmup_schedule(8.0, 4, start=1.0)
    assert [schedule(s) for s in (0, 2, 4, 9)] == [1.0, 4.5, 8.0, 8.0]
    assert logistic_loss(train[0], train[1], np.zeros(H.shape[1])) == pytest.approx(np.log(2))


def test_critical_learning_rate_matches_the_dense_eigenvalue():
    X, _, _ = make_click_log(500, random_state=5)
    H = hash_fields(X, 64)
    dense = np.hstack([H.toarray(), np.ones((500, 1))])
    L = np.linalg.eigvalsh(dense.T @ dense / (4 * 500)).max()
    assert critical_learning_rate(H, n_iterations=300) == pytest.approx(2 / L, rel=1e-6)


# --- the communication model --------------------------------------------------------------------

def test_ring_and_parameter_server_formulas_and_efficiency():
    assert comms.ring_allreduce_bytes(2, 100.0) == pytest.approx(100.0)
    assert comms.ring_allreduce_bytes(4, 100.0) == pytest.approx(150.0)
    np.testing.assert_allclose(comms.ring_allreduce_bytes(np.array([1, 1024]), 1.0), [0.0, 2 * 1023 / 1024])
    ps = comms.parameter_server_bytes(64, 1e8)
    assert ps["worker"] == pytest.approx(2e8) and ps["server"] == pytest.approx(1.28e10)
    beta = comms.gbit_to_bytes_per_s(10)
    assert beta == 1.25e9
    t = comms.communication_time_s(np.array([1, 2, 8]), 1e6, beta, latency_s=1e-4)
    np.testing.assert_allclose(t, [0.0, 2e-4 + 1e6 / beta, 14e-4 + 1.75e6 / beta])
    e = comms.scaling_efficiency(np.array([1, 2]), compute_s=0.1, model_bytes=1.25e8, bandwidth_bytes_per_s=1.25e9)
    np.testing.assert_allclose(e, [1.0, 0.5])
    fit = comms.fit_latency_bandwidth([4, 4e6], [2e-3 + 4 / 1e8, 2e-3 + 4e6 / 1e8])
    assert fit["latency_s"] == pytest.approx(1e-3) and fit["bandwidth_bytes_per_s"] == pytest.approx(1e8)
    assert comms.MODELS["ResNet-50 size (25M)"]["step_s"] == pytest.approx(0.2558, abs=1e-3)


def test_ring_model_check_fits_the_extremes_and_predicts_the_middle_out_of_sample():
    alpha, beta = 1e-3, 1e8
    exact = {str(n): float(comms.communication_time_s(2, 4 * n, beta, latency_s=alpha)) for n in (1, 1_000, 1_000_000)}
    check = comms.check_ring_model({**exact, "1000": 5.0}, 1_000)  # a wrong middle time does not move the fit
    assert check["latency_s"] == pytest.approx(alpha) and check["bandwidth_bytes_per_s"] == pytest.approx(beta)
    assert check["predicted_s"] == pytest.approx(exact["1000"]) and check["measured_s"] == 5.0 and check["fitted_sizes"] == [1, 1_000_000]


def test_exercise_solutions_compute_what_they_say(tmp_path):
    # ex-05-1-ring
    ring = comms.ring_allreduce_bytes(64, 4 * 25_000_000)
    server = comms.parameter_server_bytes(64, 4 * 25_000_000)["server"]
    assert ring / 1e6 == pytest.approx(196.875) and server / 1e9 == pytest.approx(12.8) and 64 < server / ring < 66
    # ex-05-1-tfconfig
    from fusionlab.scale.distribute import tf_config

    configs = [json.loads(json.dumps(tf_config(["hostA:12345", "hostB:12345"], i))) for i in (0, 1)]
    assert configs[1] == {"cluster": {"worker": ["hostA:12345", "hostB:12345"]}, "task": {"type": "worker", "index": 1}}
    # ex-05-1-buckets on the notebook's smaller log (100,000 rows): more buckets, fewer collisions, better accuracy
    path = write_click_log(tmp_path / "clicks_100000.npy", 100_000)
    accuracy = [train_click_log(path, n_features=2**bits)["accuracy"] for bits in (8, 12, 16)]
    assert accuracy[0] + 0.02 < accuracy[1] < accuracy[2] - 0.02
    clicks = np.load(path)[90_000:, -1]
    assert accuracy[2] < max(clicks.mean(), 1 - clicks.mean()), "on this small log, still below always predicting the majority"
    # ex-05-1-stale: shrinking the step by 1 + tau stabilises tau = 16
    X, y, _ = make_click_log(12_000, random_state=6)
    H = hash_fields(X, 2**12)
    fast = staleness_sweep(H[:10_000], y[:10_000], [16], [2.0, 2.0 / 17], eval_data=(H[10_000:], y[10_000:]))["final_loss"]
    assert fast[1][0] < fast[0][0] and fast[1][0] < np.log(2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: hash_fields(np.ones((2, 2))), TypeError, r"fields must be an integer array; got fields='dtype float64'"),
        (lambda: hash_fields(np.ones((2, 2), dtype=int), n_features=0), ValueError, r"n_features must be an int in \[1, 2147483647\]; got n_features=0"),
        (lambda: NpyChunkReader("/nonexistent.npy"), FileNotFoundError, r"path must be an existing .npy file"),
        (lambda: write_click_log("/tmp/clicks.csv", 10), ValueError, r"path must be a file name ending in .npy"),
        (lambda: comms.scaling_efficiency(0, compute_s=1.0, model_bytes=1.0, bandwidth_bytes_per_s=1.0), ValueError, r"n_workers must be ints >= 1; got n_workers=0"),
        (lambda: comms.communication_time_s(2, 1.0, 1.0, scheme="tree"), ValueError, r"scheme must be one of \['ring', 'parameter_server'\]"),
        (lambda: sgd_logistic(hash_fields(np.ones((4, 2), dtype=int)), np.ones(3)), ValueError, r"y must be 4 labels, one per row of X; got y='3 labels'"),
        (lambda: sgd_logistic(hash_fields(np.ones((4, 2), dtype=int)), np.ones(4), batch_size=5), ValueError, r"batch_size must be an int in \[1, 4\]; got batch_size=5"),
        (lambda: measure_peak_memory("no_colon"), ValueError, r"target must be a 'package.module:function' string"),
        (lambda: comms.check_ring_model({1: 1.0, 2: 2.0, 3: 3.0}, 3), ValueError, r"size must be a measured size between the smallest and the largest of \[1, 2, 3\]; got size=3"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- Dask ---------------------------------------------------------------------------------------

class _WhereJoblibRuns:
    """A stand-in for a scikit-learn search: its ``fit`` runs joblib tasks that report their worker."""

    def fit(self, X, y):
        import joblib

        self.workers_ = set(joblib.Parallel(n_jobs=-1)(joblib.delayed(lambda: __import__("distributed").get_worker().address)() for _ in range(4)))
        return self


def test_dask_cluster_on_loopback_restricts_work_to_one_worker_and_incremental_equals_the_local_loop(click_file):
    """One cluster of 2 worker processes for every Dask check (starting one costs seconds); the block ends
    with an exception, as a failing notebook cell would, and the worker processes must be gone after it."""
    pytest.importorskip("dask_ml")
    from fusionlab.scale.dask_tools import (click_log_frame, click_rates, click_rates_in_memory, dask_client, incremental_fit,
                                            search_on_cluster, speedup_against_one_worker)
    from fusionlab.scale.streaming import make_sgd_classifier

    def where(client, workers):
        tasks = client.map(lambda _: __import__("distributed").get_worker().address, range(6), workers=workers, pure=False)
        return set(client.gather(tasks))

    with pytest.raises(RuntimeError, match="a cell failed halfway"), dask_client(n_workers=2, timeout_s=60) as client:
        workers = sorted(client.scheduler_info()["workers"])
        worker_pids = set(client.run(lambda: __import__("os").getpid()).values())
        assert len(worker_pids) == 2 and worker_pids <= _alive(live_children()), "two worker processes, children of this one"
        assert len(workers) == 2 and all(address.startswith("tcp://127.0.0.1:") for address in workers)
        import psutil

        family = [psutil.Process(), *psutil.Process().children(recursive=True)]
        listening = [c.laddr.ip for p in family for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
        assert listening and set(listening) == {"127.0.0.1"}, f"only loopback listeners (no dashboard on other interfaces): {listening}"
        timing = speedup_against_one_worker(where, client)
        joblib_probe, _ = search_on_cluster(_WhereJoblibRuns(), None, None, client, workers=workers[1:])
        rates = click_rates(click_log_frame(click_file, partition_rows=8_000))
        fit = incremental_fit(click_file, n_train=24_000, partition_rows=8_000)
        raise RuntimeError("a cell failed halfway")  # the cluster must close on an error too
    assert not _alive(worker_pids), "no worker outlives the block, even one left by an exception"
    assert timing["results"][0] == set(workers[:1]) and timing["results"][1] <= set(workers), "the first run used one worker only"
    assert timing["n_workers"] == [1, 2] and timing["speedup"][0] == 1.0 and 0 < timing["task_overhead_s"] < 1.0
    assert joblib_probe.workers_ == set(workers[1:]), "joblib's Dask backend honours the restriction"
    reference = click_rates_in_memory(np.load(click_file))
    np.testing.assert_allclose(rates[["impressions", "clicks", "click_rate"]].to_numpy(), reference.to_numpy())
    local = partial_fit_stream(make_sgd_classifier(), NpyChunkReader(click_file, 8_000, stop=24_000))
    np.testing.assert_array_equal(fit["estimator"].coef_, local.coef_)
    table = np.load(click_file)[24_000:]
    assert fit["n_test"] == 6_000 and fit["accuracy"] == pytest.approx(np.mean(local.predict(hash_fields(table[:, :-1])) == table[:, -1]))


# --- tf.distribute ------------------------------------------------------------------------------

def test_two_workers_with_batch_b_take_the_step_of_one_process_with_batch_2b():
    """MultiWorkerMirroredStrategy in 2 processes on 127.0.0.1 against one process's step on the doubled
    batch, in float64. Worker 0 also computes the one-process steps (the default strategy, and
    MirroredStrategy over 2 logical CPU devices) once the two workers are done together: two
    processes start TensorFlow, not three."""
    from fusionlab.scale.distribute import max_abs_difference, run_multi_worker

    multi = run_multi_worker(2, per_worker_batch=8, measure=False, local_checks=True, timeout_s=240)
    assert multi["workers_agree"] and multi["timing"] is None
    assert max_abs_difference(multi["initial"], multi["reference"]) > 1e-3, "the step really moves the weights (the comparison is not trivial)"
    assert max_abs_difference(multi["reference"], multi["mirrored"]) < 1e-6, "MirroredStrategy over 2 logical devices"
    assert max_abs_difference(multi["reference"], multi["weights"]) < 1e-6, "2 workers x 8 images = 1 process x 16 images"


def test_timed_steps_and_all_reduces_in_one_process():
    """The timing code paths (with and without the all-reduce, alternating; all-reduce sizes), on the default strategy."""
    tf = pytest.importorskip("tensorflow")
    from fusionlab.scale.distribute import time_allreduce, time_steps

    timing = time_steps(tf.distribute.get_strategy(), per_replica_batch=4, n_steps=2, n_warmup=1, compute_only=True)
    assert timing["global_batch"] == 4 and timing["replicas"] == 1
    for record in (timing, timing["compute_only"]):
        assert record["step_s"] > 0 and record["images_per_s"] == pytest.approx(4 / record["step_s"])
    reduces = time_allreduce(tf.distribute.get_strategy(), sizes=(1, 10, 1_000), n_repeats=2)
    assert sorted(reduces) == [1, 10, 1_000] and all(seconds > 0 for seconds in reduces.values())


# --- the benchmark ------------------------------------------------------------------------------

def test_benchmark_runs_the_parts_that_need_neither_dask_nor_tensorflow(tmp_path, capsys):
    """The full-size benchmark's code path on a small log: out of core (peak memory measured by a fresh
    child per run, :func:`measure_peak_memory`), the algorithms, the model (no seed CNN without its measured step)."""
    load_benchmark("scale").main(["--sizes", "20000", "--parts", "out_of_core", "algorithms", "communication_model",
                                  "--algorithm-rows", "5000", "--algorithm-test-rows", "2000", "--results-dir", str(tmp_path)])
    result = load_results("scale", tmp_path)  # validates the schema
    (tmp_path / "again").mkdir()
    fresh = write_click_log(tmp_path / "again" / "clicks_20000.npy", 20_000)
    assert result["dataset"]["stand_in"] is False and result["dataset"]["content_sha256"] == content_sha256([(fresh.name, fresh)])
    figures = result["figures"]
    assert set(figures) == {"out_of_core", "algorithms", "communication_model", "seconds"}
    assert [(row["rows"], row["mode"]) for row in figures["out_of_core"]["rows"]] == [(20_000, "stream"), (20_000, "memory")]
    assert all(row["peak_rss_mb"] >= row["baseline_rss_mb"] > 10 and 0.5 < row["accuracy"] < 0.85 and row["n_train"] == 18_000
               for row in figures["out_of_core"]["rows"])
    assert figures["algorithms"]["rows"] == 5_000 and len(figures["algorithms"]["batch_size"]["rules"]["same rate"]["loss"]) == 8
    assert set(figures["communication_model"]["efficiency"]) == {f"{m} @ {g} Gbit/s" for m in ("ResNet-50 size (25M)", "BERT-large size (340M)") for g in (10, 100)}
    assert "wrote" in capsys.readouterr().out
