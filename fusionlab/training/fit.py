"""A timed fit for Keras models: per-epoch time and throughput, a wall-clock budget, a schedule, early stopping.

:func:`fit` drives ``model.fit`` one epoch at a time so that it can shuffle with its own
``random_state``, time the training passes apart from validation, stop on a wall-clock budget
in the middle of an epoch, run any schedule of :func:`fusionlab.optim.make_schedule` over the
epochs *or* over that budget, and stop early on validation accuracy. It returns a
:class:`fusionlab.history.History`. TensorFlow is imported inside the functions.

The pieces, each small: :func:`_check_fit_inputs` (validation), :class:`_Budget` (the
training clock and its budget), :func:`_control_callback` (the learning rate before each batch,
the budget after it), :func:`_train_one_epoch` (one shuffled, timed, validated epoch) and
:class:`_EarlyStopping`.
"""

from __future__ import annotations

import math
import time


from .._validation import check_choice, check_float, check_int, check_random_state, check_X_y, error_message
from ..history import History
from ..optim.schedules import SCHEDULES, make_schedule

#: Steps the schedule is laid out over when a time budget, not a number of epochs, ends training.
_BUDGET_STEPS = 1_000_000


def _check_fit_inputs(model, X, y, validation_data, *, epochs, batch_size, schedule, learning_rate, time_budget_s,
                      early_stopping_patience, verbose):
    """Validate everything :func:`fit` takes; return ``X, y, validation, peak learning rate``."""
    X, y = check_X_y(X, y, X_ndim=None, X_dtype=None)
    check_int(epochs, "epochs", low=1, fix="Train for at least one epoch.")
    check_int(batch_size, "batch_size", low=1, fix="Try 32, Keras's default.")
    check_choice(schedule, "schedule", SCHEDULES, fix="Use 'constant' (Keras's behaviour) or 'one_cycle'.")
    check_int(verbose, "verbose", low=0, high=2)
    if time_budget_s is not None:
        check_float(time_budget_s, "time_budget_s", low=0.0, low_inclusive=False, fix="Give seconds, e.g. 60.0, or None for no budget.")
    if early_stopping_patience is not None:
        check_int(early_stopping_patience, "early_stopping_patience", low=1, fix="Use e.g. 3, or None to turn early stopping off.")
        if validation_data is None:
            raise ValueError(
                error_message("validation_data", "a (X_validation, y_validation) pair when early_stopping_patience is set", None, "Make one with train_validation_split.")
            )
    validation = _check_validation_data(validation_data)
    _check_compiled(model)
    if learning_rate is None:
        peak = float(model.optimizer.learning_rate.numpy())
    else:
        peak = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 1e-3.")
    return X, y, validation, peak


def _check_validation_data(validation_data, X_ndim=None):
    """``None``, or a checked ``(X_validation, y_validation)`` pair of arrays."""
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError(error_message("validation_data", "a (X_validation, y_validation) pair", type(validation_data).__name__, "Pass validation_data=(X_validation, y_validation)."))
    return check_X_y(*validation_data, X_name="validation_data[0]", y_name="validation_data[1]", X_ndim=X_ndim, X_dtype=None)


def _check_compiled(model) -> None:
    """A compiled Keras model whose optimizer's learning rate is a variable the loop can set."""
    if getattr(model, "optimizer", None) is None:
        raise ValueError(error_message("model", "a compiled keras.Model", type(model).__name__, "Call model.compile(...) first, or use a fusionlab.models builder."))
    if not hasattr(model.optimizer.learning_rate, "assign"):
        raise ValueError(
            error_message("model", "compiled with a constant learning rate (a float)", "a learning-rate schedule object", "Compile with e.g. Adam(learning_rate=1e-3) and use schedule='one_cycle' here.")
        )


