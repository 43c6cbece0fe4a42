"""What theory says about the update rules on a quadratic: the tuned step sizes and momenta, and
the rate at which each one shrinks the distance to the minimiser.

On a quadratic whose Hessian has eigenvalues in :math:`[\\mu, L]` (condition number
:math:`\\kappa = L/\\mu`), gradient descent with its best constant step contracts the error by
:math:`(\\kappa - 1)/(\\kappa + 1)` per step, so it needs a number of steps proportional to
:math:`\\kappa`; Polyak's heavy ball and Nesterov's method, tuned, need a number proportional to
:math:`\\sqrt\\kappa` (Bottou, Curtis and Nocedal, 2018, section 7; Goodfellow, Bengio and
Courville, 2016, section 8.3). Chapter 3.2 measures both.
"""

from __future__ import annotations

import math

from .._validation import check_choice, check_float
from .optimizers import SGD, Optimizer

#: The update rules :func:`tuned_for_quadratic` and :func:`quadratic_rate` know.
TUNED_RULES = ("gd", "momentum", "nesterov")


def _check_curvature(mu, L) -> tuple[float, float]:
    mu = check_float(mu, "mu", low=0.0, low_inclusive=False, fix="Pass the smallest Hessian eigenvalue (objective.strong_convexity()).")
    L = check_float(L, "L", low=mu, fix=f"L is the largest Hessian eigenvalue, at least mu={mu}.")
    return mu, L


def tuned_for_quadratic(rule: str, mu: float, L: float) -> Optimizer:
    """The update rule ``rule`` with the step size (and momentum) that theory picks for curvatures in ``[mu, L]``.

    ==========  ================================================  =============================================
    rule        learning rate :math:`\\eta`                        momentum :math:`\\beta`
    ==========  ================================================  =============================================
    gd          :math:`2/(L + \\mu)`                               0
    momentum    :math:`4/(\\sqrt L + \\sqrt\\mu)^2`                  :math:`((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2`
    nesterov    :math:`1/L`                                        :math:`(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)`
    ==========  ================================================  =============================================

    Parameters
    ----------
    rule : {"gd", "momentum", "nesterov"}
        Plain gradient descent, Polyak's heavy ball, or Nesterov's accelerated gradient.
    mu, L : float
        Smallest and largest eigenvalue of the Hessian, ``0 < mu <= L``.

    Returns
    -------
    optimizer : fusionlab.optim.SGD
        Run it with full batches (``batch_size=None``): the tuning assumes exact gradients.

    See Also
    --------
    quadratic_rate : the contraction per step these settings achieve.
    """
    rule = check_choice(rule, "rule", TUNED_RULES)
    mu, L = _check_curvature(mu, L)
    root = math.sqrt(L / mu)
    if rule == "gd":
        return SGD(2.0 / (L + mu))
    if rule == "momentum":
        return SGD(4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, momentum=((root - 1) / (root + 1)) ** 2)
    return SGD(1.0 / L, momentum=(root - 1) / (root + 1), nesterov=True)


def quadratic_rate(rule: str, mu: float, L: float) -> float:
    """The factor by which the tuned rule shrinks the distance to the minimiser per step, asymptotically.

    :math:`(\\kappa-1)/(\\kappa+1)` for gradient descent, :math:`(\\sqrt\\kappa-1)/(\\sqrt\\kappa+1)` for
    the heavy ball and :math:`1 - 1/\\sqrt\\kappa` (an upper bound) for Nesterov, with
    :math:`\\kappa = L/\\mu`. The loss, quadratic in the distance, shrinks by the square.
    """
    rule = check_choice(rule, "rule", TUNED_RULES)
    mu, L = _check_curvature(mu, L)
    kappa = L / mu
    if rule == "gd":
        return (kappa - 1) / (kappa + 1)
    if rule == "momentum":
        return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    return 1 - 1 / math.sqrt(kappa)


def predicted_steps(rule: str, mu: float, L: float, tolerance: float) -> float:
    """Steps for the loss's excess to fall by ``tolerance`` at :func:`quadratic_rate`: :math:`\\log(1/\\text{tol}) / (2 \\log(1/r))`."""
    tolerance = check_float(tolerance, "tolerance", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 1e-6.")
    rate = quadratic_rate(rule, mu, L)
    return 0.0 if rate <= 0 else math.log(1 / tolerance) / (2 * math.log(1 / rate))


__all__ = ["TUNED_RULES", "tuned_for_quadratic", "quadratic_rate", "predicted_steps"]
