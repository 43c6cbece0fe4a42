"""Large-batch training: the linear learning-rate scaling rule with gradual warm-up (Goyal et al., 2017).

Data-parallel training with ``N`` workers of batch ``b`` is SGD with batch ``B = N b``. At a
fixed number of epochs a larger batch takes ``B / b`` times fewer steps, so with the same
learning rate it falls behind. Goyal et al.'s rule: multiply the learning rate by ``k = B / b``
(each large step then moves about as far as ``k`` small ones would), and ramp it up linearly
from the small-batch rate over the first steps, because early on the gradient changes too
fast for the ``k``-small-steps approximation to hold. The rule has a limit: a step size beyond
about ``2 / L`` (``L`` the curvature) is unstable whatever the batch.

Used in chapter 5.1 (notebook ``05_1_data_at_scale``) and ``benchmarks/scale.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_float, check_int
from .sgd import sgd_logistic


def warmup_schedule(peak: float, warmup_steps: int, *, start: float | None = None):
    """``step -> rate``: linear ramp from ``start`` (default ``peak / 32``...) to ``peak`` over
    ``warmup_steps`` steps, then constant ``peak`` (Goyal et al.'s "gradual warm-up").

    Parameters
    ----------
    peak : float
        The scaled rate, ``base_rate * B / base_batch``.
    warmup_steps : int
        Length of the ramp; 0 means no warm-up.
    start : float, default=None
        Rate at step 0; ``None`` uses ``peak / (warmup_steps + 1)``.
    """
    peak = check_float(peak, "peak", low=0.0, low_inclusive=False)
    warmup_steps = check_int(warmup_steps, "warmup_steps", low=0)
    start = peak / (warmup_steps + 1) if start is None else check_float(start, "start", low=0.0)

    def rate(step: int) -> float:
        if step >= warmup_steps:
            return peak
        return start + (peak - start) * step / warmup_steps

    return rate


def batch_size_sweep(X, y, batch_sizes: Sequence[int], *, base_rate: float = 0.5, base_batch: int = 32,
                     n_epochs: float = 2.0, warmup_epochs: float = 0.25, eval_data=None, random_state=0) -> dict:
    """Test loss and accuracy after ``n_epochs`` for each batch size, under three rules.

    - ``"same rate"``: ``base_rate`` for every batch size (no scaling);
    - ``"linear scaling"``: ``base_rate * B / base_batch`` from the first step;
    - ``"linear scaling + warm-up"``: the same peak, reached linearly over ``warmup_epochs``.

    Returns
    -------
    sweep : dict
        ``batch_sizes`` (list), ``learning_rates`` (list, the scaled peaks), and for each rule
        ``{rule: {"loss": [...], "accuracy": [...], "diverged": [...]}}`` under ``"rules"``.
    """
    batch_sizes = [check_int(b, f"batch_sizes[{i}]", low=1) for i, b in enumerate(batch_sizes)]
    base_rate = check_float(base_rate, "base_rate", low=0.0, low_inclusive=False)
    base_batch = check_int(base_batch, "base_batch", low=1)
    n_samples = X.shape[0]
    rules = {"same rate": {}, "linear scaling": {}, "linear scaling + warm-up": {}}
    for rule in rules:
        rules[rule] = {"loss": [], "accuracy": [], "diverged": []}
    for batch in batch_sizes:
        peak = base_rate * batch / base_batch
        warmup_steps = int(round(warmup_epochs * n_samples / batch))
        schedules = {"same rate": base_rate, "linear scaling": peak,
                     "linear scaling + warm-up": warmup_schedule(peak, warmup_steps, start=base_rate)}
        for rule, rate in schedules.items():
            run = sgd_logistic(X, y, batch_size=batch, learning_rate=rate, n_epochs=n_epochs, eval_data=eval_data,
                               n_evaluations=4, random_state=random_state)
            rules[rule]["loss"].append(run["final_loss"])
            rules[rule]["accuracy"].append(run["final_accuracy"])
            rules[rule]["diverged"].append(run["diverged"])
    return {"batch_sizes": batch_sizes, "learning_rates": [base_rate * b / base_batch for b in batch_sizes], "rules": rules}
