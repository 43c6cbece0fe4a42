"""Data-parallel training with ``tf.distribute``: one custom training step, three strategies.

The step is written once (:func:`make_train_step`) and runs under

- the default strategy (one device),
- ``MirroredStrategy`` over logical CPU devices of one process (:func:`configure_cpu_devices`),
- ``MultiWorkerMirroredStrategy`` across worker processes (:func:`run_multi_worker`), each
  told the cluster by the ``TF_CONFIG`` environment variable (:func:`tf_config`).

Keras 3's ``Model.fit`` does not run under ``MultiWorkerMirroredStrategy`` with
tensorflow-cpu 2.21, so the step is a custom loop, and it shows the mechanism: each replica
computes the gradient of its share of the loss, ``sum(per-example loss) / global batch``;
one all-reduce sums the gradients across replicas; every replica applies the same plain SGD
update. Two replicas with batch ``b`` each therefore take exactly the step one process takes
with batch ``2 b`` (tested to 1e-6 in float64).

On a real cluster, list the hosts' addresses instead of 127.0.0.1 (``run_multi_worker``'s
``addresses``) or set ``TF_CONFIG`` on each host and run the same worker program there.

TensorFlow is imported inside the functions. Used in chapter 5.1 and ``benchmarks/scale.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .._validation import check_float, check_int, error_message
from .processes import LOOPBACK, ProcessGroup, free_ports

#: Sizes (float32 elements) of the all-reduce micro-benchmark: one float, the seed CNN, 1M floats.
ALLREDUCE_SIZES = (1, 122_570, 1_000_000)


def tf_config(worker_addresses, index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of ``worker_addresses`` (``"host:port"``).

    Examples
    --------
    >>> tf_config(["127.0.0.1:20000", "127.0.0.1:20001"], 1)["task"]
    {'type': 'worker', 'index': 1}
    """
    addresses = list(worker_addresses)
    if not addresses or not all(isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses):
        raise ValueError(error_message("worker_addresses", "a non-empty list of 'host:port' strings", worker_addresses, "E.g. ['10.0.0.1:12345', '10.0.0.2:12345']."))
    index = check_int(index, "index", low=0, high=len(addresses) - 1)
    return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}


def configure_cpu_devices(n_devices: int = 2, *, n_threads: int | None = None) -> list:
    """Split the CPU into ``n_devices`` logical devices (for ``MirroredStrategy``); call before any TF op.

    Parameters
    ----------
    n_devices : int, default=2
    n_threads : int, default=None
        Intra-op threads of the process (``None`` keeps TensorFlow's default, one per core).

    Returns
    -------
    devices : list of tf.config.LogicalDevice

    Raises
    ------
    RuntimeError
        When TensorFlow has already started its runtime in this process (devices can then no
        longer change); start a fresh Python process (or restart the kernel) and call this first.
    """
    import tensorflow as tf

    n_devices = check_int(n_devices, "n_devices", low=1, high=64)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        if n_threads is not None:
            tf.config.threading.set_intra_op_parallelism_threads(check_int(n_threads, "n_threads", low=1))
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n_devices)
    except RuntimeError as exc:
        current = tf.config.list_logical_devices("CPU")
        if len(current) == n_devices:
            return current
        raise RuntimeError(f"TensorFlow is already initialised in this process with {len(current)} CPU device(s), so it cannot be "
                           f"split into n_devices={n_devices}. Call configure_cpu_devices first, in a fresh process ({exc}).") from exc
    return tf.config.list_logical_devices("CPU")


@contextlib.contextmanager
def floatx(dtype: str):
    """Temporarily set Keras's default float type (e.g. ``"float64"`` for exact comparisons)."""
    import keras

    previous = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(previous)


def build_model(strategy=None, *, dtype: str = "float32", random_state: int = 0):
    """The article's CNN (``fusionlab.models.build_seed_cnn``, 122,570 parameters) under ``strategy``'s
    scope, with weights drawn from ``random_state`` by NumPy, so that every process starts equal."""
    import tensorflow as tf

    from ..models import build_seed_cnn

    strategy = strategy or tf.distribute.get_strategy()
    with floatx(dtype), strategy.scope():
        model = build_seed_cnn()
    rng = np.random.default_rng(random_state)
    model.set_weights([rng.normal(0.0, 0.05, size=w.shape) if w.ndim > 1 else np.zeros(w.shape) for w in model.get_weights()])
    return model


