"""Synchronous against asynchronous data-parallel SGD, simulated: convergence against staleness.

A synchronous step waits for all ``N`` workers and applies the average of their gradients,
all computed at the current parameters. An asynchronous parameter server (Dean et al.,
2012) applies each worker's gradient as soon as it arrives, so a gradient was computed on
parameters that are ``tau`` updates old (with ``N`` workers taking turns, ``tau = N - 1``);
Hogwild! (Recht et al., 2011) drops even the lock, and its analysis uses the same bounded
delay. The delayed-gradient model is simulated exactly by :func:`fusionlab.scale.sgd.sgd_logistic`.

Used in chapter 5.1 (notebook ``05_1_data_at_scale``) and ``benchmarks/scale.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_float, check_int
from .sgd import sgd_logistic


def staleness_sweep(X, y, stalenesses: Sequence[int], learning_rates: Sequence[float], *, batch_size: int = 32,
                    n_epochs: float = 1.0, staleness_mode: str = "constant", eval_data=None, n_evaluations: int = 10,
                    random_state=0) -> dict:
    """Final evaluation loss of delayed-gradient SGD for every staleness and learning rate.

    Returns
    -------
    sweep : dict
        ``stalenesses``, ``learning_rates``, ``final_loss`` and ``diverged`` (nested lists indexed
        ``[rate][staleness]``), and ``histories`` ``{(rate, staleness): History}`` (the loss
        curve of each run, for :func:`fusionlab.plotting.plot_curves`).
    """
    stalenesses = [check_int(t, f"stalenesses[{i}]", low=0) for i, t in enumerate(stalenesses)]
    learning_rates = [check_float(r, f"learning_rates[{i}]", low=0.0, low_inclusive=False) for i, r in enumerate(learning_rates)]
    final, diverged, histories = [], [], {}
    for rate in learning_rates:
        final.append([])
        diverged.append([])
        for tau in stalenesses:
            run = sgd_logistic(X, y, batch_size=batch_size, learning_rate=rate, n_epochs=n_epochs, staleness=tau,
                               staleness_mode=staleness_mode, eval_data=eval_data, n_evaluations=n_evaluations,
                               random_state=random_state)
            final[-1].append(run["final_loss"])
            diverged[-1].append(run["diverged"])
            histories[(rate, tau)] = run["history"]
    return {"stalenesses": stalenesses, "learning_rates": learning_rates, "final_loss": final, "diverged": diverged, "histories": histories}


def critical_learning_rate(X, *, n_iterations: int = 50, random_state=0) -> float:
    """``2 / L`` for the logistic loss at ``w = 0``: the largest stable constant step of full-batch
    gradient descent, with ``L = lambda_max(X^T X) / (4 n)`` (the Hessian at ``w = 0``; it only
    shrinks elsewhere). Power iteration on the (bias-augmented) sparse matrix."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    from .._validation import check_random_state

    X = csr_matrix(X)
    X = hstack([X, np.ones((X.shape[0], 1))]).tocsr()
    rng = check_random_state(random_state)
    v = rng.normal(size=X.shape[1])
    v /= np.linalg.norm(v)
    eigenvalue = 0.0
    for _ in range(check_int(n_iterations, "n_iterations", low=1)):
        u = X.T @ (X @ v)
        eigenvalue = float(np.linalg.norm(u))
        v = u / eigenvalue
    curvature = eigenvalue / (4.0 * X.shape[0])
    return 2.0 / curvature
