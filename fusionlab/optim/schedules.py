"""Learning-rate schedules: callables ``schedule(step) -> learning_rate``.

``step`` counts the updates already done (0 for the first update), as Keras does, so a schedule
gives the same number as its ``keras.optimizers.schedules`` namesake for the same step.
"""

from __future__ import annotations

import math

from .._validation import check_float, check_int, error_message


class Schedule:
    """Base class: subclasses implement ``__call__(step) -> float``."""

    initial_learning_rate: float

    def __call__(self, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({params})"


def _positive_rate(value):
    return check_float(value, "initial_learning_rate", low=0.0, low_inclusive=False, fix="Try 0.1.")


class Constant(Schedule):
    """The same learning rate at every step."""

    def __init__(self, initial_learning_rate: float):
        self.initial_learning_rate = _positive_rate(initial_learning_rate)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate


class StepDecay(Schedule):
    """Multiply the rate by ``factor`` every ``step_size`` steps (a staircase).

    ``lr(t) = initial_learning_rate * factor ** floor(t / step_size)``. Equals Keras'
    ``ExponentialDecay(initial_learning_rate, step_size, factor, staircase=True)``.
    """

    def __init__(self, initial_learning_rate: float, step_size: int, factor: float = 0.5):
        self.initial_learning_rate = _positive_rate(initial_learning_rate)
        self.step_size = check_int(step_size, "step_size", low=1)
        self.factor = check_float(factor, "factor", low=0.0, high=1.0, low_inclusive=False, fix="Use e.g. 0.5 to halve the rate.")

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.factor ** (step // self.step_size)


class InverseTimeDecay(Schedule):
    """The Robbins-Monro ``1/t`` decay: ``lr(t) = initial_learning_rate / (1 + decay_rate * t / decay_steps)``.

    Equals ``keras.optimizers.schedules.InverseTimeDecay`` (``staircase=False``). Its sum over
    steps diverges while the sum of its squares converges, the classical condition under which
    SGD converges to the minimiser (Robbins and Monro, 1951).
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float = 1.0):
        self.initial_learning_rate = _positive_rate(initial_learning_rate)
        self.decay_steps = check_int(decay_steps, "decay_steps", low=1)
        self.decay_rate = check_float(decay_rate, "decay_rate", low=0.0)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1.0 + self.decay_rate * step / self.decay_steps)


class ExponentialDecay(Schedule):
    """``lr(t) = initial_learning_rate * decay_rate ** (t / decay_steps)``; equals Keras' namesake."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float):
        self.initial_learning_rate = _positive_rate(initial_learning_rate)
        self.decay_steps = check_int(decay_steps, "decay_steps", low=1)
        self.decay_rate = check_float(decay_rate, "decay_rate", low=0.0, high=1.0, low_inclusive=False)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.decay_rate ** (step / self.decay_steps)


class CosineDecay(Schedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate``.

    ``lr(t) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t, decay_steps) / decay_steps)) + alpha)``;
    equals ``keras.optimizers.schedules.CosineDecay`` without warm-up.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0):
        self.initial_learning_rate = _positive_rate(initial_learning_rate)
        self.decay_steps = check_int(decay_steps, "decay_steps", low=1)
        self.alpha = check_float(alpha, "alpha", low=0.0, high=1.0)

    def __call__(self, step: int) -> float:
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)


def as_schedule(learning_rate) -> Schedule:
    """Turn a positive number into :class:`Constant`; pass schedules (any callable) through."""
    if callable(learning_rate):
        return learning_rate
    return Constant(check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 0.1 and lower it if the loss grows."))


class OneCycle(Schedule):
    """One-cycle: linear warm-up from ``peak/10`` to ``peak``, then linear decay to ``final`` (Smith 2018).

    With progress ``p = min(t / decay_steps, 1)``: ``lr = peak * (0.1 + 0.9 p / warmup)`` while
    ``p < warmup``, then ``final + (peak - final) (1 - p) / (1 - warmup)``. Keras has no
    namesake; :func:`fusionlab.training.fit` runs it over epochs or over a time budget.
    """

    def __init__(self, peak_learning_rate: float, decay_steps: int, warmup: float = 0.2, final: float = 0.0):
        self.peak_learning_rate = check_float(peak_learning_rate, "peak_learning_rate", low=0.0, low_inclusive=False, fix="Try 1e-3.")
        self.decay_steps = check_int(decay_steps, "decay_steps", low=1)
        self.warmup = check_float(warmup, "warmup", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 0.2.")
        self.final = check_float(final, "final", low=0.0)

    def __call__(self, step: int) -> float:
        progress = min(max(step / self.decay_steps, 0.0), 1.0)
        if progress < self.warmup:
            return self.peak_learning_rate * (0.1 + 0.9 * progress / self.warmup)
        return self.final + (self.peak_learning_rate - self.final) * (1.0 - progress) / (1.0 - self.warmup)


#: The schedule names :func:`make_schedule` (and :func:`fusionlab.training.fit`) understand.
SCHEDULES = ("constant", "step", "inverse_time", "exponential", "cosine", "one_cycle")


def make_schedule(name: str, learning_rate: float, n_steps: int) -> Schedule:
    """A schedule by name with defaults scaled to a run of ``n_steps`` steps.

    ``"constant"``, ``"step"`` (halve every quarter), ``"inverse_time"`` (``1/t`` reaching a tenth
    of the start at the end), ``"exponential"`` (a hundredth at the end), ``"cosine"`` or
    ``"one_cycle"`` (``learning_rate`` is then the peak). This is the package's one schedule
    vocabulary: :func:`fusionlab.training.fit` takes the same names.
    """
    n_steps = check_int(n_steps, "n_steps", low=1)
    if name not in SCHEDULES:
        raise ValueError(error_message("name", f"one of {list(SCHEDULES)}", name, "Pick one of the listed schedules."))
    if name == "constant":
        return Constant(learning_rate)
    if name == "step":
        return StepDecay(learning_rate, step_size=max(1, n_steps // 4), factor=0.5)
    if name == "inverse_time":
        return InverseTimeDecay(learning_rate, decay_steps=n_steps, decay_rate=9.0)
    if name == "exponential":
        return ExponentialDecay(learning_rate, decay_steps=n_steps, decay_rate=0.01)
    if name == "one_cycle":
        return OneCycle(learning_rate, decay_steps=n_steps)
    return CosineDecay(learning_rate, decay_steps=n_steps)
