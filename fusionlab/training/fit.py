"""A timed fit for Keras models: per-epoch time and throughput, a wall-clock budget, one-cycle, early stopping.

:func:`fit` drives ``model.fit`` one epoch at a time so that it can shuffle with its own
``random_state``, time the training passes apart from validation, stop on a wall-clock budget
in the middle of an epoch, run a one-cycle learning-rate schedule over epochs *or* over that
budget, and stop early on validation accuracy. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import (
    check_choice,
    check_float,
    check_int,
    check_random_state,
    check_X_y,
    error_message,
)

SCHEDULES = ("constant", "one_cycle")


@dataclass
class TrainingHistory:
    """What happened in :func:`fit`, one entry per epoch (the last one may be partial).

    Attributes
    ----------
    loss, accuracy : list of float
        Training loss and accuracy, averaged over the epoch's batches by Keras.
    val_loss, val_accuracy : list of float
        On the validation data after each epoch; NaN without validation data.
    learning_rate : list of float
        Learning rate at the end of each epoch.
    epoch_time_s : list of float
        Seconds spent in the training pass of each epoch (validation excluded).
    validation_time_s : list of float
        Seconds spent evaluating on the validation data.
    n_images : list of int
        Images trained on in each epoch (fewer than the training set when the budget ran out).
    stopped_by : {"epochs", "early_stopping", "time_budget"}
    best_epoch : int or None
        1-based epoch whose weights the model holds after early stopping; ``None`` otherwise.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)
    epoch_time_s: list = field(default_factory=list)
    validation_time_s: list = field(default_factory=list)
    n_images: list = field(default_factory=list)
    stopped_by: str = "epochs"
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs run (a partial last epoch counts)."""
        return len(self.loss)

    @property
    def train_time_s(self) -> float:
        """Total seconds of training passes, validation excluded."""
        return float(sum(self.epoch_time_s))

    @property
    def images_per_second(self) -> list:
        """Training throughput of each epoch."""
        return [n / t if t > 0 else math.nan for n, t in zip(self.n_images, self.epoch_time_s)]

    @property
    def mean_images_per_second(self) -> float:
        """Images trained on per second of training, over the whole run."""
        return sum(self.n_images) / self.train_time_s if self.train_time_s > 0 else math.nan

    def elapsed_s(self) -> np.ndarray:
        """Cumulative training seconds at the end of each epoch, shape (epochs,)."""
        return np.cumsum(self.epoch_time_s)

    def table(self) -> str:
        """The history as a fixed-width text table, one row per epoch."""
        header = f"{'epoch':>5} {'loss':>7} {'acc':>6} {'val_loss':>8} {'val_acc':>7} {'lr':>8} {'time_s':>7} {'img/s':>7}"
        rows = [header]
        for index in range(self.epochs):
            rows.append(
                f"{index + 1:>5} {self.loss[index]:>7.4f} {self.accuracy[index]:>6.3f} {self.val_loss[index]:>8.4f} "
                f"{self.val_accuracy[index]:>7.3f} {self.learning_rate[index]:>8.2e} {self.epoch_time_s[index]:>7.2f} "
                f"{self.images_per_second[index]:>7.0f}"
            )
        rows.append(f"stopped by {self.stopped_by}; {self.train_time_s:.1f} s of training, {self.mean_images_per_second:.0f} images/s")
        return "\n".join(rows)


def one_cycle_learning_rate(progress: float, peak: float, *, warmup: float = 0.2, final: float = 0.0) -> float:
    """One-cycle schedule: linear warm-up from ``peak/10`` to ``peak``, then linear decay to ``final``.

    Parameters
    ----------
    progress : float
        Fraction of training done, in [0, 1] (values outside are clipped): steps over total
        steps, or seconds over the time budget.
    peak : float
        Largest learning rate, reached at ``progress == warmup``.
    warmup : float, default=0.2
    final : float, default=0.0

    Returns
    -------
    learning_rate : float
    """
    progress = min(max(float(progress), 0.0), 1.0)
    if progress < warmup:
        return peak * (0.1 + 0.9 * progress / warmup)
    return final + (peak - final) * (1.0 - progress) / (1.0 - warmup)


def _control_callback(*, peak, schedule, total_steps, time_budget_s, clock):
    """A Keras callback that sets the learning rate before each batch and stops on the time budget."""
    import keras

    class _Control(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps_done = 0
            self.out_of_time = False
            self.images = 0

        def _progress(self):
            if time_budget_s is not None:
                return clock() / time_budget_s
            return self.steps_done / total_steps

        def on_train_batch_begin(self, batch, logs=None):
            if schedule == "one_cycle":
                self.model.optimizer.learning_rate.assign(one_cycle_learning_rate(self._progress(), peak))

        def on_train_batch_end(self, batch, logs=None):
            self.steps_done += 1
            self.images_in_epoch = batch + 1
            if time_budget_s is not None and clock() >= time_budget_s:
                self.out_of_time = True
                self.model.stop_training = True

    return _Control()


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
) -> TrainingHistory:
    """Train a compiled Keras model, timing each epoch; optionally on a budget or with early stopping.

    Each epoch shuffles the training data with ``random_state``, runs one ``model.fit`` pass
    (timed: this is the epoch time and the images per second), then evaluates on the
    validation data (timed separately).

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
    schedule : {"constant", "one_cycle"}, default="constant"
        ``"one_cycle"`` warms the learning rate up to its peak and anneals it to zero over
        ``epochs`` or, with ``time_budget_s``, over the budget (see :func:`one_cycle_learning_rate`).
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
    history : TrainingHistory

    See Also
    --------
    keras.Model.fit, keras.callbacks.EarlyStopping : the reference implementations.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    X, y = check_X_y(X, y, X_ndim=None, X_dtype=None)
    n_samples = len(y)
    epochs = check_int(epochs, "epochs", low=1, fix="Train for at least one epoch.")
    batch_size = check_int(batch_size, "batch_size", low=1, fix="Try 32, Keras's default.")
    schedule = check_choice(schedule, "schedule", SCHEDULES)
    if time_budget_s is not None:
        time_budget_s = check_float(time_budget_s, "time_budget_s", low=0.0, low_inclusive=False, fix="Give seconds, e.g. 60.0, or None for no budget.")
    if early_stopping_patience is not None:
        early_stopping_patience = check_int(early_stopping_patience, "early_stopping_patience", low=1, fix="Use e.g. 3, or None to turn early stopping off.")
        if validation_data is None:
            raise ValueError(
                error_message("validation_data", "a (X_validation, y_validation) pair when early_stopping_patience is set", None, "Make one with train_validation_split.")
            )
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(error_message("validation_data", "a (X_validation, y_validation) pair", type(validation_data).__name__, "Pass validation_data=(X_validation, y_validation)."))
        X_validation, y_validation = check_X_y(*validation_data, X_name="validation_data[0]", y_name="validation_data[1]", X_ndim=None, X_dtype=None)
    if getattr(model, "optimizer", None) is None:
        raise ValueError(error_message("model", "a compiled keras.Model", type(model).__name__, "Call model.compile(...) first, or use a fusionlab.models builder."))
    if not hasattr(model.optimizer.learning_rate, "assign"):
        raise ValueError(
            error_message("model", "compiled with a constant learning rate (a float)", "a learning-rate schedule object", "Compile with e.g. Adam(learning_rate=1e-3) and use schedule='one_cycle' here.")
        )
    rng = check_random_state(random_state)
    verbose = check_int(verbose, "verbose", low=0, high=2)

    peak = float(model.optimizer.learning_rate.numpy()) if learning_rate is None else check_float(
        learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 1e-3."
    )
    model.optimizer.learning_rate.assign(peak)
    steps_per_epoch = math.ceil(n_samples / batch_size)
    history = TrainingHistory()
    spent = 0.0  # training seconds before the current epoch
    epoch_start = [0.0]
    clock = lambda: spent + (time.perf_counter() - epoch_start[0])  # noqa: E731 - training seconds so far
    control = _control_callback(peak=peak, schedule=schedule, total_steps=epochs * steps_per_epoch, time_budget_s=time_budget_s, clock=clock)
    best_accuracy, best_weights, waited = -math.inf, None, 0
    try:
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n_samples)
            X_epoch, y_epoch = X[order], y[order]
            control.images_in_epoch = 0
            epoch_start[0] = time.perf_counter()
            keras_history = model.fit(X_epoch, y_epoch, batch_size=batch_size, epochs=1, shuffle=False, callbacks=[control], verbose=verbose)
            seconds = time.perf_counter() - epoch_start[0]
            spent += seconds
            logs = keras_history.history
            history.loss.append(float(logs["loss"][-1]))
            history.accuracy.append(float(logs.get("accuracy", [math.nan])[-1]))
            history.epoch_time_s.append(seconds)
            history.n_images.append(min(control.images_in_epoch * batch_size, n_samples))
            history.learning_rate.append(float(model.optimizer.learning_rate.numpy()))
            if validation_data is not None:
                start = time.perf_counter()
                val_loss, val_accuracy = _loss_and_accuracy(model.evaluate(X_validation, y_validation, batch_size=max(batch_size, 256), verbose=0, return_dict=True))
                history.validation_time_s.append(time.perf_counter() - start)
            else:
                val_loss = val_accuracy = math.nan
                history.validation_time_s.append(0.0)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            if control.out_of_time:
                history.stopped_by = "time_budget"
                break
            if early_stopping_patience is not None:
                if val_accuracy > best_accuracy:
                    best_accuracy, best_weights, waited = val_accuracy, model.get_weights(), 0
                    history.best_epoch = epoch
                else:
                    waited += 1
                    if waited >= early_stopping_patience:
                        history.stopped_by = "early_stopping"
                        model.set_weights(best_weights)
                        break
    finally:
        model.optimizer.learning_rate.assign(peak)
    if early_stopping_patience is not None and history.stopped_by != "early_stopping":
        history.best_epoch = None  # the model holds the last epoch's weights
    return history


def _loss_and_accuracy(logs: dict) -> tuple[float, float]:
    accuracy = next((value for key, value in logs.items() if key.endswith("accuracy")), math.nan)
    return float(logs["loss"]), float(accuracy)