class _Budget:
    """Training seconds, counted only while an epoch's training pass runs, against an optional budget."""

    def __init__(self, time_budget_s: float | None):
        self.time_budget_s = time_budget_s
        self.spent_s = 0.0  # training seconds of the finished epochs
        self._epoch_start = time.perf_counter()

    def start_epoch(self) -> None:
        self._epoch_start = time.perf_counter()

    def end_epoch(self) -> float:
        """Close the epoch's training pass; return its seconds."""
        seconds = time.perf_counter() - self._epoch_start
        self.spent_s += seconds
        return seconds

    def elapsed_s(self) -> float:
        """Training seconds so far, the running epoch included."""
        return self.spent_s + (time.perf_counter() - self._epoch_start)

    def exhausted(self) -> bool:
        return self.time_budget_s is not None and self.elapsed_s() >= self.time_budget_s

    def progress(self, steps_done: int, total_steps: int) -> float:
        """Share of training done: seconds over the budget, or steps over the planned steps."""
        if self.time_budget_s is not None:
            return self.elapsed_s() / self.time_budget_s
        return steps_done / total_steps


def _control_callback(*, learning_rate_at, budget, total_steps):
    """A Keras callback that sets the learning rate before each batch and stops on the time budget.

    ``learning_rate_at(progress)`` gives the rate for a share of training done (None: leave it).
    """
    import keras

    class _Control(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps_done = 0
            self.batches_in_epoch = 0
            self.out_of_time = False

        def on_train_batch_begin(self, batch, logs=None):
            if learning_rate_at is not None:
                self.model.optimizer.learning_rate.assign(learning_rate_at(budget.progress(self.steps_done, total_steps)))

        def on_train_batch_end(self, batch, logs=None):
            self.steps_done += 1
            self.batches_in_epoch = batch + 1
            if budget.exhausted():
                self.out_of_time = True
                self.model.stop_training = True

    return _Control()


def _train_one_epoch(model, X, y, *, rng, batch_size, control, budget, validation, verbose) -> dict:
    """Shuffle, run one timed ``model.fit`` pass, then evaluate; return the epoch's record."""
    order = rng.permutation(len(y))
    control.batches_in_epoch = 0
    budget.start_epoch()
    keras_history = model.fit(X[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, callbacks=[control], verbose=verbose)
    budget.end_epoch()
    logs = keras_history.history
    record = {
        "n_samples": min(control.batches_in_epoch * batch_size, len(y)),
        "loss": float(logs["loss"][-1]),
        "accuracy": float(logs.get("accuracy", [math.nan])[-1]),
        "learning_rate": float(model.optimizer.learning_rate.numpy()),
        "val_loss": math.nan,
        "val_accuracy": math.nan,
        "validation_time_s": 0.0,
    }
    if validation is not None:
        start = time.perf_counter()
        logs = model.evaluate(*validation, batch_size=max(batch_size, 256), verbose=0, return_dict=True)
        record["validation_time_s"] = time.perf_counter() - start
        record["val_loss"] = float(logs["loss"])
        record["val_accuracy"] = float(next((value for key, value in logs.items() if key.endswith("accuracy")), math.nan))
    return record


class _EarlyStopping:
    """Keep the best validation accuracy's weights; say when ``patience`` epochs brought no gain."""

    def __init__(self, patience: int | None):
        self.patience = patience
        self.best_accuracy, self.best_weights, self.best_epoch, self.waited = -math.inf, None, None, 0

    def should_stop(self, model, epoch: int, val_accuracy: float) -> bool:
        if self.patience is None:
            return False
        if val_accuracy > self.best_accuracy:
            self.best_accuracy, self.best_weights, self.best_epoch, self.waited = val_accuracy, model.get_weights(), epoch, 0
            return False
        self.waited += 1
        if self.waited < self.patience:
            return False
        model.set_weights(self.best_weights)
        return True


def fit(
    model,
    X,
    y,
    *,
    validation_data=None,
    epochs: int = 10,
    batch_size: int = 32,
    schedule: str = "constant",
    learning_rate: float | None = None,
    time_budget_s: float | None = None,
    early_stopping_patience: int | None = None,
    random_state=0,
    verbose: int = 0,
) -> History:
    """Train a compiled Keras model, timing each epoch; optionally on a budget or with early stopping.

    Each epoch shuffles the training data with ``random_state``, runs one ``model.fit`` pass
    (timed: this is the epoch time and the images per second), then evaluates on the
    validation data (timed separately). ``epochs`` and ``batch_size`` keep Keras's names
    because they mean what they mean in ``keras.Model.fit``.

    Parameters
    ----------
    model : keras.Model
        Compiled with an ``"accuracy"`` metric.
    X : ndarray of shape (n_samples, height, width, channels)
        Training inputs, already scaled (e.g. pixels divided by 255).
    y : ndarray of shape (n_samples,)
        Integer labels.
    validation_data : tuple (X_validation, y_validation), default=None
        Needed for early stopping. Never the test set.
    epochs : int, default=10
        Largest number of epochs.
    batch_size : int, default=32
        Keras's default, the article's setting.
    schedule : {"constant", "step", "inverse_time", "exponential", "cosine", "one_cycle"}, default="constant"
        A name of :func:`fusionlab.optim.make_schedule`, laid out over ``epochs`` or, with
        ``time_budget_s``, over the budget. ``"one_cycle"`` warms the learning rate up to its
        peak and anneals it to zero. ``"constant"`` leaves the optimizer alone.
    learning_rate : float, default=None
        Peak (or constant) learning rate; ``None`` keeps the optimizer's. The optimizer's
        learning rate is set back to this value when training ends.
    time_budget_s : float, default=None
        Stop after this many seconds of training passes (validation not counted), in the middle
        of an epoch if need be. ``None``: no budget.
    early_stopping_patience : int, default=None
        Stop when validation accuracy has not improved for this many epochs and restore the
        best weights. ``None``: no early stopping.
    random_state : None, int or numpy.random.Generator, default=0
        Seeds the shuffling. (Weight initialisation and dropout follow Keras's global seed:
        call :func:`fusionlab.set_seed` first.)
    verbose : int, default=0
        Passed to Keras: 0 silent, 1 progress bar, 2 one line per epoch.

    Returns
    -------
    history : fusionlab.history.History
        One record per epoch (the last may be partial: its ``epoch`` is then fractional), with
        ``step``, ``elapsed_s`` (training passes only), ``n_samples_seen`` and the metrics
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (NaN without validation data),
        ``learning_rate`` (at the end of the epoch) and ``validation_time_s``; ``stopped_by`` is
        ``"epochs"``, ``"early_stopping"`` or ``"time_budget"``, and ``best_epoch`` the epoch
        whose weights the model holds after early stopping.

    See Also
    --------
    keras.Model.fit, keras.callbacks.EarlyStopping : the reference implementations.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    X, y, validation, peak = _check_fit_inputs(
        model, X, y, validation_data, epochs=epochs, batch_size=batch_size, schedule=schedule, learning_rate=learning_rate,
        time_budget_s=time_budget_s, early_stopping_patience=early_stopping_patience, verbose=verbose,
    )
    rng = check_random_state(random_state)
    n_samples = len(y)
    total_steps = epochs * math.ceil(n_samples / batch_size)
    learning_rate_at = None
    if schedule != "constant":
        n_steps = _BUDGET_STEPS if time_budget_s is not None else total_steps
        rates = make_schedule(schedule, peak, n_steps)
        learning_rate_at = lambda progress: rates(progress * n_steps)  # noqa: E731
    budget = _Budget(time_budget_s)
    control = _control_callback(learning_rate_at=learning_rate_at, budget=budget, total_steps=total_steps)
    stopper = _EarlyStopping(early_stopping_patience)
    history = History(stopped_by="epochs")
    model.optimizer.learning_rate.assign(peak)
    try:
        for epoch in range(1, epochs + 1):
            record = _train_one_epoch(model, X, y, rng=rng, batch_size=batch_size, control=control, budget=budget, validation=validation, verbose=verbose)
            seen = (history.n_samples_seen[-1] if history.n_samples_seen else 0) + record.pop("n_samples")
            history.record(epoch=seen / n_samples, step=control.steps_done, elapsed_s=budget.spent_s, n_samples_seen=seen, **record)
            if control.out_of_time:
                history.stopped_by = "time_budget"
                break
            if stopper.should_stop(model, epoch, record["val_accuracy"]):
                history.stopped_by = "early_stopping"
                break
    finally:
        model.optimizer.learning_rate.assign(peak)
    if history.stopped_by == "early_stopping":
        history.best_epoch = stopper.best_epoch  # otherwise the model holds the last epoch's weights
    return history
