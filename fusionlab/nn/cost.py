"""What a forward and a backward pass cost: multiply-adds counted from the layer sizes, and time measured.

A dense layer's forward pass is one matrix product, ``n * n_in * n_out`` multiply-adds for a
batch of ``n``. Its backward pass needs the product for the weight gradient (the same count)
and, for every layer but the first, one more to pass the error down to the layer below. So
backpropagation costs between one and two forward passes, whatever the number of weights:
the first layer's share decides where in between. Chapter 3.1 measures it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from .._validation import check_int, error_message
from .network import _check_data, backward, forward, softmax


def multiply_adds(layer_sizes: Sequence[int], n_samples: int = 1) -> dict:
    """Multiply-adds of the matrix products in one forward and one backward pass.

    Parameters
    ----------
    layer_sizes : sequence of int
        Input width, hidden widths, outputs, e.g. ``[64, 64, 10]``.
    n_samples : int, default=1
        Batch size.

    Returns
    -------
    counts : dict
        ``forward`` (:math:`n\\sum_l n_{l-1} n_l`), ``backward`` (the weight gradients, the same
        count, plus :math:`n\\sum_{l \\ge 2} n_{l-1} n_l` for the errors passed down) and ``ratio``.
    """
    sizes = [check_int(size, f"layer_sizes[{i}]", low=1) for i, size in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(error_message("layer_sizes", "at least two sizes (inputs and outputs)", sizes, "Pass e.g. [64, 64, 10]."))
    n_samples = check_int(n_samples, "n_samples", low=1)
    products = [n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    forward_count = n_samples * sum(products)
    backward_count = forward_count + n_samples * sum(products[1:])  # no error is needed below the first layer
    return {"forward": forward_count, "backward": backward_count, "ratio": backward_count / forward_count}


def time_forward_backward(params: list[dict], X, y, *, activation: str = "relu", repeats: int = 25) -> dict:
    """Median seconds of one forward pass (to the softmax) and of one backward pass, timed in turn.

    Forward and backward passes alternate, so a burst of load on the machine hits both; the
    medians of ``repeats`` timings are kept. BLAS runs on one thread, so the figure measures the
    arithmetic, not the scheduling of threads on a busy machine.

    Returns
    -------
    timing : dict
        ``forward_s``, ``backward_s`` and ``ratio`` (backward over forward).

    See Also
    --------
    multiply_adds : the ratio the arithmetic alone predicts.
    """
    X, y = _check_data(params, X, y)
    repeats = check_int(repeats, "repeats", low=1)
    forward_s, backward_s = [], []
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            start = time.perf_counter()
            logits, cache = forward(params, X, activation=activation)
            probabilities = softmax(logits)
            middle = time.perf_counter()
            backward(params, cache, probabilities, y, activation=activation)
            forward_s.append(middle - start)
            backward_s.append(time.perf_counter() - middle)
    forward_median, backward_median = float(np.median(forward_s)), float(np.median(backward_s))
    return {"forward_s": forward_median, "backward_s": backward_median, "ratio": backward_median / forward_median}


__all__ = ["multiply_adds", "time_forward_backward"]