def max_abs_difference(weights_a, weights_b) -> float:
    """Largest absolute difference between two lists of weight arrays of the same shapes."""
    if len(weights_a) != len(weights_b):
        raise ValueError(error_message("weights_b", f"{len(weights_a)} arrays like weights_a", f"{len(weights_b)} arrays"))
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(weights_a, weights_b))


def make_batch(n_images: int, *, dtype: str = "float32", random_state: int = 0):
    """Random images in [0, 1] of shape (n_images, 32, 32, 3) and labels in [0, 10): the same in every process."""
    rng = np.random.default_rng([random_state, 1])
    X = rng.uniform(size=(n_images, 32, 32, 3)).astype(dtype)  # (batch, height, width, channels)
    y = rng.integers(0, 10, size=n_images)
    return X, y


def make_train_step(strategy, model, *, global_batch: int, learning_rate: float = 0.1, allreduce: bool = True):
    """A ``tf.function`` ``step(X_shards, y_shards) -> loss`` running one synchronous SGD step.

    ``X_shards``/``y_shards`` are per-replica values (see :func:`shard`). Each replica computes
    ``grad( sum_i loss_i / global_batch )`` on its shard, the gradients are summed across
    replicas by one all-reduce, and every replica applies ``w -= learning_rate * g``.
    ``allreduce=False`` skips the all-reduce (to time the computation alone).
    """
    import keras
    import tensorflow as tf

    variables = model.trainable_variables
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False)

    def replica_step(X, y):
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            probabilities = model(X, training=True)  # (batch, 10)
            loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(y, probabilities)) / global_batch
        gradients = tape.gradient(loss, [v.value for v in variables])
        if allreduce:
            gradients = context.all_reduce(tf.distribute.ReduceOp.SUM, gradients)  # the one communication

        def apply(distribution, gradients):
            for variable, gradient in zip(variables, gradients):
                distribution.extended.update(variable.value, lambda v, g: v.assign_sub(learning_rate * g), args=(gradient,))

        context.merge_call(apply, args=(gradients,))
        return loss

    @tf.function
    def step(X, y):
        return strategy.run(replica_step, args=(X, y))

    return step


def shard(strategy, X, y):
    """Give replica ``r`` of ``R`` rows ``[r b, (r + 1) b)`` of ``X`` and ``y`` (``b = len(X) / R``)."""
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    if len(X) % replicas:
        raise ValueError(error_message("X", f"a number of rows divisible by the {replicas} replicas", len(X), "Trim or pad the batch."))
    per_replica = len(X) // replicas

    def values(context):
        first = context.replica_id_in_sync_group * per_replica
        return tf.constant(X[first:first + per_replica]), tf.constant(y[first:first + per_replica])

    X_shards = strategy.experimental_distribute_values_from_function(lambda context: values(context)[0])
    y_shards = strategy.experimental_distribute_values_from_function(lambda context: values(context)[1])
    return X_shards, y_shards


def one_step_weights(strategy, X, y, *, learning_rate: float = 0.1, dtype: str = "float64", random_state: int = 0) -> list:
    """Weights after one synchronous step on the global batch ``X, y`` split across ``strategy``'s replicas."""
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    model = build_model(strategy, dtype=dtype, random_state=random_state)
    step = make_train_step(strategy, model, global_batch=len(X), learning_rate=learning_rate)
    step(*shard(strategy, X, y))
    return [np.asarray(w) for w in model.get_weights()]


