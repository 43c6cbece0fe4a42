"""How good is a classifier, class by class, and can its probabilities be trusted?

The confusion matrix and the precision, recall and F1 derived from it are computed here, once:
:func:`per_class_scores` (chapter 4.1) and the cross-validation report (chapter 3.3) both use
:func:`confusion_matrix` and :func:`scores_from_confusion`.

Everything here works on NumPy arrays of labels and predicted probabilities, so it serves any
model (Keras, scikit-learn, from scratch). The tests check each function against scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._text import format_rows
from .._validation import check_array, check_consistent_length, check_int, error_message


def _labels(y, name: str) -> np.ndarray:
    y = check_array(y, name, ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            return y.astype(np.int64)
        raise TypeError(error_message(name, "an array of integer class labels", f"array of dtype {y.dtype}", "Encode the classes as 0, 1, ..., n_classes - 1 (e.g. with LabelEncoder)."))
    if y.size and y.min() < 0:
        raise ValueError(error_message(name, "labels >= 0", int(y.min()), "Encode the classes as 0, 1, ..., n_classes - 1."))
    return y.astype(np.int64)


def _pair(y_true, y_pred, n_classes):
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred")
    check_consistent_length(y_true=y_true, y_pred=y_pred)
    largest = int(max(y_true.max(), y_pred.max())) + 1
    if n_classes is None:
        n_classes = largest
    n_classes = check_int(n_classes, "n_classes", low=max(largest, 1), fix="Pass the number of classes the model predicts, e.g. len(class_names).")
    return y_true, y_pred, n_classes


def _encode(y, labels, name: str) -> np.ndarray:
    """Positions of ``y``'s labels in ``labels``; an unknown label is an error naming ``name``."""
    index = {label: position for position, label in enumerate(np.asarray(labels).tolist())}
    values = np.asarray(y).tolist()
    unknown = sorted({value for value in values if value not in index}, key=str)
    if unknown:
        raise ValueError(error_message(name, f"labels among {list(index)}", f"unknown labels {unknown[:5]}", "Check the estimator's predict, or pass every class in labels."))
    return np.array([index[value] for value in values], dtype=np.int64)


def _check_square(confusion, dtype=np.float64) -> np.ndarray:
    confusion = check_array(confusion, "confusion", ndim=2, dtype=dtype)
    if confusion.shape[0] != confusion.shape[1]:
        raise ValueError(error_message("confusion", "a square matrix", f"array of shape {confusion.shape}", "Pass confusion_matrix(y_true, y_pred)."))
    return confusion


def _probabilities(y_true, probabilities):
    y_true = _labels(y_true, "y_true")
    probabilities = check_array(probabilities, "probabilities", ndim=2)
    check_consistent_length(y_true=y_true, probabilities=probabilities)
    if probabilities.min() < 0 or probabilities.max() > 1 or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            error_message("probabilities", "rows of class probabilities in [0, 1] summing to 1", "rows that do not", "Pass model.predict(X) of a softmax model, not logits.")
        )
    if y_true.max() >= probabilities.shape[1]:
        raise ValueError(error_message("y_true", f"labels below probabilities.shape[1]={probabilities.shape[1]}", int(y_true.max()), "Check that labels and probability columns describe the same classes."))
    return y_true, probabilities


def accuracy(y_true, y_pred) -> float:
    """Share of samples whose predicted class is the true class.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n_samples,)

    Returns
    -------
    accuracy : float in [0, 1]

    See Also
    --------
    sklearn.metrics.accuracy_score : the reference implementation.
    """
    y_true, y_pred, _ = _pair(y_true, y_pred, None)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None, *, labels=None, normalize: bool = False) -> np.ndarray:
    """Count how often class ``i`` (row, true) was predicted as class ``j`` (column).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Integer labels ``0 .. n_classes - 1``, or any labels listed in ``labels``.
    n_classes : int, default=None
        Size of the matrix; default: the largest label seen plus one (``len(labels)`` with ``labels``).
    labels : array-like of shape (n_classes,), default=None
        The class labels in matrix order (strings allowed); every label of ``y_true`` and
        ``y_pred`` must be among them.
    normalize : bool, default=False
        Divide each row by its total, so entry ``(i, j)`` is the share of class ``i`` predicted
        as ``j`` and the diagonal holds per-class recall (rows of absent classes stay zero).

    Returns
    -------
    confusion : ndarray of shape (n_classes, n_classes)
        int64 counts, or float64 shares with ``normalize=True``.

    See Also
    --------
    sklearn.metrics.confusion_matrix : the reference implementation.
    """
    if labels is not None:
        y_true, y_pred = _encode(y_true, labels, "y_true"), _encode(y_pred, labels, "y_pred")
        n_classes = len(labels) if n_classes is None else n_classes
    y_true, y_pred, n_classes = _pair(y_true, y_pred, n_classes)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    if not normalize:
        return counts
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


