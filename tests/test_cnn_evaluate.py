"""fusionlab.evaluate.classification against scikit-learn (exact, float64), and the image figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402

from fusionlab.evaluate import accuracy, confusion_matrix, expected_calibration_error, per_class_scores  # noqa: E402
from fusionlab.evaluate import most_confident_mistakes, most_confused_pairs, reliability_curve  # noqa: E402
from fusionlab.history import History  # noqa: E402
from fusionlab.plotting import plot_curves, plot_heatmap, plot_misclassified, plot_reliability_diagram  # noqa: E402

N_CLASSES = 6


@pytest.fixture(params=[0, 1, 2])
def predictions(request):
    """Labels and softmax probabilities of a noisy classifier; class 5 is never predicted."""
    rng = np.random.default_rng(request.param)
    y_true = rng.integers(0, N_CLASSES, size=300)
    logits = rng.normal(size=(300, N_CLASSES)) + 2.0 * np.eye(N_CLASSES)[y_true]
    logits[:, 5] -= 50.0
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return y_true, probabilities.argmax(axis=1), probabilities


def test_accuracy_equals_sklearn(predictions):
    y_true, y_pred, _ = predictions
    assert accuracy(y_true, y_pred) == metrics.accuracy_score(y_true, y_pred)


def test_confusion_matrix_equals_sklearn(predictions):
    y_true, y_pred, _ = predictions
    labels = list(range(N_CLASSES))
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, N_CLASSES), metrics.confusion_matrix(y_true, y_pred, labels=labels))
    np.testing.assert_allclose(
        confusion_matrix(y_true, y_pred, N_CLASSES, normalize=True),
        metrics.confusion_matrix(y_true, y_pred, labels=labels, normalize="true"),
        rtol=0, atol=1e-15,
    )


def test_confusion_matrix_of_named_labels_equals_sklearn():
    names = np.array(["bird", "cat", "dog"])
    rng = np.random.default_rng(5)
    y_true, y_pred = names[rng.integers(0, 3, 50)], names[rng.integers(0, 3, 50)]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=names), metrics.confusion_matrix(y_true, y_pred, labels=names))


def test_confusion_matrix_keeps_rows_of_absent_classes_at_zero():
    shares = confusion_matrix([0, 0, 1], [0, 1, 1], 3, normalize=True)
    np.testing.assert_array_equal(shares[2], [0.0, 0.0, 0.0])


def test_per_class_scores_equal_sklearn_including_zero_division(predictions):
    y_true, y_pred, _ = predictions
    scores = per_class_scores(y_true, y_pred, N_CLASSES)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(N_CLASSES)), zero_division=0
    )
    np.testing.assert_allclose(scores.precision, precision, rtol=0, atol=1e-15)
    np.testing.assert_allclose(scores.recall, recall, rtol=0, atol=1e-15)
    np.testing.assert_allclose(scores.f1, f1, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(scores.support, support)
    assert scores.precision[5] == 0.0  # never predicted: sklearn's zero_division=0
    assert scores.macro_f1 == pytest.approx(metrics.f1_score(y_true, y_pred, average="macro", labels=list(range(N_CLASSES)), zero_division=0), abs=1e-15)
    assert "macro avg" in scores.table()


def test_per_class_scores_use_class_names():
    scores = per_class_scores([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"])
    assert scores.class_names == ["cat", "dog"] and "dog" in scores.table()
    with pytest.raises(ValueError, match=r"n_classes must be an int in \[2, inf\]; got n_classes=1\. Pass the number of classes"):
        per_class_scores([0, 1], [0, 1], class_names=["cat"])


def test_classifier_summary_rows_and_their_table(predictions):
    from fusionlab.evaluate import classifier_summary, summary_table
    from fusionlab.history import History

    y_true, y_pred, probabilities = predictions
    history = History.from_epochs(loss=[1.0, 0.5], elapsed_s=[2.0, 4.0])
    history.n_samples_seen = [300, 600]
    row = classifier_summary(y_true, probabilities, n_parameters=1234, history=history)
    assert row["test acc"] == metrics.accuracy_score(y_true, y_pred)
    assert row["ECE"] == reliability_curve(y_true, probabilities).expected_calibration_error
    assert row["mean conf"] == pytest.approx(probabilities.max(axis=1).mean()) and row["img/s"] == 150.0 and row["epochs"] == 2.0
    lines = summary_table({"seed": row, "bare": classifier_summary(y_true, probabilities)}).splitlines()
    assert lines[0].split()[:4] == ["model", "params", "test", "acc"] and "1,234" in lines[2] and lines[3].split()[-1] == "-"


def test_most_confused_pairs_matches_a_brute_force_ranking(predictions):
    y_true, y_pred, _ = predictions
    counts = confusion_matrix(y_true, y_pred, N_CLASSES)
    names = [f"c{k}" for k in range(N_CLASSES)]
    oracle = sorted(
        ((counts[i, j], -i, -j) for i in range(N_CLASSES) for j in range(N_CLASSES) if i != j and counts[i, j] > 0),
        reverse=True,
    )[:4]
    pairs = most_confused_pairs(counts, names, top=4)
    assert [(t, p, n) for t, p, n, _ in pairs] == [(names[-i], names[-j], int(c)) for c, i, j in oracle]
    for true, _, count, share in pairs:
        assert share == pytest.approx(count / counts[names.index(true)].sum())


def test_most_confused_pairs_on_a_perfect_classifier_is_empty():
    assert most_confused_pairs(np.diag([3, 4, 5])) == []


def test_most_confident_mistakes_are_wrong_and_sorted(predictions):
    y_true, y_pred, probabilities = predictions
    indices = most_confident_mistakes(y_true, probabilities, limit=10)
    assert len(indices) == 10
    assert np.all(y_pred[indices] != y_true[indices])
    confidence = probabilities[indices, y_pred[indices]]
    assert np.all(np.diff(confidence) <= 0)
    wrong = y_pred != y_true
    assert confidence[0] == probabilities[wrong].max(axis=1).max()


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_reliability_curve_equals_sklearn_calibration_curve(predictions, n_bins):
    y_true, y_pred, probabilities = predictions
    curve = reliability_curve(y_true, probabilities, n_bins=n_bins)
    correct = (y_pred == y_true).astype(float)
    confidence = probabilities.max(axis=1)
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=n_bins, strategy="uniform")
    filled = curve.counts > 0
    np.testing.assert_allclose(curve.accuracy[filled], prob_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve.confidence[filled], prob_pred, rtol=0, atol=1e-12)
    assert curve.counts.sum() == len(y_true)
    assert np.all(np.isnan(curve.accuracy[~filled]))


def test_expected_calibration_error_matches_a_brute_force_oracle(predictions):
    y_true, y_pred, probabilities = predictions
    confidence = probabilities.max(axis=1)
    correct = y_pred == y_true
    n_bins, total = 10, 0.0
    for b in range(n_bins):  # bins (b/10, (b+1)/10], the first also holding 0
        low, high = b / n_bins, (b + 1) / n_bins
        members = (confidence > low) & (confidence <= high) if b else confidence <= high
        if members.any():
            total += members.sum() / len(y_true) * abs(correct[members].mean() - confidence[members].mean())
    assert expected_calibration_error(y_true, probabilities, n_bins=n_bins) == pytest.approx(total, abs=1e-12)


def test_a_calibrated_model_has_a_small_error_and_an_overconfident_one_a_large_error():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, size=20_000)
    y_true = np.zeros(20_000, dtype=int)
    correct = rng.uniform(size=20_000) < confidence  # right exactly as often as it claims
    probabilities = np.column_stack([confidence, 1 - confidence])
    y_true[~correct] = 1
    assert expected_calibration_error(y_true, probabilities) < 0.02
    y_overconfident = np.where(rng.uniform(size=20_000) < 0.6, 0, 1)  # right 60% of the time
    assert expected_calibration_error(y_overconfident, probabilities) > 0.1


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: accuracy([0, 1], [0, 1, 1]), ValueError, r"y_true, y_pred must be arrays with the same number of samples"),
        (lambda: accuracy([0.5, 1], [0, 1]), TypeError, r"y_true must be an array of integer class labels; got y_true='array of dtype float64'"),
        (lambda: confusion_matrix([0, 3], [0, 1], 2), ValueError, r"n_classes must be an int in \[4, inf\]; got n_classes=2"),
        (lambda: reliability_curve([0, 1], [[2.0, -1.0], [0.5, 0.5]]), ValueError, r"probabilities must be rows of class probabilities in \[0, 1\] summing to 1; got probabilities='rows that do not'\. Pass model\.predict"),
        (lambda: reliability_curve([0, 1], [[0.5, 0.5], [0.5, 0.5]], n_bins=0), ValueError, r"n_bins must be an int in \[1, 1000\]; got n_bins=0"),
        (lambda: most_confused_pairs(np.zeros((2, 3))), ValueError, r"confusion must be a square matrix"),
        (lambda: confusion_matrix(["cat", "dog"], ["cat", "owl"], labels=["cat", "dog"]), ValueError, r"y_pred must be labels among \['cat', 'dog'\]; got y_pred=\"unknown labels \['owl'\]\"\. Check the estimator's predict"),
        (lambda: most_confident_mistakes([0, 2], [[0.5, 0.5], [0.5, 0.5]]), ValueError, r"y_true must be labels below probabilities\.shape\[1\]=2; got y_true=2"),
    ],
)
def test_evaluation_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- figures --------------------------------------------------------------------------------

def test_figures_have_titles_and_labelled_axes(predictions):
    y_true, y_pred, probabilities = predictions
    names = [f"class {k}" for k in range(N_CLASSES)]
    figure = plot_heatmap(confusion_matrix(y_true, y_pred, N_CLASSES), names, names, row_percent=True, xlabel="predicted class", ylabel="true class", title="t")
    ax = figure.axes[0]
    assert ax.get_title() and ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    figure = plot_reliability_diagram({"model": reliability_curve(y_true, probabilities)})
    ax = figure.axes[0]
    assert "(%)" in ax.get_xlabel() and "(%)" in ax.get_ylabel() and "ECE" in ax.get_legend().get_texts()[1].get_text()
    images = np.random.default_rng(0).integers(0, 256, size=(len(y_true), 8, 8, 1), dtype=np.uint8)
    indices = most_confident_mistakes(y_true, probabilities, limit=5)
    figure = plot_misclassified(images, y_true, y_pred, indices, names, probabilities=probabilities, n_columns=3)
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert len(titles) == 5 and all("pred class" in t and "true class" in t for t in titles)
    assert figure._suptitle.get_text()
    history = History.from_epochs(loss=[1.0, 0.5], val_accuracy=[0.4, 0.6], elapsed_s=[1.0, 2.0])
    figure = plot_curves({"seed": history}, "val_accuracy", x="elapsed_s")
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in figure.axes)
    assert "(s)" in figure.axes[0].get_xlabel()
    plt.close("all")


def test_figures_reject_bad_input():
    with pytest.raises(ValueError, match=r"values must be a non-empty 2-D matrix; got values='array of shape \(3,\)'"):
        plot_heatmap(np.zeros(3))
    with pytest.raises(ValueError, match=r"row_labels/column_labels must be 2 row and 3 column labels; got row_labels/column_labels='1 and 3'"):
        plot_heatmap(np.zeros((2, 3)), ["a"])
    with pytest.raises(ValueError, match=r"images must be a 4-D array"):
        plot_misclassified(np.zeros((4, 8, 8)), [0], [1], [0])
    with pytest.raises(ValueError, match=r"histories must be runs that recorded 'epoch'; got histories=\"run '' of type list\"\. Pass fusionlab.history.History objects"):
        plot_curves([])
