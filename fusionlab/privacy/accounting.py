"""Privacy accounting for DP-SGD through Google's ``dp-accounting`` (Rényi DP).

A randomised training algorithm M is (epsilon, delta)-differentially private when, for any two
training sets D and D' that differ by one example and any set S of outcomes::

    P[M(D) in S] <= exp(epsilon) * P[M(D') in S] + delta.

DP-SGD repeats one Poisson-subsampled Gaussian mechanism (sampling probability q, noise
multiplier sigma) for T steps. The Rényi-DP accountant adds up the Rényi divergence of each
step at many orders and converts the total to the smallest epsilon at the given delta.
``dp-accounting`` is imported inside the functions.
"""

from __future__ import annotations

import math

from .._validation import check_float, check_int, error_message


def _check_mechanism(noise_multiplier, sampling_probability, n_steps, delta):
    noise_multiplier = check_float(noise_multiplier, "noise_multiplier", low=0.0, fix="Use e.g. 1.1; 0 means no noise (epsilon is infinite).")
    sampling_probability = check_float(sampling_probability, "sampling_probability", low=0.0, high=1.0, low_inclusive=False, fix="Pass batch_size / n_samples, e.g. 64 / 60000.")
    n_steps = check_int(n_steps, "n_steps", low=0, fix="Pass epochs * steps per epoch.")
    delta = check_float(delta, "delta", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 1e-5, below 1 / n_samples.")
    return noise_multiplier, sampling_probability, n_steps, delta


def dp_sgd_event(noise_multiplier: float, sampling_probability: float, n_steps: int):
    """The ``dp_accounting.DpEvent`` of ``n_steps`` Poisson-subsampled Gaussian steps."""
    import dp_accounting

    step = dp_accounting.PoissonSampledDpEvent(sampling_probability, dp_accounting.GaussianDpEvent(noise_multiplier))
    return dp_accounting.SelfComposedDpEvent(step, n_steps)


def dp_sgd_epsilon(noise_multiplier: float, sampling_probability: float, n_steps: int, *, delta: float = 1e-5) -> float:
    """Epsilon of DP-SGD at ``delta`` after ``n_steps`` steps, by Rényi-DP accounting.

    Parameters
    ----------
    noise_multiplier : float
        sigma, the noise standard deviation over the clipping norm; 0 gives ``inf``.
    sampling_probability : float
        q = expected lot size / n_samples, in (0, 1].
    n_steps : int
        Number of noisy steps; 0 gives 0.
    delta : float, default=1e-5

    Returns
    -------
    epsilon : float

    See Also
    --------
    dp_accounting.rdp.RdpAccountant : the reference implementation this calls (default orders,
        add-or-remove-one neighbours).
    tensorflow_privacy's ``compute_dp_sgd_privacy`` : the same computation.

    Notes
    -----
    Mironov (2017) for Rényi DP; Abadi et al. (2016) for the moments accountant it refines.
    Used in chapter 5.3.
    """
    noise_multiplier, sampling_probability, n_steps, delta = _check_mechanism(noise_multiplier, sampling_probability, n_steps, delta)
    if n_steps == 0:
        return 0.0
    if noise_multiplier == 0:
        return math.inf
    from dp_accounting import rdp

    accountant = rdp.RdpAccountant()
    accountant.compose(dp_sgd_event(noise_multiplier, sampling_probability, n_steps))
    return float(accountant.get_epsilon(delta))


def noise_multiplier_for_epsilon(epsilon: float, sampling_probability: float, n_steps: int, *, delta: float = 1e-5, tol: float = 1e-4) -> float:
    """The smallest noise multiplier whose DP-SGD run meets ``(epsilon, delta)``.

    Parameters
    ----------
    epsilon : float
        Target epsilon, > 0.
    sampling_probability : float
    n_steps : int
        At least 1.
    delta : float, default=1e-5
    tol : float, default=1e-4
        Tolerance on the noise multiplier.

    Returns
    -------
    noise_multiplier : float
        ``dp_sgd_epsilon(noise_multiplier, ...) <= epsilon`` (within the search tolerance).

    See Also
    --------
    dp_accounting.calibrate_dp_mechanism : the search used (Brent's method).
    """
    import dp_accounting
    from dp_accounting import rdp

    epsilon = check_float(epsilon, "epsilon", low=0.0, low_inclusive=False, fix="Use e.g. 1.0 (strong) to 10 (weak).")
    _, sampling_probability, n_steps, delta = _check_mechanism(1.0, sampling_probability, n_steps, delta)
    if n_steps < 1:
        raise ValueError(error_message("n_steps", "at least 1", n_steps, "Without steps there is nothing to calibrate."))
    tol = check_float(tol, "tol", low=0.0, low_inclusive=False)
    return float(
        dp_accounting.calibrate_dp_mechanism(
            rdp.RdpAccountant,
            lambda sigma: dp_sgd_event(sigma, sampling_probability, n_steps),
            epsilon,
            delta,
            dp_accounting.LowerEndpointAndGuess(0.1, 1.0),
            tol=tol,
        )
    )


__all__ = ["dp_sgd_epsilon", "dp_sgd_event", "noise_multiplier_for_epsilon"]
