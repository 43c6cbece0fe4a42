"""Bias and variance of a regression model, measured by refitting it on many independent training sets.

At a test point :math:`x` with true value :math:`f(x)`, the expected squared error of a model
:math:`\\hat f_D` fitted on a random training set :math:`D`, against a fresh noisy label
:math:`y = f(x) + \\varepsilon` with :math:`\\operatorname{Var}\\varepsilon = \\sigma^2`, splits into
three parts:

.. math::
    \\mathbb{E}\\big[(\\hat f_D(x) - y)^2\\big]
    = \\underbrace{\\big(\\mathbb{E}_D \\hat f_D(x) - f(x)\\big)^2}_{\\text{bias}^2}
    + \\underbrace{\\operatorname{Var}_D \\hat f_D(x)}_{\\text{variance}} + \\underbrace{\\sigma^2}_{\\text{noise}} .

The expectations over :math:`D` are estimated by averaging over the given training sets, and
everything is averaged over the test points. Used in chapter 3.2 (tree depth: under- and
over-fitting; why bagging lowers the variance).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_array, check_float, check_X_y, error_message


def _check_sets(training_sets) -> list[tuple[np.ndarray, np.ndarray]]:
    sets = list(training_sets)
    if len(sets) < 2:
        raise ValueError(error_message("training_sets", "at least two (X, y) training sets", f"{len(sets)} set(s)",
                                       "Draw several independent training sets, e.g. [make_wave(200, random_state=seed)[:2] for seed in range(30)]."))
    return [check_X_y(X, y, y_dtype=np.float64, X_name=f"training_sets[{i}][0]", y_name=f"training_sets[{i}][1]") for i, (X, y) in enumerate(sets)]


def fit_on_each(model, training_sets, X_test) -> tuple[np.ndarray, np.ndarray]:
    """Fit a clone of ``model`` on every training set; predict ``X_test`` and the set's own samples.

    A model with a ``random_state`` parameter gets the set's index as its seed, so its own
    randomness (bootstrap samples, feature draws) varies from set to set, as it would in practice.

    Returns
    -------
    predictions : ndarray of shape (n_sets, n_test)
    train_errors : ndarray of shape (n_sets,)
        Mean squared error of each fitted model on its own training set.
    """
    from sklearn.base import clone

    predictions, train_errors = [], []
    for index, (X, y) in enumerate(training_sets):
        fitted = clone(model)
        if "random_state" in fitted.get_params():
            fitted.set_params(random_state=index)
        fitted.fit(X, y)
        predictions.append(fitted.predict(X_test))
        train_errors.append(float(np.mean((fitted.predict(X) - y) ** 2)))
    return np.asarray(predictions, dtype=np.float64), np.asarray(train_errors)


def bias_variance(model, training_sets: Sequence, X_test, f_test, *, noise_std: float = 0.0, y_test=None) -> dict:
    """Squared bias, variance and noise of ``model``'s test error, from refits on independent training sets.

    Parameters
    ----------
    model : scikit-learn regressor
        Unfitted; cloned for each training set (see :func:`fit_on_each`).
    training_sets : sequence of (X, y)
        Independent draws of the training data, at least two.
    X_test : array-like of shape (n_test, n_features)
    f_test : array-like of shape (n_test,)
        The noise-free target :math:`f(x)` at the test points.
    noise_std : float, default=0.0
        :math:`\\sigma`, the standard deviation of the label noise (the noise term is its square).
    y_test : array-like of shape (n_test,), optional
        Noisy held-out labels; when given, the measured held-out error is reported too.

    Returns
    -------
    result : dict
        ``bias2``, ``variance``, ``noise``, ``error`` (their sum: the expected held-out squared
        error), ``train_error`` (mean over sets), ``test_error`` (measured on ``y_test``, or NaN)
        and ``predictions`` (ndarray of shape (n_sets, n_test)).

    See Also
    --------
    sklearn.model_selection.validation_curve : the held-out error alone, by cross-validation.
    """
    sets = _check_sets(training_sets)
    X_test = check_array(X_test, "X_test", ndim=2)
    f_test = check_array(f_test, "f_test", ndim=1)
    if len(f_test) != len(X_test):
        raise ValueError(error_message("f_test", f"one value per test sample ({len(X_test)})", f"{len(f_test)} values", "Evaluate f at every row of X_test."))
    noise_std = check_float(noise_std, "noise_std", low=0.0)
    predictions, train_errors = fit_on_each(model, sets, X_test)
    mean_prediction = predictions.mean(axis=0)  # (n_test,)
    bias2 = float(np.mean((mean_prediction - f_test) ** 2))
    variance = float(np.mean(predictions.var(axis=0)))
    test_error = float("nan") if y_test is None else float(np.mean((predictions - check_array(y_test, "y_test", ndim=1)) ** 2))
    return {"bias2": bias2, "variance": variance, "noise": noise_std**2, "error": bias2 + variance + noise_std**2,
            "train_error": float(train_errors.mean()), "test_error": test_error, "predictions": predictions}


def bias_variance_curve(model, param_name: str, values: Sequence, training_sets: Sequence, X_test, f_test, *,
                        noise_std: float = 0.0, y_test=None) -> dict:
    """:func:`bias_variance` for each value of one parameter (e.g. a tree's ``max_depth``), on the same training sets.

    Returns
    -------
    curve : dict
        ``value`` (list, as given) and ndarrays of shape (n_values,) ``bias2``, ``variance``,
        ``noise``, ``error``, ``train_error`` and ``test_error``.
    """
    from sklearn.base import clone

    if param_name not in model.get_params():
        raise ValueError(error_message("param_name", f"a parameter of {type(model).__name__}", param_name, "See model.get_params()."))
    rows = [bias_variance(clone(model).set_params(**{param_name: value}), training_sets, X_test, f_test, noise_std=noise_std, y_test=y_test)
            for value in values]
    keys = ("bias2", "variance", "noise", "error", "train_error", "test_error")
    return {"value": list(values), **{key: np.array([row[key] for row in rows]) for key in keys}}


__all__ = ["fit_on_each", "bias_variance", "bias_variance_curve"]
