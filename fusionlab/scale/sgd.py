"""Mini-batch SGD for logistic regression on sparse rows, with two knobs that distributed
training turns: the staleness of the gradient and the learning-rate schedule of a large batch.

One step, with batch ``B_t`` and a gradient read at parameters ``tau_t`` steps old::

    w_{t+1} = w_t - eta_t * (1/|B_t|) * sum_{i in B_t} grad l_i(w_{t - tau_t})

``tau_t = 0`` is plain (synchronous) SGD. ``tau_t > 0`` is what an asynchronous parameter
server does (Dean et al., 2012; Li et al., 2014): a worker computes its gradient on the
parameters it fetched, while other workers' updates land in between; Hogwild! (Recht et al.,
2011) has the same delayed-gradient form, without locks, for sparse problems. The
simulation keeps the last ``max(tau) + 1`` parameter vectors in a ring buffer, so it is exact
for the delay model and deterministic, with none of the timing noise of real threads.

Used by :mod:`fusionlab.scale.async_sgd` and :mod:`fusionlab.scale.large_batch`, chapter 5.1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import check_array, check_choice, check_float, check_int, check_random_state, error_message
from ..history import History


def logistic_loss(X, y, w: np.ndarray, bias: float = 0.0) -> float:
    """Mean log loss of ``sigmoid(X @ w + bias)`` against 0/1 labels ``y`` (stable form)."""
    z = np.asarray(X @ w).ravel() + bias
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def accuracy(X, y, w: np.ndarray, bias: float = 0.0) -> float:
    """Share of rows where ``X @ w + bias > 0`` agrees with ``y == 1``."""
    z = np.asarray(X @ w).ravel() + bias
    return float(np.mean((z > 0) == (y == 1)))


def sgd_logistic(X, y, *, batch_size: int = 32, learning_rate: float | Callable[[int], float] = 0.1,
                 n_epochs: float = 1.0, staleness: int = 0, staleness_mode: str = "constant", eval_data=None,
                 n_evaluations: int = 20, divergence_loss: float = 10.0, random_state=0) -> dict:
    """Logistic regression by mini-batch SGD on CSR rows, with delayed gradients and a schedule.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        0/1 labels.
    batch_size : int, default=32
    learning_rate : float or callable, default=0.1
        A constant, or ``step -> rate`` (e.g. :func:`fusionlab.scale.large_batch.warmup_schedule`).
    n_epochs : float, default=1.0
        Passes over the data (fractions allowed); the number of steps is
        ``ceil(n_epochs * n_samples / batch_size)``.
    staleness : int, default=0
        Delay ``tau`` of the gradients, in steps (clipped to the steps taken so far).
    staleness_mode : {"constant", "uniform"}, default="constant"
        ``"constant"``: every gradient is ``tau`` steps old, as with ``tau + 1`` workers taking
        turns on a parameter server. ``"uniform"``: each delay is drawn uniformly from
        ``[0, 2 tau]`` (same mean; workers of uneven speed).
    eval_data : tuple (X_eval, y_eval), default=None
        Loss is recorded on these rows as ``"val_loss"`` (``None``: on ``X, y``, as ``"loss"``).
    n_evaluations : int, default=20
        Records in the history (besides the one at step 0).
    divergence_loss : float, default=10.0
        Stop early (``diverged=True``) when the evaluation loss exceeds this (the loss of
        predicting 0.5 is 0.69).
    random_state : None, int or Generator, default=0
        Seeds the order of the rows (reshuffled every epoch).

    Returns
    -------
    run : dict
        ``w``, ``bias``, ``history`` (a :class:`fusionlab.history.History`: ``epoch``, ``step``,
        ``n_samples_seen`` and the loss at each record; ``stopped_by`` is ``"n_steps"`` or
        ``"divergence"``), ``final_loss``, ``final_accuracy`` (on the evaluation rows),
        ``n_steps`` (steps taken), ``diverged``.

    See Also
    --------
    sklearn.linear_model.SGDClassifier : the in-process reference (``loss="log_loss"``); with
        ``tau = 0`` and a constant rate the same update, up to its regularisation and schedule.
    """
    from scipy.sparse import csr_matrix, issparse

    if not issparse(X):
        X = csr_matrix(np.asarray(X, dtype=np.float64))
    X = X.tocsr()
    y = check_array(y, "y", ndim=1)
    n_samples = X.shape[0]
    if len(y) != n_samples:
        raise ValueError(error_message("y", f"{n_samples} labels, one per row of X", f"{len(y)} labels", "Pass X and y that describe the same rows."))
    batch_size = check_int(batch_size, "batch_size", low=1, high=n_samples, fix=f"Use a batch no larger than the data (n_samples={n_samples}).")
    n_epochs = check_float(n_epochs, "n_epochs", low=0.0, low_inclusive=False)
    n_evaluations = check_int(n_evaluations, "n_evaluations", low=1)
    rate = learning_rate if callable(learning_rate) else (lambda step, value=check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False): value)
    staleness = check_int(staleness, "staleness", low=0, high=10_000, fix="Use a delay in steps, e.g. 0, 4 or 16.")
    staleness_mode = check_choice(staleness_mode, "staleness_mode", ("constant", "uniform"))
    X_eval, y_eval = (X, y) if eval_data is None else (eval_data[0], np.asarray(eval_data[1], dtype=np.float64))
    rng = check_random_state(random_state)
    n_steps = int(np.ceil(n_epochs * n_samples / batch_size))
    max_delay = staleness if staleness_mode == "constant" else 2 * staleness
    delays = (np.full(n_steps, staleness) if staleness_mode == "constant" else rng.integers(0, 2 * staleness + 1, size=n_steps))
    n_features = X.shape[1]
    history_size = max_delay + 1
    w_ring = np.zeros((history_size, n_features + 1))  # (history, n_features + bias): past parameters
    w = np.zeros(n_features + 1)
    evaluate_at = set(np.unique(np.linspace(0, n_steps, n_evaluations + 1).round().astype(int)))
    history, metric, diverged = History(), "loss" if eval_data is None else "val_loss", False
    order, position = rng.permutation(n_samples), 0
    per_row = np.diff(X.indptr)
    fixed = bool(per_row.size) and np.all(per_row == per_row[0])  # e.g. hash_fields: one entry per field
    if fixed:
        columns = X.indices.reshape(n_samples, per_row[0])  # (n_samples, nnz_per_row)
        values = X.data.reshape(n_samples, per_row[0])  # (n_samples, nnz_per_row)
    for step in range(n_steps + 1):
        if step in evaluate_at:
            loss = logistic_loss(X_eval, y_eval, w[:-1], w[-1])
            history.record(epoch=step * batch_size / n_samples, step=step, n_samples_seen=step * batch_size, **{metric: loss})
            if not np.isfinite(loss) or loss > divergence_loss:
                diverged = True
                break
        if step == n_steps:
            break
        tau = min(int(delays[step]), step)
        if position + batch_size > n_samples:
            order, position = rng.permutation(n_samples), 0
        rows = order[position:position + batch_size]
        position += batch_size
        stale = w if tau == 0 else w_ring[(step - tau) % history_size]  # parameters tau steps old
        eta = rate(step)
        if fixed:
            cols, vals = columns[rows], values[rows]  # (batch, nnz_per_row)
            z = (stale[cols] * vals).sum(axis=1) + stale[-1]  # (batch,)
            residual = (1.0 / (1.0 + np.exp(-z)) - y[rows]) / batch_size  # (batch,)
            np.add.at(w, cols.ravel(), -eta * (vals * residual[:, None]).ravel())
        else:
            X_batch = X[rows]  # (batch, n_features), sparse
            z = X_batch @ stale[:-1] + stale[-1]
            residual = (1.0 / (1.0 + np.exp(-z)) - y[rows]) / batch_size  # (batch,)
            w[:-1] -= eta * (X_batch.T @ residual)
        w[-1] -= eta * residual.sum()
        if history_size > 1:
            w_ring[(step + 1) % history_size] = w
    history.stopped_by = "divergence" if diverged else "n_steps"
    return {"w": w[:-1].copy(), "bias": float(w[-1]), "history": history, "final_loss": float(history[metric][-1]),
            "final_accuracy": accuracy(X_eval, y_eval, w[:-1], w[-1]), "n_steps": step, "diverged": diverged}
