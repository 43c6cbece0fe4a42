"""Stratified k-fold cross-validation with a full classification report per fold.

Chapter 3.3 (step 4 of the fusion pipeline, model evaluation). ``cross_validate_report`` refits a
clone of the estimator on each training fold, predicts the held-out fold, and computes accuracy,
precision, recall and F1 (macro and per class) from that fold's confusion matrix (both computed in
:mod:`fusionlab.evaluate.classification`). The report keeps
every fold's numbers, so the spread over folds is as visible as the mean.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_classification_data, check_int, error_message
from .classification import confusion_matrix, scores_from_confusion

#: The fold-level scores every report carries, in display order.
METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro")
#: The per-class scores every report carries.
PER_CLASS_METRICS = ("precision", "recall", "f1")


@dataclass
class CrossValidationReport:
    """What ``cross_validate_report`` measured, fold by fold.

    Attributes
    ----------
    name : str
        A label for tables and figures.
    labels : ndarray of shape (n_classes,)
        The class labels, sorted; rows and columns of the confusion matrices follow this order.
    class_names : list of str
        Display names of the classes.
    fold_scores : dict of str to ndarray of shape (n_splits,)
        ``accuracy``, ``precision_macro``, ``recall_macro`` and ``f1_macro`` of each held-out fold.
    per_class : dict of str to ndarray of shape (n_splits, n_classes)
        ``precision``, ``recall`` and ``f1`` of each class in each fold.
    fold_confusions : ndarray of shape (n_splits, n_classes, n_classes)
        Each held-out fold's confusion matrix (rows: true class, columns: predicted class).
    fit_time_s, predict_time_s : ndarray of shape (n_splits,)
        Wall-clock time to fit on the training folds and to predict the held-out fold.
    y_pred : ndarray of shape (n_samples,)
        Out-of-fold predictions: each sample predicted by the model that did not see it.
    """

    name: str
    labels: np.ndarray
    class_names: list[str]
    fold_scores: dict[str, np.ndarray]
    per_class: dict[str, np.ndarray]
    fold_confusions: np.ndarray
    fit_time_s: np.ndarray
    predict_time_s: np.ndarray
    y_pred: np.ndarray = field(repr=False)

    @property
    def n_splits(self) -> int:
        return len(self.fit_time_s)

    @property
    def confusion(self) -> np.ndarray:
        """ndarray of shape (n_classes, n_classes): the fold confusion matrices summed."""
        return self.fold_confusions.sum(axis=0)

    def mean(self, metric: str = "accuracy") -> float:
        """Mean of a fold-level metric over the folds."""
        return float(np.mean(self._fold(metric)))

    def std(self, metric: str = "accuracy") -> float:
        """Sample standard deviation (``ddof=1``) of a fold-level metric over the folds."""
        values = self._fold(metric)
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    def per_class_mean(self, metric: str = "f1") -> np.ndarray:
        """ndarray of shape (n_classes,): a per-class metric averaged over the folds."""
        if metric not in self.per_class:
            raise ValueError(error_message("metric", f"one of {list(PER_CLASS_METRICS)}", metric))
        return self.per_class[metric].mean(axis=0)

    def summary(self) -> dict[str, tuple[float, float]]:
        """``{metric: (mean, std)}`` for every fold-level metric, plus ``fit_time_s``."""
        table = {metric: (self.mean(metric), self.std(metric)) for metric in METRICS}
        table["fit_time_s"] = (float(self.fit_time_s.mean()), float(np.std(self.fit_time_s, ddof=1)) if self.n_splits > 1 else 0.0)
        return table

    def per_class_table(self) -> str:
        """A text table: precision, recall and F1 per class (mean ± std over folds)."""
        width = max(5, *(len(name) for name in self.class_names))
        lines = [f"{'class':<{width}}  {'precision':>15}  {'recall':>15}  {'f1':>15}"]
        for index, name in enumerate(self.class_names):
            cells = []
            for metric in PER_CLASS_METRICS:
                values = self.per_class[metric][:, index]
                spread = np.std(values, ddof=1) if len(values) > 1 else 0.0
                cells.append(f"{values.mean():.3f} ± {spread:.3f}")
            lines.append(f"{name:<{width}}  " + "  ".join(f"{cell:>15}" for cell in cells))
        return "\n".join(lines)

    def _fold(self, metric: str) -> np.ndarray:
        if metric not in self.fold_scores:
            raise ValueError(error_message("metric", f"one of {list(METRICS)}", metric))
        return self.fold_scores[metric]


def cross_validate_report(
    estimator,
    X,
    y,
    *,
    n_splits: int = 5,
    random_state: int | None = 0,
    class_names=None,
    name: str | None = None,
    allow_nan: bool = False,
) -> CrossValidationReport:
    """Stratified k-fold cross-validation reporting accuracy, precision, recall and F1.

    Each fold: clone ``estimator``, fit it on the other folds (so any preprocessing inside it
    is fitted on training data only), time the fit, predict the held-out fold, and score it from
    its confusion matrix.

    Parameters
    ----------
    estimator : scikit-learn classifier or Pipeline
        Cloned for every fold; never fitted itself.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        At least two classes, each with at least ``n_splits`` samples.
    n_splits : int, default=5
        Number of folds, at least 2.
    random_state : int or None, default=0
        Seeds the shuffling of samples into folds (``StratifiedKFold(shuffle=True)``).
    class_names : sequence of str, default=None
        Display names, one per class in sorted label order; defaults to the labels as text.
    name : str, default=None
        Label for tables and figures; defaults to the estimator's class name.
    allow_nan : bool, default=False
        Accept NaN in ``X``; set it when ``estimator`` imputes missing values itself.

    Returns
    -------
    report : CrossValidationReport

    See Also
    --------
    sklearn.model_selection.cross_validate : the reference loop (same folds, same scores; tested).
    fusionlab.evaluate.compare_models : several estimators on the same folds.

    Notes
    -----
    Used in chapter 3.3, step 4 (model evaluation). Keras models inside ``estimator`` run one
    after another (no parallel folds), which keeps results repeatable.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    n_splits = check_int(n_splits, "n_splits", low=2, fix="Cross-validation needs at least two folds; 3 or 5 is usual.")
    if random_state is not None:
        random_state = check_int(random_state, "random_state", low=0, high=2**32 - 1, fix="Pass an int seed such as 0, or None.")
    X, y = check_classification_data(X, y, n_splits=n_splits, allow_nan=allow_nan)
    labels = np.unique(y)
    if class_names is None:
        class_names = [str(label) for label in labels]
    else:
        class_names = [str(item) for item in class_names]
        if len(class_names) != len(labels):
            raise ValueError(
                error_message("class_names", f"{len(labels)} names, one per class", f"{len(class_names)} names", "Pass one name per distinct label, in sorted label order.")
            )
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    confusions, fit_time_s, predict_time_s = [], [], []
    y_pred = np.empty_like(y)
    for train_index, test_index in folds.split(X, y):
        model = clone(estimator)
        start = time.perf_counter()
        model.fit(X[train_index], y[train_index])
        fit_time_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        predicted = np.asarray(model.predict(X[test_index])).ravel()
        predict_time_s.append(time.perf_counter() - start)
        y_pred[test_index] = predicted
        confusions.append(confusion_matrix(y[test_index], predicted, labels=labels))
    scores = [scores_from_confusion(confusion) for confusion in confusions]
    return CrossValidationReport(
        name=name or type(estimator).__name__,
        labels=labels,
        class_names=class_names,
        fold_scores={metric: np.array([fold[metric] for fold in scores]) for metric in METRICS},
        per_class={metric: np.stack([fold[metric] for fold in scores]) for metric in PER_CLASS_METRICS},
        fold_confusions=np.stack(confusions),
        fit_time_s=np.array(fit_time_s),
        predict_time_s=np.array(predict_time_s),
        y_pred=y_pred,
    )