def scores_from_confusion(confusion) -> dict[str, np.ndarray | float]:
    """Accuracy, precision, recall and F1 from a confusion matrix.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        ``confusion[i, j]`` counts samples of true class ``i`` predicted as class ``j``.

    Returns
    -------
    scores : dict
        ``"precision"``, ``"recall"``, ``"f1"``: ndarray of shape (n_classes,);
        ``"accuracy"``, ``"precision_macro"``, ``"recall_macro"``, ``"f1_macro"``: float.
        A ratio with a zero denominator (a class never predicted, or absent) counts as 0, like
        scikit-learn's ``zero_division=0``.

    Notes
    -----
    .. math:: \\mathrm{precision}_c = \\frac{C_{cc}}{\\sum_i C_{ic}},\\quad
              \\mathrm{recall}_c = \\frac{C_{cc}}{\\sum_j C_{cj}},\\quad
              F_1 = \\frac{2PR}{P + R}

    See Also
    --------
    sklearn.metrics.precision_recall_fscore_support : the reference these equal (tested).
    """
    confusion = _check_square(confusion)
    true_positives = np.diag(confusion)
    predicted = confusion.sum(axis=0)  # column sums: how often each class was predicted
    actual = confusion.sum(axis=1)  # row sums: how many samples each class has
    precision = np.divide(true_positives, predicted, out=np.zeros_like(true_positives), where=predicted > 0)
    recall = np.divide(true_positives, actual, out=np.zeros_like(true_positives), where=actual > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    total = confusion.sum()
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(true_positives.sum() / total) if total > 0 else 0.0,
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
    }


@dataclass
class ClassScores:
    """Per-class precision, recall, F1 and support, arrays of shape (n_classes,)."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    class_names: list

    @property
    def macro_f1(self) -> float:
        """Unweighted mean of the per-class F1 scores."""
        return float(np.mean(self.f1))

    def table(self) -> str:
        """A fixed-width text table like scikit-learn's ``classification_report``."""
        width = max(10, *(len(str(name)) for name in self.class_names))
        rows = [f"{'class':>{width}} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}"]
        for index, name in enumerate(self.class_names):
            rows.append(f"{name!s:>{width}} {self.precision[index]:>9.3f} {self.recall[index]:>7.3f} {self.f1[index]:>6.3f} {self.support[index]:>7d}")
        rows.append(f"{'macro avg':>{width}} {np.mean(self.precision):>9.3f} {np.mean(self.recall):>7.3f} {self.macro_f1:>6.3f} {int(self.support.sum()):>7d}")
        return "\n".join(rows)


def per_class_scores(y_true, y_pred, n_classes: int | None = None, *, class_names=None) -> ClassScores:
    """Precision, recall and F1 of every class, with the number of true samples of each.

    Precision of class ``k`` is the share of predictions ``k`` that are right; recall the share
    of true ``k`` that are found; F1 their harmonic mean. A ratio with a zero denominator is 0
    (scikit-learn's ``zero_division=0``).

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (n_samples,)
    n_classes : int, default=None
        Default: ``len(class_names)`` if given, else the largest label seen plus one.
    class_names : list of str, default=None
        Default: ``["0", "1", ...]``.

    Returns
    -------
    scores : ClassScores

    See Also
    --------
    sklearn.metrics.precision_recall_fscore_support : the reference implementation.
    """
    if class_names is not None:
        class_names = [str(name) for name in class_names]
        n_classes = len(class_names) if n_classes is None else n_classes
    counts = confusion_matrix(y_true, y_pred, n_classes)
    n_classes = counts.shape[0]
    if class_names is not None and len(class_names) != n_classes:
        raise ValueError(error_message("class_names", f"{n_classes} names, one per class", len(class_names), "Pass one name per class."))
    class_names = class_names or [str(k) for k in range(n_classes)]
    scores = scores_from_confusion(counts)
    return ClassScores(scores["precision"], scores["recall"], scores["f1"], counts.sum(axis=1).astype(np.int64), class_names)


def most_confused_pairs(confusion, class_names=None, *, top: int = 5) -> list[tuple[str, str, int, float]]:
    """The off-diagonal cells of a confusion matrix with the most errors, largest first.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Counts, rows true and columns predicted (from :func:`confusion_matrix`).
    class_names : list of str, default=None
    top : int, default=5
        Number of pairs returned (fewer if fewer cells hold errors).

    Returns
    -------
    pairs : list of (true_name, predicted_name, count, share_of_true_class)
        Ties are broken by row, then column, so the order is deterministic.
    """
    confusion = _check_square(confusion, dtype=np.int64)
    n_classes = confusion.shape[0]
    top = check_int(top, "top", low=1, fix="Ask for at least one pair.")
    names = [str(name) for name in class_names] if class_names is not None else [str(k) for k in range(n_classes)]
    if len(names) != n_classes:
        raise ValueError(error_message("class_names", f"{n_classes} names", len(names), "Pass one name per row of the matrix."))
    errors = confusion.copy()
    np.fill_diagonal(errors, 0)
    flat = np.argsort(-errors, axis=None, kind="stable")[:top]
    totals = confusion.sum(axis=1)
    pairs = []
    for index in flat:
        true, predicted = divmod(int(index), n_classes)
        if errors[true, predicted] == 0:
            break
        pairs.append((names[true], names[predicted], int(errors[true, predicted]), float(errors[true, predicted] / totals[true])))
    return pairs


