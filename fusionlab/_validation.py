"""Input checks shared by every public function.

Every message has the same four parts, so a student can act on it: the parameter, what was
expected, what was received, and how to fix it::

    k must be an int in [1, 1682]; got k=0. Ask for at least one recommendation.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

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


def check_int(
    value: Any,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    fix: str | None = None,
) -> int:
    """Return ``value`` as an ``int`` after checking its type and the closed range [low, high]."""
    Int(low=low, high=high).check(value, name, fix)
    return int(value)


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
    Real(low=low, high=high, low_inclusive=low_inclusive, high_inclusive=high_inclusive).check(value, name, fix)
    return float(value)


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


def check_X_y(
    X: Any,
    y: Any,
    *,
    X_name: str = "X",
    y_name: str = "y",
    X_ndim: int | tuple[int, ...] | None = 2,
    X_dtype: Any = np.float64,
    y_dtype: Any = None,
    min_samples: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Check a feature array and its targets together: ``X`` as :func:`check_array`, ``y`` 1-D, same length.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,)
    X_name, y_name : str, default="X", "y"
        Parameter names used in error messages (e.g. ``"X_test"``).
    X_ndim : int or tuple of int or None, default=2
        Allowed dimensions of ``X``; ``None`` accepts any (images keep their shape).
    X_dtype, y_dtype : dtype or None, default=np.float64, None
        Target dtypes; ``None`` keeps the input's (class labels stay ints or strings).
    min_samples : int, default=1

    Returns
    -------
    X : ndarray
    y : ndarray of shape (n_samples,)
    """
    X = check_array(X, X_name, ndim=X_ndim, dtype=X_dtype, min_samples=min_samples)
    y = check_array(y, y_name, ndim=1, dtype=y_dtype, min_samples=min_samples)
    check_consistent_length(**{X_name: X, y_name: y})
    return X, y


def check_classification_data(X, y, *, n_splits: int | None = None, allow_nan: bool = False):
    """Validate a feature matrix and its labels for classification.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numbers, no NaN or infinity.
    y : array-like of shape (n_samples,)
        Class labels (ints or strings), at least two distinct classes.
    n_splits : int, default=None
        When given, every class must have at least ``n_splits`` members (stratified folds).
    allow_nan : bool, default=False
        Accept NaN in ``X`` (for pipelines that impute); infinity is always rejected.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,)
    """
    X_array = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if X_array.ndim != 2:
        raise ValueError(
            error_message(
                "X", "a 2-D array of shape (n_samples, n_features)", f"array of shape {X_array.shape}",
                "Flatten images first, e.g. X.reshape(len(X), -1).",
            )
        )
    X = check_array(X, "X", ndim=2, finite=False)
    if np.isinf(X).any() or (not allow_nan and np.isnan(X).any()):
        n_bad = int(np.sum(~np.isfinite(X))) if not allow_nan else int(np.sum(np.isinf(X)))
        raise ValueError(
            error_message(
                "X", "finite values (no NaN or infinity)" if not allow_nan else "free of infinity", f"array with {n_bad} non-finite value(s)",
                "Drop them, or impute NaN inside the pipeline (make_preprocessing(impute='median')) and pass allow_nan=True.",
            )
        )
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            error_message("y", "a 1-D array of class labels", f"array of shape {y.shape}", "Pass integer labels, e.g. y.ravel() or y.argmax(axis=1) for one-hot labels.")
        )
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError(error_message("y", "finite class labels (no NaN)", f"array with {int(np.sum(~np.isfinite(y)))} non-finite label(s)", "Drop the unlabelled samples first."))
    check_consistent_length(X=X, y=y)
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            error_message("y", "labels of at least two classes", f"one class {classes.tolist()}", "A classifier needs examples of at least two classes.")
        )
    if n_splits is not None and counts.min() < n_splits:
        rarest = classes[np.argmin(counts)]
        raise ValueError(
            error_message(
                "n_splits", f"at most the size of the smallest class ({counts.min()} samples of class {rarest!r})", n_splits,
                "Use fewer folds or more data, so that every fold holds every class.",
            )
        )
    return X, y


