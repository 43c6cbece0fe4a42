"""Per-example cross-entropy and accuracy of a probability-output classifier, in batches."""

from __future__ import annotations

import numpy as np

#: Probabilities are clipped below at this value before the log, so a loss is at most ~27.6.
PROBABILITY_FLOOR = 1e-12


def predict_probabilities(model, X, *, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities of shape (n_samples, n_classes), float64, by direct calls (no ``predict`` overhead)."""
    parts = [np.asarray(model(X[start:start + batch_size], training=False), dtype=np.float64) for start in range(0, len(X), batch_size)]
    return np.concatenate(parts) if parts else np.zeros((0, int(model.outputs[0].shape[-1])))


def per_example_loss(model, X, y, *, batch_size: int = 1024) -> np.ndarray:
    """Cross-entropy of each example, ``-log p(y_i | x_i)``, shape (n_samples,), float64."""
    probabilities = predict_probabilities(model, X, batch_size=batch_size)
    return -np.log(np.clip(probabilities[np.arange(len(y)), y], PROBABILITY_FLOOR, None))


def evaluate_classifier(model, X, y, *, batch_size: int = 1024) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, ``(loss, accuracy)``."""
    probabilities = predict_probabilities(model, X, batch_size=batch_size)
    losses = -np.log(np.clip(probabilities[np.arange(len(y)), y], PROBABILITY_FLOOR, None))
    return float(losses.mean()), float(np.mean(probabilities.argmax(axis=1) == y))


def record_epoch(history, model, *, epoch: int, step: int, elapsed_s: float, n_samples_seen: int, loss_sum: float, correct: float,
                 seen: float, learning_rate: float, validation) -> None:
    """Append one epoch (or round) to ``history``, a :class:`fusionlab.history.History` (DP-SGD and federated averaging).

    ``loss_sum``, ``correct`` and ``seen`` are the epoch's summed training loss, correct
    predictions and examples; ``elapsed_s`` and ``n_samples_seen`` are cumulative. The
    validation loss and accuracy are measured after the epoch, outside ``elapsed_s``.
    """
    metrics = {"loss": loss_sum / max(seen, 1), "accuracy": correct / max(seen, 1), "learning_rate": float(learning_rate)}
    if validation is not None:
        metrics["val_loss"], metrics["val_accuracy"] = evaluate_classifier(model, *validation)
    history.record(epoch=epoch, step=step, elapsed_s=elapsed_s, n_samples_seen=n_samples_seen, **metrics)
