"""The communication-cost model of data-parallel training, from 2 to 1,024 workers.

Each step, every worker computes a gradient on its own batch (``t_compute``), then the
workers combine their gradients. Two ways:

- **Ring all-reduce.** The ``N`` workers form a ring; the gradient is cut into ``N`` pieces
  that travel round it twice (a reduce-scatter, then an all-gather), in ``2 (N - 1)`` rounds.
  Each worker sends and receives ``2 (N - 1) / N * M`` bytes for a model of ``M`` bytes:
  almost ``2 M`` whatever ``N``. With a per-message latency ``alpha`` and a link bandwidth
  ``beta`` (bytes per second)::

      t_ring(N) = 2 (N - 1) alpha + 2 (N - 1) / N * M / beta

- **Parameter server** (Dean et al., 2012; Li et al., 2014). Each worker pushes its gradient
  (``M`` bytes) and pulls the new parameters (``M`` bytes). With ``S`` server shards the
  servers together receive and send ``2 N M`` bytes, ``2 N M / S`` on each shard's link::

      t_ps(N) = 2 alpha + max(2 M, 2 N M / S) / beta

With no overlap of computation and communication, the scaling efficiency (the share of
``N`` times one worker's throughput that ``N`` workers deliver, at a fixed batch per worker) is::

      E(N) = t_compute / (t_compute + t_comm(N))

The constants (model sizes, step times, bandwidths) are in :data:`MODELS` and
:data:`BANDWIDTHS_GBIT`, each with its source. Used in chapter 5.1 and ``benchmarks/scale.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._validation import check_choice, check_float, check_int, error_message

#: Bytes per parameter of a float32 gradient.
FLOAT32_BYTES = 4

#: Model sizes (parameters) and per-step compute times (s) the chapter's figure uses.
#: ``step_s`` of the seed CNN is measured in the notebook; the others are derived from the
#: cited runs: ResNet-50 (25.6M parameters) trained for 90 epochs of ImageNet-1k's 1.28M images
#: with batch 8,192 on 256 GPUs in one hour (Goyal et al., 2017) is 14,076 steps in 3,600 s,
#: 0.256 s a step (communication included, so an upper bound on compute); BERT-large
#: (340M parameters), 1,000,000 steps in "4 days" on 64 TPU chips (Devlin et al., 2019):
#: 0.35 s a step.
MODELS = {
    "seed CNN (122,570)": {"parameters": 122_570, "step_s": None, "source": "fusionlab.models.build_seed_cnn; step time measured here"},
    "ResNet-50 size (25M)": {"parameters": 25_000_000, "step_s": 3600 / (90 * 1_281_167 / 8192), "source": "Goyal et al. (2017): 90 epochs, batch 8,192, 1 hour"},
    "BERT-large size (340M)": {"parameters": 340_000_000, "step_s": 4 * 86400 / 1_000_000, "source": "Devlin et al. (2019): 1M steps in 4 days"},
}

#: Link bandwidths (Gbit/s) of the figure: common data-centre Ethernet speeds.
BANDWIDTHS_GBIT = (10.0, 100.0)


def gbit_to_bytes_per_s(gbit_per_s: float) -> float:
    """Convert a link speed in Gbit/s to bytes per second (1 Gbit = 10^9 bits)."""
    return check_float(gbit_per_s, "gbit_per_s", low=0.0, low_inclusive=False) * 1e9 / 8


def ring_allreduce_bytes(n_workers, model_bytes: float):
    """Bytes each worker sends (and receives) in one ring all-reduce: ``2 (N - 1) / N * M``."""
    n = _check_workers(n_workers)
    model_bytes = check_float(model_bytes, "model_bytes", low=0.0)
    return 2.0 * (n - 1) / n * model_bytes


def parameter_server_bytes(n_workers, model_bytes: float, *, n_servers: int = 1) -> dict:
    """Bytes per step through one worker's link and through one server shard's link.

    Returns
    -------
    traffic : dict
        ``{"worker": 2 M, "server": 2 N M / S}`` (arrays when ``n_workers`` is an array).
    """
    n = _check_workers(n_workers)
    model_bytes = check_float(model_bytes, "model_bytes", low=0.0)
    n_servers = check_int(n_servers, "n_servers", low=1)
    return {"worker": np.full_like(n, 2.0 * model_bytes, dtype=float), "server": 2.0 * n * model_bytes / n_servers}


def communication_time_s(n_workers, model_bytes: float, bandwidth_bytes_per_s: float, *, latency_s: float = 0.0,
                         scheme: str = "ring", n_servers: int = 1):
    """Seconds of communication per step (formulas in the module docstring); 0 for one worker."""
    n = _check_workers(n_workers)
    beta = check_float(bandwidth_bytes_per_s, "bandwidth_bytes_per_s", low=0.0, low_inclusive=False)
    alpha = check_float(latency_s, "latency_s", low=0.0)
    scheme = check_choice(scheme, "scheme", ("ring", "parameter_server"))
    if scheme == "ring":
        seconds = 2.0 * (n - 1) * alpha + ring_allreduce_bytes(n, model_bytes) / beta
    else:
        traffic = parameter_server_bytes(n, model_bytes, n_servers=n_servers)
        seconds = 2.0 * alpha + np.maximum(traffic["worker"], traffic["server"]) / beta
    return np.where(n > 1, seconds, 0.0)


def scaling_efficiency(n_workers, *, compute_s: float, model_bytes: float, bandwidth_bytes_per_s: float,
                       latency_s: float = 0.0, scheme: str = "ring", n_servers: int = 1):
    """Predicted ``E(N) = t_compute / (t_compute + t_comm(N))`` (1 for one worker).

    Parameters
    ----------
    n_workers : int or array of int
    compute_s : float
        One worker's compute time per step (forward, backward, update).
    model_bytes : float
        Gradient size in bytes (parameters x 4 for float32).
    bandwidth_bytes_per_s : float
        Link bandwidth (see :func:`gbit_to_bytes_per_s`).
    latency_s : float, default=0.0
        Per-message latency ``alpha``.
    scheme : {"ring", "parameter_server"}, default="ring"
    n_servers : int, default=1
        Parameter-server shards.

    Returns
    -------
    efficiency : float or ndarray, in (0, 1]
    """
    compute_s = check_float(compute_s, "compute_s", low=0.0, low_inclusive=False)
    comm = communication_time_s(n_workers, model_bytes, bandwidth_bytes_per_s, latency_s=latency_s, scheme=scheme, n_servers=n_servers)
    return compute_s / (compute_s + comm)


def efficiency_table(n_workers: Sequence[int], models: dict, bandwidths_gbit: Sequence[float], *, latency_s: float = 0.0,
                     scheme: str = "ring") -> dict:
    """Predicted efficiency for every model and bandwidth: ``{(model, gbit): ndarray over n_workers}``.

    ``models`` maps a name to ``{"parameters": int, "step_s": float}`` (as :data:`MODELS`, with
    every ``step_s`` filled in).
    """
    n = _check_workers(n_workers)
    table = {}
    for name, spec in models.items():
        if spec.get("step_s") is None:
            raise ValueError(error_message(f"models[{name!r}]['step_s']", "a measured or cited step time in seconds", None, "Fill it in before predicting."))
        for gbit in bandwidths_gbit:
            table[(name, float(gbit))] = scaling_efficiency(
                n, compute_s=spec["step_s"], model_bytes=spec["parameters"] * FLOAT32_BYTES,
                bandwidth_bytes_per_s=gbit_to_bytes_per_s(gbit), latency_s=latency_s, scheme=scheme)
    return table


def fit_latency_bandwidth(sizes_bytes: Sequence[float], seconds: Sequence[float], *, n_workers: int = 2) -> dict:
    """Fit ``alpha`` and ``beta`` of the ring model to measured all-reduce times (least squares).

    ``t = 2 (N - 1) alpha + 2 (N - 1) / N * s / beta`` is linear in ``alpha`` and ``1 / beta``.

    Returns
    -------
    fit : dict
        ``{"latency_s": alpha, "bandwidth_bytes_per_s": beta}``.
    """
    sizes = np.asarray(sizes_bytes, dtype=float)
    times = np.asarray(seconds, dtype=float)
    if sizes.shape != times.shape or sizes.size < 2 or np.unique(sizes).size < 2:
        raise ValueError(error_message("sizes_bytes", "at least two different sizes, one time each", sizes.tolist(), "Measure a small and a large all-reduce."))
    n = check_int(n_workers, "n_workers", low=2)
    design = np.column_stack([np.full_like(sizes, 2.0 * (n - 1)), 2.0 * (n - 1) / n * sizes])
    (alpha, inverse_beta), *_ = np.linalg.lstsq(design, times, rcond=None)
    alpha = max(float(alpha), 0.0)
    inverse_beta = max(float(inverse_beta), 1e-15)
    return {"latency_s": alpha, "bandwidth_bytes_per_s": 1.0 / inverse_beta}


def check_ring_model(allreduce_s: Mapping, size: int, *, n_workers: int = 2) -> dict:
    """Fit the ring model to the smallest and largest of measured all-reduces, predict another.

    The latency and bandwidth come from the two extreme sizes alone (:func:`fit_latency_bandwidth`),
    so the all-reduce of ``size`` float32 values, measured too, is predicted out of sample:
    a check of the model's form, not of its fit.

    Parameters
    ----------
    allreduce_s : mapping of int or str to float
        Seconds of one all-reduce of each size (float32 elements), e.g. the ``"allreduce_s"``
        timing of :func:`fusionlab.scale.distribute.run_multi_worker`.
    size : int
        The size to predict, one of the measured ones strictly between the extremes.
    n_workers : int, default=2
        Workers in the measured ring.

    Returns
    -------
    check : dict
        ``latency_s``, ``bandwidth_bytes_per_s`` (the fit), ``predicted_s`` and ``measured_s``
        (of ``size``), ``fitted_sizes`` (the two extremes).
    """
    times = {int(key): float(value) for key, value in allreduce_s.items()}
    sizes = sorted(times)
    size = check_int(size, "size", low=1)
    if len(sizes) < 3 or size not in sizes[1:-1]:
        raise ValueError(error_message("size", f"a measured size between the smallest and the largest of {sizes}", size,
                                       "Measure at least three sizes, and predict a middle one."))
    fit = fit_latency_bandwidth([FLOAT32_BYTES * sizes[0], FLOAT32_BYTES * sizes[-1]], [times[sizes[0]], times[sizes[-1]]], n_workers=n_workers)
    predicted = communication_time_s(n_workers, FLOAT32_BYTES * size, fit["bandwidth_bytes_per_s"], latency_s=fit["latency_s"])
    return {**fit, "predicted_s": float(predicted), "measured_s": times[size], "fitted_sizes": [sizes[0], sizes[-1]]}


def _check_workers(n_workers):
    n = np.asarray(n_workers)
    if n.dtype.kind not in "iuf" or np.any(n < 1) or np.any(n != np.round(n)):
        raise ValueError(error_message("n_workers", "ints >= 1", n_workers if n.ndim == 0 else n.tolist(), "Use e.g. [1, 2, 4, ..., 1024]."))
    return n.astype(float) if n.ndim else float(n)