def check_random_state(random_state: Any, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int seed or a ``Generator`` into a ``numpy.random.Generator``."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and random_state >= 0:
        return np.random.default_rng(int(random_state))
    raise TypeError(
        error_message(name, "None, a non-negative int or a numpy.random.Generator", random_state, "Pass an int seed such as random_state=0 for repeatable results.")
    )


# -- declarative parameter checks for estimators ----------------------------------------------

@dataclass(frozen=True)
class _Number:
    """Rule: a number of the subclass's kind inside an interval (``None`` too when ``none_ok``)."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    none_ok: bool = False
    hint: str | None = None
    noun: ClassVar[str] = "a number"

    def _or_none(self, text: str) -> str:
        return text + " or None" if self.none_ok else text

    def expected(self) -> str:
        if self.low is None and self.high is None:
            return self._or_none(self.noun)
        return self._or_none(f"{self.noun} in {_interval(self.low, self.high, self.low_inclusive, self.high_inclusive)}")

    def _type_error(self) -> str:
        return self.expected()

    def _accepts(self, value) -> bool:
        return isinstance(value, numbers.Real)

    def check(self, value, name: str, fix: str | None) -> None:
        if value is None and self.none_ok:
            return
        if isinstance(value, bool) or not self._accepts(value):
            raise TypeError(error_message(name, self._type_error(), value, fix))
        if not np.isfinite(float(value)):
            raise ValueError(error_message(name, "a finite number", value, fix))
        too_low = self.low is not None and (value < self.low if self.low_inclusive else value <= self.low)
        too_high = self.high is not None and (value > self.high if self.high_inclusive else value >= self.high)
        if too_low or too_high:
            raise ValueError(error_message(name, self.expected(), value, fix))


@dataclass(frozen=True)
class Int(_Number):
    """Rule: an int in ``[low, high]`` (``None`` too when ``none_ok``)."""

    noun: ClassVar[str] = "an int"

    def _accepts(self, value) -> bool:
        return isinstance(value, numbers.Integral)


@dataclass(frozen=True)
class Real(_Number):
    """Rule: a finite real number in an interval (``None`` too when ``none_ok``)."""

    def _type_error(self) -> str:
        return self._or_none("a real number")


@dataclass(frozen=True)
class OneOf:
    """Rule: one of the listed values."""

    options: tuple
    hint: str | None = None

    def expected(self) -> str:
        return f"one of {list(self.options)}"

    def check(self, value, name: str, fix: str) -> None:
        if value not in self.options:
            raise ValueError(error_message(name, self.expected(), value, fix))


@dataclass(frozen=True)
class Ints:
    """Rule: a non-empty sequence of ints, each at least ``low``."""

    low: int = 1
    hint: str | None = None

    def expected(self) -> str:
        return f"a non-empty sequence of ints >= {self.low}"

    def check(self, value, name: str, fix: str) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
            raise TypeError(error_message(name, self.expected(), value, fix))
        if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < self.low for v in value):
            raise ValueError(error_message(name, self.expected(), value, fix))


def check_params(estimator, rules: Mapping[str, Int | Real | OneOf | Ints]) -> None:
    """Check an estimator's parameters against a table of rules, at ``fit`` time.

    Each message names the parameter, what was expected and what was received, and as the fix
    suggests the default of the estimator's signature (plus the rule's ``hint``)::

        n_factors must be an int in [1, inf]; got n_factors=0. Use e.g. n_factors=50 (the default).

    Parameters
    ----------
    estimator : object
        Holds each parameter as an attribute of the same name (scikit-learn style).
    rules : mapping of str to rule
        ``{parameter: Int(...) | Real(...) | OneOf(...) | Ints(...)}``.
    """
    signature = inspect.signature(type(estimator).__init__).parameters
    for name, rule in rules.items():
        default = signature[name].default if name in signature else inspect.Parameter.empty
        fix = f"Use e.g. {name}={default!r} (the default)." if default is not inspect.Parameter.empty else None
        if rule.hint:
            fix = f"{fix} {rule.hint}" if fix else rule.hint
        rule.check(getattr(estimator, name), name, fix)
