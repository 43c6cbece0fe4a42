"""From-scratch optimisers on NumPy: full-batch gradient descent and stochastic gradient descent.

No TensorFlow here: this is the side that tests compare against TensorFlow and closed forms.

An *objective* is anything with ``n_samples``, ``loss(w)`` and ``gradient(w, indices=None)``;
``indices`` selects the samples a stochastic step reads. :class:`LeastSquares` is the one the
course starts from, because its minimiser has a closed form to check against.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import (
    check_array,
    check_consistent_length,
    check_float,
    check_int,
    check_random_state,
    error_message,
)


class LeastSquares:
    r"""Mean squared error of a linear model, with optional L2 penalty.

    .. math:: L(w) = \frac{1}{2n}\lVert Xw - y\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l2 : float, default=0.0
        The penalty :math:`\lambda \ge 0`.

    See Also
    --------
    numpy.linalg.lstsq : the closed-form reference used by :meth:`solution`.
    """

    def __init__(self, X, y, l2: float = 0.0):
        self.X = check_array(X, "X", ndim=2)
        self.y = check_array(y, "y", ndim=1)
        check_consistent_length(X=self.X, y=self.y)
        self.l2 = check_float(l2, "l2", low=0.0)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def _check_weights(self, w) -> np.ndarray:
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (self.n_features,):
            raise ValueError(
                error_message("w", f"an array of shape ({self.n_features},)", f"shape {w.shape}", "Start from np.zeros(X.shape[1]).")
            )
        return w

    def loss(self, w) -> float:
        """Objective value at ``w`` over all samples."""
        w = self._check_weights(w)
        residual = self.X @ w - self.y  # (n_samples,)
        return float(0.5 * np.mean(residual**2) + 0.5 * self.l2 * w @ w)

    def gradient(self, w, indices=None) -> np.ndarray:
        """Gradient at ``w``, averaged over all samples or over ``indices`` only.

        Returns
        -------
        gradient : ndarray of shape (n_features,)
        """
        w = self._check_weights(w)
        X, y = (self.X, self.y) if indices is None else (self.X[indices], self.y[indices])
        residual = X @ w - y  # (batch,)
        return X.T @ residual / len(y) + self.l2 * w

    def solution(self) -> np.ndarray:
        """The exact minimiser, from the normal equations."""
        n = self.n_samples
        A = self.X.T @ self.X / n + self.l2 * np.eye(self.n_features)
        return np.linalg.solve(A, self.X.T @ self.y / n)


@dataclass
class History:
    """What an optimiser run recorded.

    Attributes
    ----------
    step : list of int
        Number of parameter updates done when each loss was recorded.
    samples_seen : list of int
        Number of per-sample gradient evaluations done so far (epochs = samples_seen / n_samples).
    seconds : list of float
        Wall-clock time spent updating (loss evaluations for the record are not counted).
    loss : list of float
        Objective on the full data.
    """

    step: list[int] = field(default_factory=list)
    samples_seen: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    def record(self, step, samples_seen, seconds, loss) -> None:
        self.step.append(int(step))
        self.samples_seen.append(int(samples_seen))
        self.seconds.append(float(seconds))
        self.loss.append(float(loss))


def _check_stop(num_steps, time_budget):
    if num_steps is None and time_budget is None:
        raise ValueError(
            error_message("num_steps/time_budget", "at least one stopping rule", None, "Pass num_steps=100 or time_budget=1.0 (seconds).")
        )
    if num_steps is not None:
        check_int(num_steps, "num_steps", low=1)
    if time_budget is not None:
        check_float(time_budget, "time_budget", low=0.0, low_inclusive=False, fix="Give the budget in seconds, e.g. 1.0.")


def sgd(
    objective,
    w0,
    *,
    learning_rate: float,
    batch_size: int | None = 1,
    num_steps: int | None = None,
    time_budget: float | None = None,
    record_every: int = 1,
    random_state=None,
):
    """Minimise ``objective`` by (mini-batch) stochastic gradient descent.

    Each step samples ``batch_size`` indices without replacement from a fresh permutation of
    the data (one pass over the permutation is an epoch) and moves against their mean gradient:
    :math:`w \\leftarrow w - \\eta\\, \\nabla L_B(w)`. ``batch_size=None`` uses every sample in
    every step, which is full-batch gradient descent (see :func:`gradient_descent`).

    Parameters
    ----------
    objective : object with ``n_samples``, ``loss(w)``, ``gradient(w, indices)``
    w0 : array-like of shape (n_features,)
        Starting point (not modified).
    learning_rate : float
        Step size, > 0.
    batch_size : int or None, default=1
        Samples per step, in [1, n_samples]; None for the full batch.
    num_steps, time_budget : int, float or None
        Stop after this many steps and/or seconds of updating (at least one is required).
    record_every : int, default=1
        Record the full loss every this many steps (and at the start and the end).
    random_state : int, Generator or None
        Seeds the sampling.

    Returns
    -------
    w : ndarray of shape (n_features,)
    history : History

    See Also
    --------
    sklearn.linear_model.SGDRegressor : scikit-learn's SGD for linear models.

    Notes
    -----
    Chapter 1 (cost of a step as data grows) and chapter 3.2 (SGD against full-batch GD).
    """
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 0.1 and lower it if the loss grows.")
    n = objective.n_samples
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", low=1, high=n, fix="Use None for the full batch.")
    record_every = check_int(record_every, "record_every", low=1)
    _check_stop(num_steps, time_budget)
    rng = check_random_state(random_state)

    w = np.array(w0, dtype=np.float64, copy=True)
    history = History()
    history.record(0, 0, 0.0, objective.loss(w))
    permutation, cursor = rng.permutation(n), 0
    elapsed, step, seen = 0.0, 0, 0
    while (num_steps is None or step < num_steps) and (time_budget is None or elapsed < time_budget):
        start = time.perf_counter()
        if batch_size is None:
            indices = None
        else:
            if cursor + batch_size > n:
                permutation, cursor = rng.permutation(n), 0
            indices = permutation[cursor : cursor + batch_size]
            cursor += batch_size
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            w -= learning_rate * objective.gradient(w, indices)
        elapsed += time.perf_counter() - start
        step += 1
        seen += n if batch_size is None else batch_size
        if not np.all(np.isfinite(w)):
            raise FloatingPointError(
                f"learning_rate={learning_rate} made the weights diverge after {step} steps; lower the learning rate."
            )
        if step % record_every == 0:
            history.record(step, seen, elapsed, objective.loss(w))
    if history.step[-1] != step:
        history.record(step, seen, elapsed, objective.loss(w))
    return w, history


def gradient_descent(objective, w0, *, learning_rate: float, num_steps=None, time_budget=None, record_every: int = 1):
    """Full-batch gradient descent: :func:`sgd` with every sample in every step.

    See :func:`sgd` for the parameters and return values.
    """
    return sgd(
        objective, w0, learning_rate=learning_rate, batch_size=None, num_steps=num_steps,
        time_budget=time_budget, record_every=record_every, random_state=0,
    )


def time_gradient_steps(objective, batch_sizes, *, repeats: int = 7, random_state=None) -> dict:
    """Median wall-clock seconds of one gradient evaluation for each batch size.

    Parameters
    ----------
    objective : object with ``n_samples`` and ``gradient(w, indices)``
    batch_sizes : sequence of (int or None)
        ``None`` means the full batch.
    repeats : int, default=7
        Timings per batch size; the median is reported (machines are noisy).
    random_state : int, Generator or None
        Seeds the sampled indices.

    Returns
    -------
    seconds : dict
        ``{batch_size: median seconds}``.
    """
    repeats = check_int(repeats, "repeats", low=1)
    rng = check_random_state(random_state)
    w = np.zeros(objective.n_features)
    result = {}
    for batch_size in batch_sizes:
        if batch_size is not None:
            check_int(batch_size, "batch_size", low=1, high=objective.n_samples)
        samples = []
        for _ in range(repeats):
            indices = None if batch_size is None else rng.integers(0, objective.n_samples, size=batch_size)
            start = time.perf_counter()
            objective.gradient(w, indices)
            samples.append(time.perf_counter() - start)
        result[batch_size] = float(np.median(samples))
    return result
