"""Timed experiments on synthetic least squares, run the same way for every data size.

Chapter 1 measures what one gradient step costs as the data grows (:func:`step_cost_by_size`);
chapter 3.2 races optimisers for the same time budget at growing sizes (:func:`race_by_size`)
and counts the steps each update rule needs as the valley gets narrower
(:func:`steps_by_condition_number`).
Each size gets a fresh, seeded problem from :func:`fusionlab.data.make_linear_regression`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .._validation import check_float, check_int, error_message
from .loop import minimize, time_gradient_steps
from .objectives import LeastSquares
from .optimizers import get_optimizer
from .schedules import make_schedule
from .theory import TUNED_RULES, predicted_steps, tuned_for_quadratic


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


def steps_by_condition_number(condition_numbers: Sequence[float], rules: Sequence[str] = TUNED_RULES, *,
                              tolerance: float = 1e-6, n_samples: int = 500, n_features: int = 20,
                              max_steps: int = 200_000, record_every: int = 1, random_state=0) -> dict:
    """Full-batch steps each tuned update rule needs to cut the excess loss by ``tolerance``, as the valley narrows.

    For every condition number a least-squares problem is drawn
    (:func:`fusionlab.data.make_linear_regression`); its exact curvatures ``mu`` and ``L`` set
    each rule's step size and momentum (:func:`fusionlab.optim.theory.tuned_for_quadratic`), and
    the rule runs from ``w = 0`` until ``L(w) - L(w*) <= tolerance * (L(0) - L(w*))``.

    Parameters
    ----------
    condition_numbers : sequence of float
        Each at least 1; the measured condition number of the drawn problem is reported.
    rules : sequence of {"gd", "momentum", "nesterov"}, default=all three
    tolerance : float, default=1e-6
        Fraction of the starting excess loss to reach, in (0, 1).
    n_samples, n_features : int, default=500, 20
    max_steps : int, default=200_000
        A rule that has not arrived by then is reported as NaN.
    record_every : int, default=1
        Check the loss every this many steps (the counts are then multiples of it).
    random_state : int, default=0

    Returns
    -------
    result : dict
        ``condition_number`` (ndarray, measured :math:`L/\\mu`), ``steps`` and ``predicted``
        (dicts ``rule -> ndarray``: measured steps, and :func:`fusionlab.optim.theory.predicted_steps`).
    """
    from ..data import make_linear_regression

    grid = [check_float(value, f"condition_numbers[{i}]", low=1.0) for i, value in enumerate(condition_numbers)]
    if not grid:
        raise ValueError(error_message("condition_numbers", "a non-empty sequence of numbers >= 1", list(condition_numbers), "Pass e.g. [10, 100, 1000]."))
    tolerance = check_float(tolerance, "tolerance", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 1e-6.")
    max_steps = check_int(max_steps, "max_steps", low=1)
    kappas, steps, predicted = [], {rule: [] for rule in rules}, {rule: [] for rule in rules}
    for condition_number in grid:
        X, y, _ = make_linear_regression(n_samples, n_features, condition_number=condition_number, noise_std=1.0, random_state=random_state)
        problem = LeastSquares(X, y)
        mu, L, optimum = problem.strong_convexity(), problem.smoothness(), problem.loss(problem.solution())
        start = np.zeros(problem.n_parameters)
        target = optimum + tolerance * (problem.loss(start) - optimum)
        kappas.append(L / mu)
        for rule in rules:
            _, history = minimize(problem, start, optimizer=tuned_for_quadratic(rule, mu, L), batch_size=None,
                                  n_steps=max_steps, target_loss=target, record_every=record_every)
            steps[rule].append(history.step[-1] if history.stopped_by == "target_loss" else np.nan)
            predicted[rule].append(predicted_steps(rule, mu, L, tolerance))
    return {"condition_number": np.asarray(kappas), "steps": {rule: np.asarray(v, dtype=float) for rule, v in steps.items()},
            "predicted": {rule: np.asarray(v) for rule, v in predicted.items()}}


def tune_update_rules(objective, w0, rules: Sequence[str] = ("sgd", "momentum", "nesterov", "adam"), *,
                      learning_rates: Sequence[float] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0), schedule: str = "constant",
                      batch_size: int | None = 32, n_steps: int = 1000, record_every: int = 25, n_last: int = 3,
                      random_state=0) -> dict:
    """Run each update rule with each learning rate on the same problem and keep its best run.

    Every run starts at ``w0``, sees the same mini-batches (same ``random_state``) and takes
    ``n_steps`` steps. A rule's score is the mean of its last ``n_last`` recorded losses (one
    record is noisy); a run that diverges scores infinity. The comparison is fair in the way
    practice is: each rule gets its own best learning rate from the same grid.

    Parameters
    ----------
    objective : object with ``n_samples``, ``loss(w)``, ``gradient(w, indices)``
    w0 : array-like of shape (n_parameters,)
    rules : sequence of {"sgd", "momentum", "nesterov", "adam"}
        Momentum and Nesterov use :math:`\\beta = 0.9` (:func:`fusionlab.optim.get_optimizer`).
    learning_rates : sequence of float
        The grid; with a decaying ``schedule`` these are the starting rates.
    schedule : str, default="constant"
        A name from :data:`fusionlab.optim.SCHEDULES`, stretched over ``n_steps``.
    batch_size, n_steps, record_every, random_state
        As in :func:`fusionlab.optim.minimize`.
    n_last : int, default=3

    Returns
    -------
    best : dict
        ``rule -> {"learning_rate": float, "loss": float, "history": History, "scores": ndarray}``:
        the best rate of each rule, its score and run, and the scores of every rate in the grid
        (shape (n_rates,), infinity where the run diverged).
    """
    rates = [check_float(rate, f"learning_rates[{i}]", low=0.0, low_inclusive=False) for i, rate in enumerate(learning_rates)]
    if not rates:
        raise ValueError(error_message("learning_rates", "a non-empty sequence of positive numbers", list(learning_rates), "Pass e.g. [0.01, 0.1, 1.0]."))
    n_last = check_int(n_last, "n_last", low=1)
    best = {}
    for rule in rules:
        scores = np.full(len(rates), np.inf)
        for index, rate in enumerate(rates):
            optimizer = get_optimizer(rule, make_schedule(schedule, rate, n_steps))
            try:
                _, history = minimize(objective, w0, optimizer=optimizer, batch_size=batch_size, n_steps=n_steps,
                                      record_every=record_every, random_state=random_state)
            except FloatingPointError:  # this rate diverges: it loses
                continue
            scores[index] = float(np.mean(history["loss"][-n_last:]))
            if scores[index] <= best.get(rule, {}).get("loss", np.inf):
                best[rule] = {"learning_rate": rate, "loss": scores[index], "history": history, "scores": scores}
        if rule not in best:
            raise FloatingPointError(f"every learning rate in {rates} made {rule!r} diverge; add smaller ones.")
    return best


__all__ = ["race_by_size", "step_cost_by_size", "steps_by_condition_number", "tune_update_rules"]
