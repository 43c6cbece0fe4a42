"""Timed experiments on synthetic least squares, run the same way for every data size.

Chapter 1 measures what one gradient step costs as the data grows (:func:`step_cost_by_size`);
chapter 3.2 races optimisers for the same time budget at growing sizes (:func:`race_by_size`).
Each size gets a fresh, seeded problem from :func:`fusionlab.data.make_linear_regression`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .._validation import check_float, check_int, error_message
from .loop import time_gradient_steps
from .objectives import LeastSquares


def _problem(n_samples, n_features, noise_std, condition_number, random_state) -> LeastSquares:
    from ..data import make_linear_regression

    X, y, _ = make_linear_regression(n_samples, n_features, noise_std=noise_std, condition_number=condition_number, random_state=random_state)
    return LeastSquares(X, y)


def _check_sizes(sizes) -> list[int]:
    sizes = list(sizes)
    if not sizes:
        raise ValueError(error_message("sizes", "a non-empty sequence of ints", sizes, "Pass e.g. [1_000, 10_000, 100_000]."))
    return [check_int(n, f"sizes[{i}]", low=2) for i, n in enumerate(sizes)]


def step_cost_by_size(sizes: Sequence[int], batch_sizes: Sequence[int | None] = (None, 32, 1), *, n_features: int = 20,
                      repeats: int = 7, noise_std: float = 0.5, condition_number: float = 1.0, random_state=0) -> dict:
    """Median seconds of one least-squares gradient step, for every data size and batch size.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of samples ``n``; one problem of each size is generated.
    batch_sizes : sequence of (int or None), default=(None, 32, 1)
        ``None`` is the full batch.
    n_features : int, default=20
    repeats : int, default=7
        Timings per step; the median is kept (see :func:`fusionlab.optim.time_gradient_steps`,
        which times on one BLAS thread).
    noise_std, condition_number : float, default=0.5, 1.0
        Passed to :func:`fusionlab.data.make_linear_regression`.
    random_state : int, default=0
        Seeds the problems and the sampled batches.

    Returns
    -------
    seconds : dict
        ``{batch_size: ndarray of shape (n_sizes,)}``, median seconds per step.
    """
    sizes = _check_sizes(sizes)
    seconds = {batch_size: [] for batch_size in batch_sizes}
    for n_samples in sizes:
        problem = _problem(n_samples, n_features, noise_std, condition_number, random_state)
        timing = time_gradient_steps(problem, list(batch_sizes), repeats=repeats, random_state=random_state)
        for batch_size in batch_sizes:
            seconds[batch_size].append(timing[batch_size])
    return {batch_size: np.asarray(values) for batch_size, values in seconds.items()}


def race_by_size(sizes: Sequence[int], runners: Mapping[str, Callable], *, n_features: int = 20, noise_std: float = 1.0,
                 condition_number: float = 100.0, floor: float = 1e-10, random_state=0) -> tuple[dict, dict]:
    """Run each optimiser on a least-squares problem of each size; report its excess loss and steps.

    Parameters
    ----------
    sizes : sequence of int
        Numbers of samples ``n``.
    runners : dict of str to callable
        ``label -> run(objective, w0) -> (w, History)``, e.g. a ``gradient_descent`` or ``sgd``
        call with a ``time_budget_s``: the race is then for the same time at every size.
    n_features : int, default=20
    noise_std, condition_number : float, default=1.0, 100.0
        Passed to :func:`fusionlab.data.make_linear_regression`.
    floor : float, default=1e-10
        Excess losses below it are reported as ``floor`` (converged, for a log-scale plot).
    random_state : int, default=0
        Seeds the problems (the runners seed their own sampling).

    Returns
    -------
    excess_loss : dict of str to ndarray of shape (n_sizes,)
        ``L(w) - L(w*)`` at the end of each run, at least ``floor``.
    n_steps : dict of str to ndarray of shape (n_sizes,)
        Parameter updates each run made.
    """
    sizes = _check_sizes(sizes)
    floor = check_float(floor, "floor", low=0.0)
    if not isinstance(runners, Mapping) or not runners:
        raise TypeError(error_message("runners", "a non-empty dict of label to run(objective, w0)", type(runners).__name__, "Pass e.g. {'GD': lambda problem, w: gradient_descent(problem, w, ...)}."))
    excess = {label: [] for label in runners}
    steps = {label: [] for label in runners}
    for n_samples in sizes:
        problem = _problem(n_samples, n_features, noise_std, condition_number, random_state)
        optimum = problem.loss(problem.solution())
        for label, run in runners.items():
            _, history = run(problem, np.zeros(problem.n_parameters))
            excess[label].append(max(history["loss"][-1] - optimum, floor))
            steps[label].append(history.step[-1])
    return ({label: np.asarray(values) for label, values in excess.items()},
            {label: np.asarray(values, dtype=np.int64) for label, values in steps.items()})


__all__ = ["race_by_size", "step_cost_by_size"]
