"""The optimisation loop: full-batch gradient descent, (mini-batch) SGD, momentum and Adam runs,
recording loss, samples seen, wall-clock time and learning rate in a :class:`fusionlab.history.History`.
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import check_float, check_int, check_random_state, error_message
from ..history import History
from .optimizers import SGD, Optimizer, get_optimizer


def _finite_loss(objective, w, learning_rate, step) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        loss = objective.loss(w)
    if not np.isfinite(loss):
        raise FloatingPointError(
            f"learning_rate={learning_rate} made the weights diverge after {step} steps; lower the learning rate."
        )
    return loss


def _check_stop(n_steps, time_budget_s):
    if n_steps is None and time_budget_s is None:
        raise ValueError(
            error_message("n_steps/time_budget_s", "at least one stopping rule", None, "Pass n_steps=100 or time_budget_s=1.0 (seconds).")
        )
    if n_steps is not None:
        check_int(n_steps, "n_steps", low=1)
    if time_budget_s is not None:
        check_float(time_budget_s, "time_budget_s", low=0.0, low_inclusive=False, fix="Give the budget in seconds, e.g. 1.0.")


def minimize(
    objective,
    w0,
    *,
    optimizer,
    batch_size: int | None = 1,
    n_steps: int | None = None,
    time_budget_s: float | None = None,
    target_loss: float | None = None,
    record_every: int = 1,
    record_weights: bool = False,
    random_state=None,
):
    """Minimise ``objective`` with any update rule, from mini-batch gradients.

    Each step takes the next ``batch_size`` indices of a random permutation of the data (a new
    permutation once the current one cannot fill a batch: one pass is an epoch), evaluates
    their mean gradient and hands it to ``optimizer``. ``batch_size=None`` uses every sample in
    every step (full-batch, deterministic).

    Parameters
    ----------
    objective : object with ``n_samples``, ``loss(w)``, ``gradient(w, indices)``
    w0 : array-like of shape (n_parameters,)
        Starting point (not modified).
    optimizer : Optimizer or {"sgd", "momentum", "nesterov", "adam"}
        The update rule; an instance is used as given (its state is reset first).
    batch_size : int or None, default=1
        Samples per step, in [1, n_samples]; None for the full batch.
    n_steps, time_budget_s : int, float or None
        Stop after this many steps and/or seconds of updating (at least one is required).
    target_loss : float or None, default=None
        Also stop at the first record whose loss is at most this value (the loss is checked
        every ``record_every`` steps); ``history.stopped_by`` is then ``"target_loss"``, and
        ``history.step[-1]`` the number of steps it took. Use it to count the steps an
        optimiser needs to reach a tolerance.
    record_every : int, default=1
        Record the full loss every this many steps (and at the start and the end).
    record_weights : bool, default=False
        Also keep a copy of ``w`` at each record (for trajectory plots).
    random_state : int, Generator or None
        Seeds the sampling.

    Returns
    -------
    w : ndarray of shape (n_parameters,)
    history : fusionlab.history.History
        A record at the start, every ``record_every`` steps and at the end: ``epoch``
        (``n_samples_seen / n_samples``), ``step``, ``elapsed_s`` (seconds spent updating; the
        loss evaluations are not counted), ``n_samples_seen``, and the metrics ``"loss"`` (the
        objective on all the data) and ``"learning_rate"`` (of the last update; NaN at step 0).

    Raises
    ------
    FloatingPointError
        When the weights stop being finite (the learning rate is too large).

    See Also
    --------
    keras.Model.fit : the same loop for Keras models; sklearn.linear_model.SGDRegressor.
    """
    optimizer = get_optimizer(optimizer)
    n = objective.n_samples
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", low=1, high=n, fix="Use None for the full batch.")
    record_every = check_int(record_every, "record_every", low=1)
    _check_stop(n_steps, time_budget_s)
    if target_loss is not None:
        target_loss = check_float(target_loss, "target_loss", fix="Pass the loss to reach, e.g. optimum + 1e-6.")
    rng = check_random_state(random_state)
    optimizer.reset()

    w = np.array(w0, dtype=np.float64, copy=True)
    history = History()
    snapshot = (lambda: w) if record_weights else (lambda: None)
    history.record(epoch=0.0, step=0, elapsed_s=0.0, n_samples_seen=0, weights=snapshot(), loss=objective.loss(w), learning_rate=float("nan"))
    permutation, cursor = rng.permutation(n), 0
    elapsed, step, seen, rate = 0.0, 0, 0, float("nan")
    reached = target_loss is not None and history["loss"][0] <= target_loss
    while (n_steps is None or step < n_steps) and (time_budget_s is None or elapsed < time_budget_s) and not reached:
        start = time.perf_counter()
        if batch_size is None:
            indices = None
        else:
            if cursor + batch_size > n:
                permutation, cursor = rng.permutation(n), 0
            indices = permutation[cursor : cursor + batch_size]
            cursor += batch_size
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            rate = optimizer.apply([w], [objective.gradient(w, indices)])
        elapsed += time.perf_counter() - start
        step += 1
        seen += n if batch_size is None else batch_size
        if step % record_every == 0 or not np.all(np.isfinite(w)):
            loss = _finite_loss(objective, w, optimizer.learning_rate, step)
            history.record(epoch=seen / n, step=step, elapsed_s=elapsed, n_samples_seen=seen, weights=snapshot(), loss=loss, learning_rate=rate)
            reached = target_loss is not None and loss <= target_loss
    if history.step[-1] != step:
        loss = _finite_loss(objective, w, optimizer.learning_rate, step)
        history.record(epoch=seen / n, step=step, elapsed_s=elapsed, n_samples_seen=seen, weights=snapshot(), loss=loss, learning_rate=rate)
    history.stopped_by = "target_loss" if reached else "n_steps" if n_steps is not None and step >= n_steps else "time_budget"
    return w, history


def sgd(objective, w0, *, learning_rate, momentum: float = 0.0, **options):
    """Minimise ``objective`` by (mini-batch) stochastic gradient descent: :func:`minimize` with :class:`SGD`.

    Each step samples ``batch_size`` indices without replacement from a fresh permutation of
    the data (one pass over the permutation is an epoch) and moves against their mean gradient:
    :math:`w \\leftarrow w - \\eta_t\\, \\nabla L_B(w)`. ``batch_size=None`` uses every sample in
    every step, which is full-batch gradient descent (see :func:`gradient_descent`).

    Parameters
    ----------
    objective : object with ``n_samples``, ``loss(w)``, ``gradient(w, indices)``
    w0 : array-like of shape (n_features,)
        Starting point (not modified).
    learning_rate : float or schedule
        Step size, > 0, or a schedule ``step -> rate`` (:mod:`fusionlab.optim.schedules`).
    momentum : float, default=0.0
        Heavy-ball momentum in [0, 1) (see :class:`SGD`).
    **options
        ``batch_size`` (default 1), ``n_steps``, ``time_budget_s``, ``record_every``,
        ``record_weights`` and ``random_state``, as in :func:`minimize`.

    Returns
    -------
    w : ndarray of shape (n_features,)
    history : fusionlab.history.History
        As :func:`minimize` records it.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : scikit-learn's SGD for linear models.
    minimize : the same loop with any update rule (Adam, Nesterov).

    Notes
    -----
    Chapter 1 (cost of a step as data grows) and chapter 3.2 (SGD against full-batch GD).
    """
    return minimize(objective, w0, optimizer=SGD(learning_rate, momentum=momentum), **options)


def gradient_descent(objective, w0, *, learning_rate, **options):
    """Full-batch gradient descent: :func:`sgd` with every sample in every step (deterministic).

    ``options`` are those of :func:`minimize` except ``batch_size`` and ``random_state``; see
    :func:`sgd` for the rest of the parameters and the return values.
    """
    return sgd(objective, w0, learning_rate=learning_rate, batch_size=None, random_state=0, **options)


def _n_parameters(objective) -> int:
    return getattr(objective, "n_parameters", None) or objective.n_features


def time_gradient_steps(objective, batch_sizes, *, repeats: int = 7, threads: int | None = 1, random_state=None) -> dict:
    """Median wall-clock seconds of one gradient evaluation for each batch size.

    By default the BLAS library is limited to one thread while timing, so the figure measures
    the algorithm's work rather than how the operating system schedules threads on a busy
    machine.

    Parameters
    ----------
    objective : object with ``n_samples`` and ``gradient(w, indices)``
    batch_sizes : sequence of (int or None)
        ``None`` means the full batch.
    repeats : int, default=7
        Timings per batch size; the median is reported (machines are noisy).
    threads : int or None, default=1
        BLAS threads while timing; None leaves the library's default.
    random_state : int, Generator or None
        Seeds the sampled indices.

    Returns
    -------
    seconds : dict
        ``{batch_size: median seconds}``.
    """
    from threadpoolctl import threadpool_limits

    repeats = check_int(repeats, "repeats", low=1)
    if threads is not None:
        threads = check_int(threads, "threads", low=1)
    rng = check_random_state(random_state)
    w = np.zeros(_n_parameters(objective))
    result = {}
    with threadpool_limits(limits=threads):
        for batch_size in batch_sizes:
            result[batch_size] = _median_step_seconds(objective, w, batch_size, repeats, rng)
    return result


def _median_step_seconds(objective, w, batch_size, repeats, rng) -> float:
    if batch_size is not None:
        check_int(batch_size, "batch_size", low=1, high=objective.n_samples)
    samples = []
    for _ in range(repeats):
        indices = None if batch_size is None else rng.integers(0, objective.n_samples, size=batch_size)
        start = time.perf_counter()
        objective.gradient(w, indices)
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def gradient_noise(objective, w, batch_sizes, *, n_draws: int = 200, random_state=None) -> dict:
    """Mean squared distance between a mini-batch gradient and the full gradient, per batch size.

    Estimates :math:`\\mathbb{E}\\lVert \\nabla L_B(w) - \\nabla L(w)\\rVert^2` over ``n_draws``
    batches drawn without replacement, as :func:`minimize` draws them. Theory says it equals
    :math:`\\frac{\\sigma^2}{b}\\,\\frac{n-b}{n-1}` (``sigma^2`` the per-sample gradient
    variance), so it falls like ``1/b`` and reaches 0 at the full batch.

    Parameters
    ----------
    objective : object with ``n_samples``, ``gradient(w, indices)``
    w : array-like of shape (n_parameters,)
    batch_sizes : sequence of int
        Each in [1, n_samples].
    n_draws : int, default=200
    random_state : int, Generator or None

    Returns
    -------
    noise : dict
        ``{batch_size: mean squared distance}``.
    """
    n_draws = check_int(n_draws, "n_draws", low=1)
    rng = check_random_state(random_state)
    w = np.asarray(w, dtype=np.float64)
    full = objective.gradient(w)
    noise = {}
    for batch_size in batch_sizes:
        batch_size = check_int(batch_size, "batch_size", low=1, high=objective.n_samples)
        draws = [
            np.sum((objective.gradient(w, rng.choice(objective.n_samples, batch_size, replace=False)) - full) ** 2)
            for _ in range(n_draws)
        ]
        noise[batch_size] = float(np.mean(draws))
    return noise


def gradient_noise_theory(objective, w, batch_sizes) -> dict:
    """What :func:`gradient_noise` should measure: :math:`\\frac{\\sigma^2}{b}\\,\\frac{n-b}{n-1}` per batch size.

    :math:`\\sigma^2 = \\frac{1}{n}\\sum_i \\lVert \\nabla \\ell_i(w) - \\nabla L(w)\\rVert^2` is the variance
    of a single sample's gradient over the ``n`` samples (the population variance, ``ddof=0``),
    computed from every per-sample gradient; the factor :math:`(n-b)/(n-1)` is the
    finite-population correction for batches drawn without replacement. The tests check the
    formula against the exact average over every possible batch.

    Parameters
    ----------
    objective : object with ``n_samples``, ``gradient(w, indices)``
    w : array-like of shape (n_parameters,)
    batch_sizes : sequence of int
        Each in [1, n_samples].

    Returns
    -------
    noise : dict
        ``{batch_size: expected mean squared distance}``.
    """
    w = np.asarray(w, dtype=np.float64)
    n = objective.n_samples
    per_sample = np.array([objective.gradient(w, [i]) for i in range(n)])  # (n_samples, n_parameters)
    sigma2 = float(np.sum(per_sample.var(axis=0)))  # ddof=0: the population of the n samples
    return {check_int(b, "batch_size", low=1, high=n): sigma2 / b * (n - b) / (n - 1) for b in batch_sizes}


__all__ = ["Optimizer", "minimize", "sgd", "gradient_descent", "time_gradient_steps", "gradient_noise", "gradient_noise_theory"]