def most_confident_mistakes(y_true, probabilities, *, limit: int = 16) -> np.ndarray:
    """Indices of misclassified samples, the most confidently wrong first.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
    probabilities : array-like of shape (n_samples, n_classes)
        Predicted class probabilities.
    limit : int, default=16

    Returns
    -------
    indices : ndarray of int, shape (min(limit, n_mistakes),)
    """
    y_true, probabilities = _probabilities(y_true, probabilities)
    limit = check_int(limit, "limit", low=1, fix="Ask for at least one image.")
    y_pred = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(y_pred != y_true)
    confidence = probabilities[wrong, y_pred[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:limit]


@dataclass
class ReliabilityCurve:
    """Calibration of the top-class probability, bin by bin (arrays of shape (n_bins,)).

    ``confidence[b]`` is the mean top probability of the samples in bin ``b`` and ``accuracy[b]``
    the share of them classified correctly (NaN for empty bins). A calibrated model has
    ``accuracy == confidence`` in every bin.
    """

    bin_edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    expected_calibration_error: float


def reliability_curve(y_true, probabilities, *, n_bins: int = 10) -> ReliabilityCurve:
    """Bin predictions by confidence (top-class probability) and compare with accuracy.

    Bins split ``[0, 1]`` into ``n_bins`` equal intervals, closed on the right like
    scikit-learn's ``calibration_curve(strategy="uniform")``. The expected calibration error is

    .. math:: \\mathrm{ECE} = \\sum_b \\frac{n_b}{n} \\left| \\mathrm{acc}_b - \\mathrm{conf}_b \\right|.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
    probabilities : array-like of shape (n_samples, n_classes)
    n_bins : int, default=10

    Returns
    -------
    curve : ReliabilityCurve

    See Also
    --------
    sklearn.calibration.calibration_curve : the reference for the binning (applied to
        ``correct`` against ``confidence``).
    """
    y_true, probabilities = _probabilities(y_true, probabilities)
    n_bins = check_int(n_bins, "n_bins", low=1, high=1000, fix="Try 10 or 15 bins.")
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], confidence)  # same rule as scikit-learn
    counts = np.bincount(bins, minlength=n_bins)
    sum_confidence = np.bincount(bins, weights=confidence, minlength=n_bins)
    sum_correct = np.bincount(bins, weights=correct, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.where(counts > 0, sum_confidence / counts, np.nan)
        mean_accuracy = np.where(counts > 0, sum_correct / counts, np.nan)
    ece = float(np.abs(sum_correct - sum_confidence).sum() / len(y_true))
    return ReliabilityCurve(edges, mean_confidence, mean_accuracy, counts.astype(np.int64), ece)


def classifier_summary(y_true, probabilities, *, n_parameters: int | None = None, history=None, n_bins: int = 10) -> dict:
    """One row of a model comparison: size, test accuracy, confidence, calibration, training cost.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
    probabilities : array-like of shape (n_samples, n_classes)
        Predicted class probabilities on the same samples.
    n_parameters : int, default=None
        The model's size (e.g. ``model.count_params()``).
    history : fusionlab.history.History, default=None
        Its training run: adds epochs, training seconds and images per second.
    n_bins : int, default=10
        Bins of the expected calibration error (:func:`reliability_curve`).

    Returns
    -------
    row : dict
        ``params``, ``test acc``, ``mean conf``, ``ECE`` and, with a history, ``epochs``,
        ``train s`` and ``img/s``; :func:`summary_table` prints several.
    """
    y_true, probabilities = _probabilities(y_true, probabilities)
    row = {
        "params": n_parameters,
        "test acc": float(np.mean(probabilities.argmax(axis=1) == y_true)),
        "mean conf": float(probabilities.max(axis=1).mean()),
        "ECE": reliability_curve(y_true, probabilities, n_bins=n_bins).expected_calibration_error,
    }
    if history is not None:
        row.update({"epochs": float(history.n_epochs), "train s": float(history.train_time_s), "img/s": float(history.mean_samples_per_second)})
    return row


def summary_table(rows: dict) -> str:
    """Text table of :func:`classifier_summary` rows, ``{model name: row}``."""
    formats = {"params": ",", "test acc": ".1%", "mean conf": ".1%", "ECE": ".1%", "epochs": ".1f", "train s": ".1f", "img/s": ".0f"}
    return format_rows(rows, formats=formats)


def expected_calibration_error(y_true, probabilities, *, n_bins: int = 10) -> float:
    """Weighted mean gap between accuracy and confidence over confidence bins (0 is calibrated).

    See :func:`reliability_curve`, which returns it with the per-bin figures.
    """
    return reliability_curve(y_true, probabilities, n_bins=n_bins).expected_calibration_error


__all__ = [
    "ClassScores",
    "ReliabilityCurve",
    "accuracy",
    "classifier_summary",
    "confusion_matrix",
    "expected_calibration_error",
    "most_confident_mistakes",
    "most_confused_pairs",
    "per_class_scores",
    "reliability_curve",
    "scores_from_confusion",
    "summary_table",
]
