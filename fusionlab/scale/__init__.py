"""Data and compute at scale (chapter 5.1): out of core, on Dask, on tf.distribute, and the
algorithms that change when data and workers grow.

Modules (each imported on first use, so ``import fusionlab.scale`` is fast and pulls in
neither Dask nor TensorFlow):

streaming    NpyChunkReader, hash_fields, partial_fit_stream, evaluate_stream, train_click_log
processes    ProcessGroup (children that cannot outlive the caller), measure_peak_memory, free_ports
dask_tools   dask_client (LocalCluster on 127.0.0.1 or a real scheduler), click_log_frame,
             click_rates, hashed_click_arrays, incremental_fit, task_overhead_s, search_on_cluster,
             speedup_against_one_worker
distribute   tf_config, configure_cpu_devices, make_train_step, one_step_weights, time_steps,
             time_allreduce, run_multi_worker (MultiWorkerMirroredStrategy on loopback)
sgd          sgd_logistic: mini-batch SGD with stale gradients and a learning-rate schedule
async_sgd    staleness_sweep, critical_learning_rate
large_batch  warmup_schedule, batch_size_sweep (Goyal et al.'s linear scaling rule)
search       FieldHasher, halving_vs_random (successive halving at equal compute)
comms        ring all-reduce and parameter-server traffic, scaling_efficiency, fit_latency_bandwidth,
             check_ring_model
"""

from __future__ import annotations

import importlib

_MODULES = {"streaming", "processes", "dask_tools", "distribute", "sgd", "async_sgd", "large_batch", "search", "comms"}

_NAMES = {
    "NpyChunkReader": "streaming", "hash_fields": "streaming", "peak_memory_by_size": "streaming", "partial_fit_stream": "streaming",
    "evaluate_stream": "streaming", "train_click_log": "streaming", "make_sgd_classifier": "streaming",
    "ProcessGroup": "processes", "measure_peak_memory": "processes", "free_ports": "processes", "live_children": "processes",
    "dask_client": "dask_tools", "click_log_frame": "dask_tools", "click_rates": "dask_tools",
    "click_rates_in_memory": "dask_tools", "hashed_click_arrays": "dask_tools", "task_overhead_s": "dask_tools",
    "search_on_cluster": "dask_tools", "worker_memory_mb": "dask_tools", "incremental_fit": "dask_tools", "search_workload": "dask_tools", "speedup_against_one_worker": "dask_tools",
    "tf_config": "distribute", "configure_cpu_devices": "distribute", "make_train_step": "distribute",
    "one_step_weights": "distribute", "time_steps": "distribute", "time_allreduce": "distribute",
    "run_multi_worker": "distribute", "make_batch": "distribute", "build_model": "distribute", "max_abs_difference": "distribute",
    "sgd_logistic": "sgd", "logistic_loss": "sgd",
    "staleness_sweep": "async_sgd", "critical_learning_rate": "async_sgd",
    "warmup_schedule": "large_batch", "batch_size_sweep": "large_batch",
    "FieldHasher": "search", "halving_vs_random": "search",
    "ring_allreduce_bytes": "comms", "parameter_server_bytes": "comms", "communication_time_s": "comms",
    "scaling_efficiency": "comms", "efficiency_table": "comms", "fit_latency_bandwidth": "comms", "check_ring_model": "comms",
    "gbit_to_bytes_per_s": "comms", "MODELS": "comms", "BANDWIDTHS_GBIT": "comms",
}


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'fusionlab.scale' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _MODULES | set(_NAMES))


__all__ = sorted(_NAMES)