def time_steps(strategy, *, per_replica_batch: int = 64, n_steps: int = 20, n_warmup: int = 2,
               compute_only: bool = False, random_state: int = 0) -> dict:
    """Time ``n_steps`` training steps of the seed CNN (float32) after ``n_warmup`` untimed ones.

    With ``compute_only``, a second copy of the model takes the same step without the
    all-reduce, alternating with the first step by step, so that both timings see the same
    load on the machine; their ratio is the measured scaling efficiency of the step.

    Returns
    -------
    timing : dict
        ``step_s`` (median seconds per step), ``images_per_s`` (global batch / step_s),
        ``global_batch``, ``replicas``; with ``compute_only``, the same numbers of the step
        without its all-reduce under ``"compute_only"``.
    """
    per_replica_batch = check_int(per_replica_batch, "per_replica_batch", low=1)
    n_steps = check_int(n_steps, "n_steps", low=1)
    n_warmup = check_int(n_warmup, "n_warmup", low=0)
    replicas = strategy.num_replicas_in_sync
    global_batch = per_replica_batch * replicas
    variants = {"step": True, "compute_only": False} if compute_only else {"step": True}
    steps = {name: make_train_step(strategy, build_model(strategy, random_state=random_state), global_batch=global_batch,
                                   learning_rate=0.01, allreduce=allreduce) for name, allreduce in variants.items()}
    X_shards, y_shards = shard(strategy, *make_batch(global_batch, random_state=random_state))
    seconds = {name: [] for name in steps}
    for index in range(n_warmup + n_steps):
        for name, step in steps.items():
            start = time.perf_counter()
            loss = step(X_shards, y_shards)
            strategy.experimental_local_results(loss)[0].numpy()  # wait for the step to finish
            if index >= n_warmup:
                seconds[name].append(time.perf_counter() - start)
    timings = {name: {"step_s": float(np.median(values)), "images_per_s": global_batch / float(np.median(values)),
                      "global_batch": global_batch, "replicas": replicas} for name, values in seconds.items()}
    timing = timings["step"]
    if compute_only:
        timing["compute_only"] = timings["compute_only"]
    return timing


def time_allreduce(strategy, sizes=ALLREDUCE_SIZES, *, n_repeats: int = 7) -> dict:
    """Median seconds of one all-reduce (sum) of ``size`` float32 values, for each size."""
    import tensorflow as tf

    results = {}
    for size in sizes:

        def replica_reduce(size=int(size)):
            tensor = tf.ones([size], dtype=tf.float32)  # (size,)
            return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, tensor)

        @tf.function
        def reduce(replica_reduce=replica_reduce):
            return strategy.run(replica_reduce)

        reduce()
        seconds = []
        for _ in range(n_repeats):
            start = time.perf_counter()
            strategy.experimental_local_results(reduce())[0].numpy()
            seconds.append(time.perf_counter() - start)
        results[int(size)] = float(np.median(seconds))
    return results


def run_multi_worker(n_workers: int = 2, *, per_worker_batch: int = 8, throughput_batch: int = 64, n_steps: int = 20,
                     threads_per_worker: int = 1, learning_rate: float = 0.1, addresses=None, timeout_s: float = 180.0,
                     random_state: int = 0, measure: bool = True, local_checks: bool = False) -> dict:
    """Run ``MultiWorkerMirroredStrategy`` in ``n_workers`` processes on 127.0.0.1 and collect what they measured.

    Each worker: (1) takes one float64 SGD step on its shard of a global batch of
    ``n_workers * per_worker_batch`` images and reports the resulting weights; then, if
    ``measure``, (2) times training steps of the float32 seed CNN at ``throughput_batch``
    images per worker, with and without the all-reduce (alternating), and (3) times
    all-reduces of :data:`ALLREDUCE_SIZES` floats. With ``local_checks``, worker 0 then also
    takes the same step on the whole global batch in one process, twice: with the default
    strategy (one device) and with ``MirroredStrategy`` over two logical CPU devices; the
    workers wait for each other before they exit.

    Parameters
    ----------
    n_workers : int, default=2
    per_worker_batch : int, default=8
        Batch per worker of the float64 equality step.
    throughput_batch : int, default=64
        Batch per worker of the timed steps.
    n_steps : int, default=20
    threads_per_worker : int, default=1
        Intra-op threads of each worker (1 thread each: two workers then use two cores).
    learning_rate : float, default=0.1
    addresses : list of str, default=None
        ``"host:port"`` of each worker; ``None`` picks free ports on 127.0.0.1. (All workers
        are started here; on a real cluster start the worker program on each host instead.)
    timeout_s : float, default=180.0
        Every worker is killed if the run has not finished by then.
    random_state : int, default=0
    measure : bool, default=True
        Also run the timings (2) and (3).
    local_checks : bool, default=False
        Also compute the one-process references in worker 0 (saves a process of its own).

    Returns
    -------
    run : dict
        ``weights`` (list of ndarray, worker 0's after the step; every worker's agree),
        ``workers_agree`` (bool), ``timing`` (worker 0's timings, if ``measure``),
        ``initial``, ``reference`` and ``mirrored`` (the starting weights and the weights after
        the one-process steps, if ``local_checks``), ``seconds`` (wall time of the whole run,
        process start-up included).
    """
    n_workers = check_int(n_workers, "n_workers", low=1, high=16)
    if addresses is None:
        addresses = [f"{LOOPBACK}:{port}" for port in free_ports(n_workers)]
    elif len(addresses) != n_workers:
        raise ValueError(error_message("addresses", f"{n_workers} 'host:port' strings", addresses))
    spec = {"per_worker_batch": check_int(per_worker_batch, "per_worker_batch", low=1),
            "throughput_batch": check_int(throughput_batch, "throughput_batch", low=1),
            "n_steps": check_int(n_steps, "n_steps", low=1), "threads": check_int(threads_per_worker, "threads_per_worker", low=1),
            "learning_rate": check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False),
            "random_state": random_state, "measure": bool(measure), "local_checks": bool(local_checks)}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fusionlab-workers-") as folder, ProcessGroup(timeout_s=timeout_s) as group:
        for index in range(n_workers):
            environment = dict(os.environ, TF_CONFIG=json.dumps(tf_config(addresses, index)), TF_CPP_MIN_LOG_LEVEL="2",
                               CUDA_VISIBLE_DEVICES="-1")
            output = Path(folder) / f"worker{index}"
            group.start([sys.executable, "-m", "fusionlab.scale._tf_worker", json.dumps({**spec, "output": str(output)})], env=environment)
        group.wait()
        reports = [json.loads((Path(folder) / f"worker{i}.json").read_text()) for i in range(n_workers)]
        weights = [_load_weights(Path(folder) / f"worker{i}.npz") for i in range(n_workers)]
        local = {name: _load_weights(Path(folder) / f"worker0.{name}.npz") for name in ("initial", "reference", "mirrored") if local_checks}
    agree = all(all(np.array_equal(a, b) for a, b in zip(weights[0], other)) for other in weights[1:])
    return {"weights": weights[0], "workers_agree": agree, "timing": reports[0].get("timing"), **local,
            "seconds": time.perf_counter() - started, "addresses": addresses}


