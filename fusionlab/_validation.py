"""Input checks shared by every public function.

Every message has the same four parts, so a student can act on it: the parameter, what was
expected, what was received, and how to fix it::

    k must be an int in [1, 1682]; got k=0. Ask for at least one recommendation.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def error_message(name: str, expected: str, got: Any, fix: str | None = None) -> str:
    """Build the house error message ``"{name} must be {expected}; got {name}={got!r}. {fix}"``."""
    message = f"{name} must be {expected}; got {name}={got!r}."
    if fix:
        message += f" {fix}"
    return message


def _interval(low, high, low_inclusive: bool, high_inclusive: bool) -> str:
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    low_text = "-inf" if low is None else repr(low)
    high_text = "inf" if high is None else repr(high)
    return f"{left}{low_text}, {high_text}{right}"


def _check_bounds(value, name, kind, low, high, low_inclusive, high_inclusive, fix):
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        interval = _interval(low, high, low_inclusive, high_inclusive)
        raise ValueError(error_message(name, f"{kind} in {interval}", value, fix))


def check_int(
    value: Any,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    fix: str | None = None,
) -> int:
    """Return ``value`` as an ``int`` after checking its type and the closed range [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "an int" if low is None and high is None else f"an int in {_interval(low, high, True, True)}"
        raise TypeError(error_message(name, kind, value, fix))
    value = int(value)
    _check_bounds(value, name, "an int", low, high, True, True, fix)
    return value


def check_float(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    fix: str | None = None,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(error_message(name, "a real number", value, fix))
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(error_message(name, "a finite number", value, fix))
    _check_bounds(value, name, "a number", low, high, low_inclusive, high_inclusive, fix)
    return value


def check_choice(value: Any, name: str, choices: Iterable[Any], *, fix: str | None = None) -> Any:
    """Check that ``value`` is one of ``choices`` and return it."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(error_message(name, f"one of {choices}", value, fix))
    return value


def check_array(
    X: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    dtype: Any = np.float64,
    finite: bool = True,
    min_samples: int = 1,
) -> np.ndarray:
    """Convert ``X`` to an ndarray and check its dimensions, size and values.

    Parameters
    ----------
    X : array-like
        The input.
    name : str
        The parameter name used in error messages.
    ndim : int or tuple of int, default=None
        Allowed numbers of dimensions; ``None`` accepts any.
    dtype : dtype or None, default=np.float64
        Target dtype; ``None`` keeps the input's dtype.
    finite : bool, default=True
        Reject NaN and infinity (numeric arrays only).
    min_samples : int, default=1
        Minimum length of the first axis.
    """
    try:
        array = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            error_message(name, "array-like of numbers", type(X).__name__, f"Convert it with np.asarray first ({exc}).")
        ) from exc
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        expected = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(
            error_message(name, f"a {expected} array", f"array of shape {array.shape}", "Reshape it, e.g. X.reshape(-1, 1) for one feature.")
        )
    if array.ndim >= 1 and array.shape[0] < min_samples:
        raise ValueError(
            error_message(name, f"an array with at least {min_samples} sample(s)", f"array of shape {array.shape}", "Pass a non-empty dataset.")
        )
    if finite and array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        n_bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(
            error_message(name, "finite values (no NaN or infinity)", f"array with {n_bad} non-finite value(s)", "Impute or drop the missing values first.")
        )
    return array


def check_consistent_length(**arrays: np.ndarray) -> int:
    """Check that all arrays have the same first dimension and return it."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        names = ", ".join(lengths)
        raise ValueError(
            error_message(names, "arrays with the same number of samples", lengths, "Pass X and y that describe the same samples.")
        )
    return next(iter(lengths.values()))


def check_random_state(random_state: Any, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int seed or a ``Generator`` into a ``numpy.random.Generator``."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return np.random.default_rng(int(random_state))
    raise TypeError(
        error_message(name, "None, a non-negative int or a numpy.random.Generator", random_state, "Pass an int seed such as random_state=0 for repeatable results.")
    )
