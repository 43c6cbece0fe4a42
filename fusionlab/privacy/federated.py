"""Federated averaging (McMahan et al. 2017), simulated: K clients, IID or Dirichlet non-IID data.

The data never leaves the clients; only weights travel. Each round the server sends the global
weights ``w`` to a fraction ``C`` of the clients; client ``k`` runs ``E`` epochs of mini-batch
SGD (batch ``B``) on its ``n_k`` examples and returns ``w_k``; the server averages::

    w  <-  sum_k (n_k / n) w_k,        n = sum of n_k over the clients of this round.

With one client holding all the data, ``E = 1`` and batch ``B`` this is ordinary mini-batch SGD,
one round per epoch (:func:`centralised_sgd`); with full-batch local steps it is gradient
descent. This module simulates the algorithm in one process; real deployments use an engine
such as Flower or TensorFlow Federated, which adds transport between devices, client
sampling and failures, and secure aggregation (the server sees only the sum of the updates).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._keras import check_keras_model, check_labels, check_model_inputs, check_validation_data, n_outputs
from .._validation import check_array, check_float, check_int, check_random_state, error_message
from ..history import History
from ._scoring import record_epoch


def client_split(y, n_clients: int, *, alpha: float | None = None, random_state=0) -> list[np.ndarray]:
    """Split example indices among simulated clients, IID or non-IID by label.

    Parameters
    ----------
    y : array-like of int of shape (n_samples,)
        Class labels.
    n_clients : int
        K, at least 1.
    alpha : float or None, default=None
        ``None``: IID, a random split into K near-equal parts. A float: for each class, the
        shares of its examples going to the K clients are drawn from a symmetric Dirichlet
        distribution with concentration ``alpha``. Small alpha (0.1) gives each client a few
        dominant classes; large alpha (100) approaches IID. Some clients may get no examples.
    random_state : int, default=0

    Returns
    -------
    clients : list of ndarray of int
        K sorted index arrays that partition ``range(n_samples)``.

    See Also
    --------
    Hsu, Qi & Brown (2019), "Measuring the effects of non-identical data distribution for
    federated visual classification": the Dirichlet split used in federated benchmarks.
    """
    y = check_array(y, "y", ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        raise TypeError(error_message("y", "integer class labels", f"dtype {y.dtype}", "Convert with y.astype(int)."))
    n_clients = check_int(n_clients, "n_clients", low=1, high=len(y), fix=f"Use between 1 and n_samples={len(y)} clients, e.g. 10.")
    rng = check_random_state(random_state)
    if alpha is None:
        return [np.sort(part) for part in np.array_split(rng.permutation(len(y)), n_clients)]
    alpha = check_float(alpha, "alpha", low=0.0, low_inclusive=False, fix="Use e.g. 0.1 (very skewed) to 100 (nearly IID), or None for IID.")
    parts: list[list[np.ndarray]] = [[] for _ in range(n_clients)]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        shares = rng.dirichlet(np.full(n_clients, alpha))
        cuts = np.round(np.cumsum(shares)[:-1] * len(members)).astype(np.int64)
        for client, chunk in enumerate(np.split(members, cuts)):
            parts[client].append(chunk)
    return [np.sort(np.concatenate(chunks)).astype(np.int64) for chunks in parts]


@dataclass
class FederatedResult:
    """What :func:`federated_averaging` did.

    Attributes
    ----------
    history : fusionlab.history.History
        One record per *round* (its ``epoch`` is the round number): the clients' mean training
        ``loss`` and ``accuracy``, then the global model's ``val_loss`` and ``val_accuracy``;
        ``step`` counts the clients' local SGD steps so far, ``elapsed_s`` the seconds.
    rounds_to_target : int or None
        First round whose validation accuracy reached ``target_accuracy``; ``None`` if none did.
    target_accuracy : float or None
    client_sizes : ndarray of shape (n_clients,)
    n_local_steps : int
        SGD steps taken on the clients over all rounds (the computation spent).
    """

    history: History
    rounds_to_target: int | None
    target_accuracy: float | None
    client_sizes: np.ndarray = field(repr=False)
    n_local_steps: int = 0

    def rounds_to(self, accuracy: float) -> int | None:
        """First round (1-based) whose validation accuracy reached ``accuracy``; ``None`` if none did."""
        if "val_accuracy" not in self.history:
            raise ValueError(error_message("validation_data", "held-out data given to the training run", None, "Train with validation_data=(X_test, y_test) to count rounds to an accuracy."))
        reached = np.flatnonzero(self.history["val_accuracy"] >= accuracy)
        return int(reached[0]) + 1 if reached.size else None


def _make_sgd_step(model):
    """A compiled plain-SGD step on the mean cross-entropy of a batch."""
    import keras
    import tensorflow as tf

    variables = model.trainable_variables
    dtype = variables[0].dtype

    def sgd_step(x, y, learning_rate):
        with tf.GradientTape() as tape:
            probabilities = model(x, training=True)  # (batch, n_classes)
            losses = keras.losses.sparse_categorical_crossentropy(y, probabilities)  # (batch,)
            loss = tf.reduce_mean(losses)
        gradients = tape.gradient(loss, variables)
        for variable, gradient in zip(variables, gradients):
            variable.assign_sub(learning_rate * gradient)
        correct = tf.cast(tf.equal(tf.argmax(probabilities, axis=1), y), dtype)
        return tf.reduce_sum(losses), tf.reduce_sum(correct)

    signature = [tf.TensorSpec((None, *model.inputs[0].shape[1:]), dtype), tf.TensorSpec((None,), tf.int64), tf.TensorSpec((), dtype)]
    return tf.function(sgd_step, input_signature=signature)


def federated_averaging(model, X, y, clients, *, n_rounds: int = 20, local_epochs: int = 1, local_batch_size: int | None = 10,
                        client_fraction: float = 1.0, learning_rate: float = 0.05, validation_data=None,
                        target_accuracy: float | None = None, random_state=0) -> FederatedResult:
    """Train ``model`` by federated averaging over simulated clients (McMahan et al. 2017).

    Parameters
    ----------
    model : keras.Model
        Classifier with probability outputs; its weights are the initial global model and hold
        the final global model afterwards. Its compiled optimizer is not used.
    X : ndarray of shape (n_samples, ...)
    y : ndarray of int of shape (n_samples,)
    clients : list of array-like of int
        Each client's example indices, e.g. from :func:`client_split`. Empty clients are never
        selected.
    n_rounds : int, default=20
    local_epochs : int, default=1
        E, passes over its data each selected client makes per round.
    local_batch_size : int or None, default=10
        B; ``None`` means full-batch local steps (one gradient step per local epoch).
    client_fraction : float, default=1.0
        C, the fraction of (non-empty) clients selected each round, at least one.
    learning_rate : float, default=0.05
        Of the clients' plain SGD.
    validation_data : tuple (X_validation, y_validation), default=None
        The global model is evaluated on it after every round.
    target_accuracy : float, default=None
        Report the first round whose validation accuracy reaches it (needs validation data).
    random_state : int, default=0
        Seeds client selection and the clients' shuffling.

    Returns
    -------
    result : FederatedResult

    See Also
    --------
    flwr.server.strategy.FedAvg, tff.learning.algorithms.build_weighted_fed_avg : the same
        algorithm in the Flower and TensorFlow Federated engines (not dependencies).

    Notes
    -----
    Used in chapter 5.3 (notebook ``05_3_privacy``) and ``benchmarks/trust.py``.
    """
    model = check_keras_model(model)
    X = check_model_inputs(model, X)
    y = check_labels(y, len(X), n_outputs(model))
    if not isinstance(clients, (list, tuple)) or not clients:
        raise TypeError(error_message("clients", "a non-empty list of index arrays", type(clients).__name__, "Make one with client_split(y, n_clients)."))
    clients = [check_array(part, f"clients[{k}]", ndim=1, dtype=np.int64, min_samples=0) for k, part in enumerate(clients)]
    for k, part in enumerate(clients):
        if part.size and (part.min() < 0 or part.max() >= len(X)):
            raise ValueError(error_message(f"clients[{k}]", f"indices in [0, {len(X) - 1}]", f"[{part.min()}, {part.max()}]", "Split the indices of X, e.g. with client_split(y, n_clients)."))
    n_rounds = check_int(n_rounds, "n_rounds", low=1, fix="Run at least one round.")
    local_epochs = check_int(local_epochs, "local_epochs", low=1, fix="Each client makes at least one pass, e.g. 1 or 5.")
    if local_batch_size is not None:
        local_batch_size = check_int(local_batch_size, "local_batch_size", low=1, fix="Use e.g. 10, or None for full-batch local steps.")
    client_fraction = check_float(client_fraction, "client_fraction", low=0.0, high=1.0, low_inclusive=False, fix="Use e.g. 0.1 or 1.0.")
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 0.05.")
    validation = check_validation_data(model, validation_data)
    if target_accuracy is not None:
        target_accuracy = check_float(target_accuracy, "target_accuracy", low=0.0, high=1.0)
        if validation is None:
            raise ValueError(error_message("validation_data", "a (X_validation, y_validation) pair when target_accuracy is set", None, "Pass held-out data to measure the rounds to the target."))
    rng = check_random_state(random_state)

    sizes = np.array([part.size for part in clients])
    active = np.flatnonzero(sizes > 0)
    if active.size == 0:
        raise ValueError(error_message("clients", "at least one client with examples", "only empty clients", "Check the split."))
    n_selected = max(1, int(round(client_fraction * active.size)))
    step = _make_sgd_step(model)
    dtype = model.trainable_variables[0].dtype
    rate = np.asarray(learning_rate, dtype=dtype)
    global_weights = [w.copy() for w in model.get_weights()]
    history, rounds_to_target, n_local_steps = History(stopped_by="n_rounds"), None, 0
    elapsed_s, n_seen = 0.0, 0
    for round_index in range(1, n_rounds + 1):
        start = time.perf_counter()
        selected = np.sort(rng.choice(active, size=n_selected, replace=False))
        total = sizes[selected].sum()
        averaged = [np.zeros_like(w) for w in global_weights]
        loss_sum = correct = seen = 0.0
        for k in selected:
            model.set_weights(global_weights)
            part = clients[k]
            batch = part.size if local_batch_size is None else local_batch_size
            for _ in range(local_epochs):
                order = part[rng.permutation(part.size)] if local_batch_size is not None else part
                for begin in range(0, part.size, batch):
                    rows = order[begin:begin + batch]
                    batch_loss, batch_correct = step(X[rows], y[rows], rate)
                    loss_sum, correct, seen = loss_sum + float(batch_loss), correct + float(batch_correct), seen + rows.size
                    n_local_steps += 1
            share = sizes[k] / total  # n_k / n
            for target, weight in zip(averaged, model.get_weights()):
                target += share * weight
        global_weights = averaged
        model.set_weights(global_weights)
        elapsed_s, n_seen = elapsed_s + time.perf_counter() - start, n_seen + int(seen)
        record_epoch(history, model, epoch=round_index, step=n_local_steps, elapsed_s=elapsed_s, n_samples_seen=n_seen,
                     loss_sum=loss_sum, correct=correct, seen=seen, learning_rate=learning_rate, validation=validation)
        if target_accuracy is not None and rounds_to_target is None and history["val_accuracy"][-1] >= target_accuracy:
            rounds_to_target = round_index
    return FederatedResult(history, rounds_to_target, target_accuracy, sizes, n_local_steps)


def centralised_sgd(model, X, y, *, epochs: int = 20, batch_size: int | None = 10, learning_rate: float = 0.05, validation_data=None, target_accuracy: float | None = None, random_state=0) -> FederatedResult:
    """Ordinary mini-batch SGD on pooled data: :func:`federated_averaging` with one client holding everything.

    One round is one epoch, so ``rounds_to_target`` counts epochs; ``batch_size=None`` is
    full-batch gradient descent. This is the baseline federated averaging is measured against.
    """
    n_samples = len(check_array(y, "y", ndim=1, dtype=None))
    return federated_averaging(
        model, X, y, [np.arange(n_samples)], n_rounds=epochs, local_epochs=1, local_batch_size=batch_size,
        learning_rate=learning_rate, validation_data=validation_data, target_accuracy=target_accuracy, random_state=random_state,
    )


__all__ = ["FederatedResult", "centralised_sgd", "client_split", "federated_averaging"]
