"""One record of a training run, whatever trained: a from-scratch optimiser, a Keras model, a recommender.

A :class:`History` holds one row per *record* (an epoch, or every few steps of an optimiser):
where the run was (``epoch``, ``step``), how long it had trained (``elapsed_s``), how many
samples it had seen, and any number of named metrics (``"loss"``, ``"accuracy"``,
``"val_loss"``, ``"val_accuracy"``, ``"rmse"``, ``"learning_rate"`` ...). Only ``epoch`` and the
metrics are required; the other columns are empty when a run does not measure them.

Every trainer in the package returns one: :func:`fusionlab.optim.minimize` (and ``sgd``,
``gradient_descent``), :class:`fusionlab.nn.MLPClassifier`, :func:`fusionlab.training.fit`,
the recommenders' ``history_`` and :class:`fusionlab.pipeline.HybridClassifier`.
:meth:`History.from_keras` adapts a Keras ``History`` (or its dict), :meth:`History.from_epochs`
any per-epoch lists. :func:`fusionlab.plotting.plot_curves` draws any of them.

No TensorFlow here: this module sits at the bottom of the package, next to ``_validation``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validation import error_message

#: Columns of a record that are not metrics.
AXES = ("epoch", "step", "elapsed_s")


@dataclass
class History:
    """Per-record metrics of one training run, with optional steps, seconds and samples seen.

    Attributes
    ----------
    epoch : list of float
        Passes over the training data done at each record: 1, 2, ... for per-epoch records,
        fractions for records taken every few steps (and for an epoch cut short by a budget).
    metrics : dict of str to list of float
        One list per metric, one value per record, e.g. ``"loss"``, ``"val_accuracy"``.
        Keras's names are used: ``"loss"``, ``"accuracy"``, ``"val_loss"``, ``"val_accuracy"``.
    step : list of int
        Parameter updates done at each record; empty when not counted.
    elapsed_s : list of float
        Training seconds spent up to each record (evaluation for the record not counted);
        empty when the run was not timed.
    n_samples_seen : list of int
        Training samples (images, ratings) processed up to each record; empty when not counted.
    weights : list of ndarray
        Copies of the parameters at each record, only when the run was asked to keep them.
    stopped_by : str or None
        Why training ended (``"epochs"``, ``"n_steps"``, ``"time_budget"``, ``"early_stopping"``).
    best_epoch : int or None
        1-based epoch whose weights the model holds after early stopping.

    Examples
    --------
    >>> history = History.from_epochs(loss=[0.9, 0.5, 0.4])
    >>> history.n_epochs, history["loss"][-1]
    (3.0, 0.4)
    """

    epoch: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    step: list[int] = field(default_factory=list)
    elapsed_s: list[float] = field(default_factory=list)
    n_samples_seen: list[int] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    stopped_by: str | None = None
    best_epoch: int | None = None

    # -- building ---------------------------------------------------------------------------
    def record(self, *, epoch: float, step: int | None = None, elapsed_s: float | None = None,
               n_samples_seen: int | None = None, weights=None, **metrics: float) -> None:
        """Append one record. Optional columns must be given at every record or at none."""
        self.epoch.append(float(epoch))
        for column, value, kind in ((self.step, step, int), (self.elapsed_s, elapsed_s, float), (self.n_samples_seen, n_samples_seen, int)):
            if value is not None:
                column.append(kind(value))
        if weights is not None:
            self.weights.append(np.array(weights, dtype=np.float64, copy=True))
        for name, value in metrics.items():
            self.metrics.setdefault(name, []).append(float(value))

    @classmethod
    def from_epochs(cls, *, elapsed_s=None, **metrics) -> History:
        """A history of per-epoch lists: record ``e`` is epoch ``e`` (1-based) for every metric.

        Parameters
        ----------
        elapsed_s : sequence of float, default=None
            Cumulative training seconds at the end of each epoch.
        **metrics : sequence of float
            Equal-length lists, e.g. ``loss=[...], rmse=[...]``.
        """
        lengths = {name: len(values) for name, values in metrics.items()}
        if not lengths or len(set(lengths.values())) != 1:
            raise ValueError(error_message("metrics", "one or more per-epoch lists of the same length", lengths, "Pass e.g. History.from_epochs(loss=[...])."))
        n_epochs = next(iter(lengths.values()))
        return cls(
            epoch=[float(e) for e in range(1, n_epochs + 1)],
            metrics={name: [float(v) for v in values] for name, values in metrics.items()},
            elapsed_s=[] if elapsed_s is None else [float(s) for s in elapsed_s],
        )

    @classmethod
    def from_keras(cls, history) -> History:
        """Adapt what ``keras.Model.fit`` returns (a ``keras.callbacks.History``) or its ``.history`` dict.

        Also takes a scikeras wrapper's ``history_`` dict. Keras's metric names are kept.
        """
        logs = getattr(history, "history", history)
        if not isinstance(logs, dict) or "loss" not in logs:
            raise TypeError(
                error_message("history", "a keras History or a dict of per-epoch lists with a 'loss' key", type(history).__name__, "Pass what model.fit(...) returned, or its .history.")
            )
        return cls.from_epochs(**{name: list(values) for name, values in logs.items()})

    # -- reading ----------------------------------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        """The values of one metric (or one of the columns ``epoch``, ``step``, ``elapsed_s``), one per record."""
        if name in self.metrics:
            return np.asarray(self.metrics[name], dtype=np.float64)
        if name in AXES and len(getattr(self, name)) == len(self.epoch):
            return np.asarray(getattr(self, name), dtype=np.float64)
        available = sorted(self.metrics) + [axis for axis in AXES if len(getattr(self, axis)) == len(self.epoch)]
        raise KeyError(error_message("name", f"one of {available}", name, "This run did not record it."))

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def n_epochs(self) -> float:
        """Passes over the training data at the last record (a partial last epoch counts its share)."""
        return self.epoch[-1] if self.epoch else 0.0

    @property
    def train_time_s(self) -> float:
        """Training seconds of the whole run (NaN when it was not timed)."""
        return self.elapsed_s[-1] if self.elapsed_s else math.nan

    def samples_per_second(self) -> np.ndarray:
        """Training throughput between consecutive records (images/s for an image model), shape (n_records,)."""
        if not self.elapsed_s or not self.n_samples_seen:
            return np.full(len(self), np.nan)
        seconds = np.diff(np.r_[0.0, self.elapsed_s])
        samples = np.diff(np.r_[0, self.n_samples_seen])
        return np.divide(samples, seconds, out=np.full(len(self), np.nan), where=seconds > 0)

    @property
    def mean_samples_per_second(self) -> float:
        """Samples trained on per second of training over the whole run (images/s for an image model)."""
        if not self.n_samples_seen or not self.elapsed_s or self.elapsed_s[-1] <= 0:
            return math.nan
        return self.n_samples_seen[-1] / self.elapsed_s[-1]

    def table(self) -> str:
        """The history as a fixed-width text table, one row per record."""
        columns = {"epoch": self["epoch"]}
        if len(self.step) == len(self):
            columns["step"] = self["step"]
        columns.update({name: self[name] for name in self.metrics})
        if len(self.elapsed_s) == len(self):
            columns["time_s"] = np.diff(np.r_[0.0, self.elapsed_s])
            if len(self.n_samples_seen) == len(self):
                columns["samples/s"] = self.samples_per_second()
        widths = {name: max(9, len(name)) for name in columns}
        rows = ["  ".join(f"{name:>{widths[name]}}" for name in columns)]
        for index in range(len(self)):
            rows.append("  ".join(f"{_cell(values[index]):>{widths[name]}}" for name, values in columns.items()))
        if self.stopped_by is not None:
            rows.append(f"stopped by {self.stopped_by}; {self.train_time_s:.1f} s of training, {self.mean_samples_per_second:.0f} samples/s")
        return "\n".join(rows)


def _cell(value: float) -> str:
    if not np.isfinite(value):
        return "nan"
    if value == round(value) and abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.4g}" if abs(value) < 1e-2 or abs(value) >= 1e4 else f"{value:.4f}"


__all__ = ["AXES", "History"]
