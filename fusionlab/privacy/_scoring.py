"""Per-example cross-entropy and accuracy of a probability-output classifier, in batches."""

from __future__ import annotations

import math
import time

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


def record_epoch(history, model, loss_sum, correct, seen, seconds, learning_rate, validation):
    """Append one epoch to ``history`` (DP-SGD and federated averaging)."""
    history.loss.append(loss_sum / max(seen, 1))
    history.accuracy.append(correct / max(seen, 1))
    history.epoch_time_s.append(seconds)
    history.n_images.append(int(seen))
    history.learning_rate.append(float(learning_rate))
    if validation is None:
        history.val_loss.append(math.nan)
        history.val_accuracy.append(math.nan)
        history.validation_time_s.append(0.0)
        return
    start = time.perf_counter()
    loss, accuracy = evaluate_classifier(model, *validation)
    history.val_loss.append(loss)
    history.val_accuracy.append(accuracy)
    history.validation_time_s.append(time.perf_counter() - start)