def _load_weights(path) -> list:
    with np.load(path) as arrays:
        return [arrays[f"arr_{i}"] for i in range(len(arrays.files))]


def worker_main(spec: dict) -> None:
    """What each worker process runs (``python -m fusionlab.scale._tf_worker SPEC``): see :func:`run_multi_worker`."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(spec["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(spec["threads"])
    is_chief = json.loads(os.environ["TF_CONFIG"])["task"]["index"] == 0
    local_checks = spec.get("local_checks", False) and is_chief
    if local_checks:  # two logical CPU devices for MirroredStrategy (MultiWorkerMirroredStrategy uses the first only),
        cpu = tf.config.list_physical_devices("CPU")[0]  # set before the strategy starts the runtime, without listing them
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    options = tf.distribute.experimental.CommunicationOptions(implementation=tf.distribute.experimental.CommunicationImplementation.RING)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    global_batch = spec["per_worker_batch"] * strategy.num_replicas_in_sync
    X, y = make_batch(global_batch, dtype="float64", random_state=spec["random_state"])
    step = {"learning_rate": spec["learning_rate"], "random_state": spec["random_state"]}
    np.savez(spec["output"] + ".npz", *one_step_weights(strategy, X, y, **step))
    report = {}
    if spec["measure"]:
        timing = time_steps(strategy, per_replica_batch=spec["throughput_batch"], n_steps=spec["n_steps"], compute_only=True)
        report["timing"] = {"step": timing, "compute_only": timing.pop("compute_only"),
                            "allreduce_s": {str(k): v for k, v in time_allreduce(strategy).items()}}
    if local_checks:  # after the last collective: worker 1 may leave now
        one_process = tf.distribute.get_strategy()
        devices = ["/device:CPU:0", "/device:CPU:1"]  # the two local logical devices, named without a job: not in-graph multi-worker
        mirrored = tf.distribute.MirroredStrategy(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())  # no collective ops
        np.savez(spec["output"] + ".initial.npz", *build_model(one_process, dtype="float64", random_state=spec["random_state"]).get_weights())
        np.savez(spec["output"] + ".reference.npz", *one_step_weights(one_process, X, y, **step))
        np.savez(spec["output"] + ".mirrored.npz", *one_step_weights(mirrored, X, y, **step))
    Path(spec["output"] + ".json").write_text(json.dumps(report))