def compare_models(estimators, X, y, *, n_splits: int = 5, random_state: int | None = 0, class_names=None, allow_nan: bool = False):
    """Cross-validate several estimators on the very same folds.

    Parameters
    ----------
    estimators : dict of str to estimator
        Display name to (unfitted) classifier or pipeline.
    X, y, n_splits, random_state, class_names, allow_nan
        As in :func:`cross_validate_report`; the same ``random_state`` gives every model the
        same folds, so their scores are paired.

    Returns
    -------
    reports : dict of str to CrossValidationReport
    """
    if not isinstance(estimators, dict) or not estimators:
        raise TypeError(error_message("estimators", "a non-empty dict of name to estimator", type(estimators).__name__, "Pass e.g. {'logistic regression': LogisticRegression()}."))
    return {
        label: cross_validate_report(estimator, X, y, n_splits=n_splits, random_state=random_state, class_names=class_names, name=label, allow_nan=allow_nan)
        for label, estimator in estimators.items()
    }


def format_cv_table(reports, metrics=("accuracy", "f1_macro")) -> str:
    """A text table of several reports: each metric as mean ± std over folds, and fit time.

    Parameters
    ----------
    reports : dict of str to CrossValidationReport, or sequence of reports
    metrics : sequence of str, default=("accuracy", "f1_macro")

    Returns
    -------
    table : str
    """
    reports = list(reports.values()) if isinstance(reports, dict) else list(reports)
    for metric in metrics:
        if metric not in METRICS:
            raise ValueError(error_message("metrics", f"names among {list(METRICS)}", metric))
    width = max(5, *(len(report.name) for report in reports))
    header = f"{'model':<{width}}  " + "  ".join(f"{metric:>17}" for metric in metrics) + f"  {'fit s / fold':>14}"
    lines = [header]
    for report in reports:
        cells = [f"{report.mean(metric):.3f} ± {report.std(metric):.3f}" for metric in metrics]
        fit_mean, fit_std = report.summary()["fit_time_s"]
        lines.append(f"{report.name:<{width}}  " + "  ".join(f"{cell:>17}" for cell in cells) + f"  {fit_mean:>7.2f} ± {fit_std:.2f}")
    return "\n".join(lines)
