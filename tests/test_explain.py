"""fusionlab.explain: each attribution method against its definition, the sanity check, tabular
importances, SHAP's local accuracy, and item-kNN explanations that add up to the prediction.

References: analytic gradients of a linear model (saliency, integrated gradients), a brute-force
occlusion loop, scikit-learn's ``permutation_importance``, SciPy's ``spearmanr`` and the
recommender's own ``predict``. Tolerances are stated at each assertion.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fusionlab.explain import (  # noqa: E402
    METHODS,
    add_random_features,
    attribution_map,
    cascading_randomization,
    compare_importances,
    completeness_gap,
    edge_map,
    explain,
    explain_item_knn,
    integrated_gradients,
    occlusion,
    path_weights,
    rank_correlation,
    resolve_target,
    saliency,
    smoothgrad,
    tree_shap,
)


def _linear_model(shape=(6, 6, 2), n_classes=3, seed=0, dtype="float64"):
    """Softmax regression on flattened images: the logit gradient is a column of the kernel."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=shape, dtype=dtype)
    flat = keras.layers.Flatten(dtype=dtype)(inputs)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype=dtype)(flat)
    return keras.Model(inputs, outputs)


def _small_cnn(shape=(12, 12, 3), n_classes=4, seed=0):
    """A ReLU CNN with the same layer types as the article's (valid convolutions, pooling)."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input(shape=shape),
        keras.layers.Conv2D(6, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])


def _images(n=5, shape=(12, 12, 3), seed=1, dtype="float32"):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, *shape)).astype(dtype)


# --- the compiled gradient functions ------------------------------------------------------

def test_compiled_gradients_equal_eager_gradient_tape_and_see_reinitialised_weights():
    """One traced graph per model (cached), equal to eager GradientTape to float64 rounding (1e-12)."""
    import tensorflow as tf

    from fusionlab._keras import compiled_function, score_function

    model = _linear_model(seed=3)
    X = _images(3, (6, 6, 2), dtype="float64")
    target = np.array([2, 0, 1])
    gradient_of = compiled_function(model, "target_gradient", "logit")
    assert compiled_function(model, "target_gradient", "logit") is gradient_of  # traced once, reused
    x = tf.convert_to_tensor(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        selected = tf.gather(score_function(model, "logit")(x), target, axis=1, batch_dims=1)
    eager = tape.gradient(selected, x).numpy()
    np.testing.assert_allclose(gradient_of(X, target)[0].numpy(), eager, rtol=1e-12, atol=1e-14)
    kernel = model.layers[-1].kernel
    kernel.assign(2 * kernel)  # what the sanity check's re-initialisation does
    np.testing.assert_allclose(gradient_of(X, target)[0].numpy(), 2 * eager, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="kind must be one of"):
        compiled_function(model, "hessian")


# --- gradients against a linear model's analytic gradient ----------------------------------

def test_saliency_of_a_linear_model_is_its_kernel_column():
    model = _linear_model()
    X = _images(4, (6, 6, 2), dtype="float64")
    target = np.array([0, 1, 2, 1])
    kernel = model.layers[-1].kernel.numpy()  # (72, 3)
    expected = np.stack([kernel[:, c].reshape(6, 6, 2) for c in target])
    np.testing.assert_allclose(saliency(model, X, target), expected, rtol=1e-12, atol=1e-14)


def test_integrated_gradients_of_a_linear_model_are_input_times_weight_for_every_rule():
    model = _linear_model()
    X = _images(3, (6, 6, 2), dtype="float64")
    kernel = model.layers[-1].kernel.numpy()
    for rule in ("left", "right", "midpoint", "trapezoid"):
        attributions = integrated_gradients(model, X, 2, n_steps=3, rule=rule)
        np.testing.assert_allclose(attributions, X * kernel[:, 2].reshape(6, 6, 2), rtol=1e-12, atol=1e-14)
        assert completeness_gap(model, X, attributions, 2).max() < 1e-10  # exact for a linear score


def test_path_weights_integrate_constants_and_linear_functions_exactly():
    for rule in ("left", "right", "midpoint", "trapezoid"):
        alphas, weights = path_weights(7, rule)
        assert np.isclose(weights.sum(), 1.0)
    alphas, weights = path_weights(7, "trapezoid")
    assert np.isclose(np.dot(weights, alphas), 0.5)  # integral of a over [0, 1]
    assert alphas[0] == 0 and alphas[-1] == 1 and len(alphas) == 8


def test_integrated_gradients_completeness_within_one_percent_at_64_steps_and_shrinking():
    """The completeness axiom of Sundararajan et al. on a ReLU CNN: the gap is below 1% for
    every image at 64 trapezoid steps, and the mean gap falls as the steps grow."""
    model = _small_cnn()
    X = _images(5)
    gaps = {m: completeness_gap(model, X, integrated_gradients(model, X, n_steps=m)) for m in (2, 8, 64, 256)}
    assert gaps[64].max() < 0.01
    means = [gaps[m].mean() for m in (2, 8, 64, 256)]
    assert all(later < earlier for earlier, later in zip(means, means[1:])), means


def test_completeness_holds_for_another_baseline_exercise_ex_05_2_baseline():
    """Exercise ex-05-2-baseline: with a grey baseline the attributions add up to f(x) - f(grey)."""
    model = _small_cnn()
    X = _images(4)
    grey = integrated_gradients(model, X, baseline=0.5, n_steps=256)
    coarse = integrated_gradients(model, X, baseline=0.5, n_steps=16)
    gap = completeness_gap(model, X, grey, baseline=0.5)
    assert gap.max() < 0.01 and gap.mean() < completeness_gap(model, X, coarse, baseline=0.5).mean()
    black = integrated_gradients(model, X, n_steps=256)
    assert rank_correlation(attribution_map(black), attribution_map(grey)).mean() < 0.99  # the maps differ


def test_smoothgrad_without_noise_is_the_gradient_and_is_deterministic_with_a_seed():
    model = _small_cnn()
    X = _images(3)
    np.testing.assert_allclose(smoothgrad(model, X, n_samples=3, noise_level=0.0), saliency(model, X), rtol=1e-6, atol=1e-9)
    first = smoothgrad(model, X, n_samples=4, random_state=7)
    np.testing.assert_array_equal(first, smoothgrad(model, X, n_samples=4, random_state=7))
    assert not np.array_equal(first, smoothgrad(model, X, n_samples=4, random_state=8))


def test_logit_output_is_the_pre_softmax_score():
    model = _linear_model(dtype="float64")
    X = _images(3, (6, 6, 2), dtype="float64")
    layer = model.layers[-1]
    logits = X.reshape(3, -1) @ layer.kernel.numpy() + layer.bias.numpy()
    assert np.array_equal(resolve_target(model, X), logits.argmax(axis=1))
    gradient_of_probability = saliency(model, X, 0, output="probability")
    probability = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    kernel = layer.kernel.numpy()
    expected = probability[:, :1] * (kernel[:, 0] - probability @ kernel.T)  # d p_0 / d x
    np.testing.assert_allclose(gradient_of_probability.reshape(3, -1), expected, rtol=1e-10, atol=1e-14)


# --- occlusion against a brute-force loop --------------------------------------------------

def test_occlusion_matches_a_brute_force_loop_for_any_callable():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(8, 8, 1))

    def scores(X):  # a "model" whose class-1 score is a weighted pixel sum
        total = (np.asarray(X) * weights).sum(axis=(1, 2, 3))
        return np.stack([-total, total], axis=1)

    X = rng.uniform(size=(2, 8, 8, 1))
    maps = occlusion(scores, X, target=1, patch=3, stride=2, fill=0.0)
    expected = np.zeros((2, 8, 8))
    coverage = np.zeros((8, 8))
    for top in range(0, 6, 2):
        for left in range(0, 6, 2):
            coverage[top:top + 3, left:left + 3] += 1
            for index in range(2):
                hidden = X[index].copy()
                hidden[top:top + 3, left:left + 3] = 0.0
                drop = scores(X[index:index + 1])[0, 1] - scores(hidden[None])[0, 1]
                expected[index, top:top + 3, left:left + 3] += drop
    np.testing.assert_allclose(maps, expected / np.maximum(coverage, 1), rtol=1e-12, atol=1e-12)


def test_occlusion_on_a_keras_model_has_one_value_per_pixel():
    model = _small_cnn()
    maps = occlusion(model, _images(2), patch=4, stride=4)
    assert maps.shape == (2, 12, 12) and np.all(np.isfinite(maps))


# --- the sanity check -----------------------------------------------------------------------

def test_rank_correlation_matches_scipy_and_handles_constant_maps():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 5, 5)), rng.normal(size=(3, 5, 5))
    expected = [spearmanr(np.abs(x).ravel(), np.abs(y).ravel()).statistic for x, y in zip(a, b)]
    np.testing.assert_allclose(rank_correlation(a, b), expected, rtol=1e-12)
    signed = [spearmanr(x.ravel(), y.ravel()).statistic for x, y in zip(a, b)]
    np.testing.assert_allclose(rank_correlation(a, b, absolute=False), signed, rtol=1e-12)
    assert rank_correlation(np.zeros((1, 3, 3)), np.zeros((1, 3, 3)))[0] == 1.0


def test_sanity_check_fails_the_edge_detector_passes_signed_gradients_and_leaves_the_model_alone():
    model = _small_cnn()
    X = _images(4)
    before = [w.copy() for w in model.get_weights()]
    result = cascading_randomization(model, X, methods=("gradient", "edge_detector"), random_state=0)
    for weight, kept in zip(model.get_weights(), before):
        np.testing.assert_array_equal(weight, kept)  # the check randomises a copy
    weighted = [layer.name for layer in reversed(model.layers) if layer.trainable_weights]
    assert result.stages == ["trained", *weighted] and len(weighted) == 4  # output layer first
    assert result.passed("signed") == {"gradient": True, "edge_detector": False}
    assert result.passed("absolute")["edge_detector"] is False
    np.testing.assert_allclose(result.correlation["absolute"]["edge_detector"], 1.0)
    for metric in ("absolute", "signed"):
        np.testing.assert_allclose(result.correlation[metric]["gradient"][0], 1.0)  # trained vs itself
    assert "verdict" in result.table("signed") and "other images" in result.table()


def test_every_method_gives_one_attribution_per_pixel():
    model = _small_cnn()
    X = _images(2)
    for method in METHODS:
        options = {"n_steps": 4} if method == "integrated_gradients" else {"n_samples": 2} if method == "smoothgrad" else {}
        attributions = explain(model, X, method, **options)
        assert attributions.shape[:3] == (2, 12, 12), method
    np.testing.assert_array_equal(edge_map(np.zeros((1, 5, 5, 1))), np.zeros((1, 5, 5)))


# --- input validation ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m, X: saliency("not a model", X), TypeError, "model must be a keras.Model"),
        (lambda m, X: saliency(m, X[0]), ValueError, r"X must be an array of shape \(n_samples, 12, 12, 3\)"),
        (lambda m, X: saliency(m, X, target=9), ValueError, r"target must be one class in \[0, 3\] per image"),
        (lambda m, X: saliency(m, X, output="softmax"), ValueError, "output must be one of"),
        (lambda m, X: integrated_gradients(m, X, n_steps=0), ValueError, r"n_steps must be an int in \[1, inf\]"),
        (lambda m, X: integrated_gradients(m, X, rule="simpson"), ValueError, "rule must be one of"),
        (lambda m, X: integrated_gradients(m, X, baseline=np.zeros((5, 5))), ValueError, "baseline must be None, a number, or an array broadcastable"),
        (lambda m, X: occlusion(m, X, patch=20), ValueError, r"patch must be an int in \[1, 12\]"),
        (lambda m, X: smoothgrad(m, X, noise_level=-1.0), ValueError, "noise_level must be a number"),
        (lambda m, X: cascading_randomization(m, X[:1]), ValueError, "X must be at least 2 images"),
        (lambda m, X: cascading_randomization(m, X, methods=("lime",)), ValueError, "methods must be one of"),
        (lambda m, X: attribution_map(X, reduce="mean"), ValueError, "reduce must be one of"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call(_small_cnn(), _images(2))


# --- tabular ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cancer_forest():
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer()
    X, names = add_random_features(data.data, data.feature_names, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, data.target, test_size=0.3, stratify=data.target, random_state=0)
    forest = RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1).fit(X_train, y_train)  # as in the notebook
    return forest, names, X_train, X_test, y_train, y_test


def test_add_random_features_appends_a_continuous_and_a_categorical_column():
    X, names = add_random_features(np.ones((50, 2)), ["a", "b"], n_categories=3, random_state=0)
    assert X.shape == (50, 4) and names == ["a", "b", "random_continuous", "random_categorical"]
    assert np.unique(X[:, 2]).size == 50 and set(np.unique(X[:, 3])) <= {0.0, 1.0, 2.0}
    np.testing.assert_array_equal(X, add_random_features(np.ones((50, 2)), ["a", "b"], random_state=0)[0])
    with pytest.raises(ValueError, match="feature_names must be 2 names, one per column of X"):
        add_random_features(np.ones((5, 2)), ["a"])


def test_compare_importances_is_sklearns_permutation_importance_and_shows_the_impurity_bias(cancer_forest):
    from sklearn.inspection import permutation_importance

    forest, names, _, X_test, _, y_test = cancer_forest
    comparison = compare_importances(forest, X_test, y_test, names, n_repeats=5, random_state=0)
    reference = permutation_importance(forest, X_test, y_test, n_repeats=5, random_state=0)
    np.testing.assert_array_equal(comparison.permutation_mean, reference.importances_mean)
    np.testing.assert_array_equal(comparison.impurity, forest.feature_importances_)
    assert comparison.rank("random_continuous") < comparison.rank("random_categorical")  # MDI's cardinality bias
    assert abs(comparison.permutation_mean[names.index("random_continuous")]) < 0.01
    assert comparison.table(top=3).count("\n") == 3
    with pytest.raises(ValueError, match="X_test, y_test must be arrays with the same number of samples"):
        compare_importances(forest, X_test, y_test[:-1], names)


def test_permutation_importance_on_training_data_flatters_the_random_column_exercise_ex_05_2_train_importance(cancer_forest):
    """Exercise ex-05-2-train-importance: on the training data (where the forest is 100% right)
    shuffling the random column changes no vote, so its accuracy importance is 0; log-loss shows
    the memorised random splits, which do not help on test data."""
    forest, names, X_train, X_test, y_train, y_test = cancer_forest
    index = names.index("random_continuous")
    by_accuracy = compare_importances(forest, X_train, y_train, names, n_repeats=10, random_state=0).permutation_mean
    assert forest.score(X_train, y_train) == 1.0 and by_accuracy[index] == 0.0
    on_train = compare_importances(forest, X_train, y_train, names, n_repeats=10, scoring="neg_log_loss", random_state=0).permutation_mean[index]
    on_test = compare_importances(forest, X_test, y_test, names, n_repeats=10, scoring="neg_log_loss", random_state=0).permutation_mean[index]
    assert on_train > 0 >= on_test


def test_tree_shap_values_add_up_to_the_prediction(cancer_forest):
    forest, _, _, X_test, _, _ = cancer_forest
    values, expected = tree_shap(forest, X_test[:20], class_index=1)
    assert values.shape == (20, X_test.shape[1])
    np.testing.assert_allclose(values.sum(axis=1) + expected, forest.predict_proba(X_test[:20])[:, 1], atol=1e-10)


def test_tree_shap_gives_zero_to_a_feature_the_trees_never_use():
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200), np.zeros(200)])  # the second column is constant: never split on
    y = (X[:, 0] > 0).astype(int)
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    values, _ = tree_shap(forest, X[:10])
    np.testing.assert_array_equal(values[:, 1], 0.0)  # the "dummy" property of Shapley values


# --- recommendations -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ratings_matrix():
    from fusionlab.data import make_synthetic_ratings
    from fusionlab.recsys import matrix_from_ratings

    ratings = make_synthetic_ratings(n_users=60, n_items=80, n_ratings=1500, random_state=0)
    return matrix_from_ratings(ratings)


@pytest.mark.parametrize("centering", ["baseline", "mean", "none"])
@pytest.mark.parametrize("max_neighbours", [None, 10])
def test_item_knn_contributions_add_up_to_the_prediction(ratings_matrix, centering, max_neighbours):
    """The explanation is exact: offset + contributions equals predict(clip=False), float64 to 1e-12.

    Covers exercise ex-05-2-knn-means (``centering="mean"``)."""
    from fusionlab.recsys import ItemKNN

    similarity = "pearson_baseline" if centering == "baseline" else "cosine"
    model = ItemKNN(similarity=similarity, centering=centering, k=7, max_neighbours=max_neighbours).fit(ratings_matrix)
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 60, size=40), rng.integers(0, 80, size=40)
    predictions = model.predict(users, items, clip=False)
    for user, item, prediction in zip(users, items, predictions):
        why = explain_item_knn(model, int(user), int(item))
        assert abs(why.offset + why.contributions.sum() - prediction) < 1e-12
        assert abs(why.prediction - prediction) < 1e-12
        assert len(why.neighbours) <= 7 and np.all(why.similarities > 0)
        assert np.all(np.diff(why.similarities) <= 0)  # most similar first


def test_item_knn_explanation_falls_back_to_the_offset_without_neighbours(ratings_matrix):
    from fusionlab.recsys import ItemKNN

    model = ItemKNN(k=5, min_k=1000).fit(ratings_matrix)  # never enough neighbours
    why = explain_item_knn(model, 0, 0)
    assert why.contributions.size == 0 and why.prediction == pytest.approx(model.predict([0], [0], clip=False)[0], abs=1e-12)
    assert "prediction" in why.table()


def test_item_knn_explanation_validates_its_input(ratings_matrix):
    from fusionlab.recsys import ItemKNN, UserKNN

    model = ItemKNN(k=5).fit(ratings_matrix)
    with pytest.raises(ValueError, match=r"user must be an int in \[0, 59\]"):
        explain_item_knn(model, 60, 0)
    with pytest.raises(TypeError, match="model must be a fitted item-based kNN recommender"):
        explain_item_knn(UserKNN(k=5).fit(ratings_matrix), 0, 0)
    with pytest.raises(TypeError, match="model must be a fitted item-based kNN recommender"):
        explain_item_knn(ItemKNN(k=5), 0, 0)  # not fitted


def test_item_knn_explanation_of_neighbourhood_cf_with_kind_item(ratings_matrix):
    """The general estimator with kind="item" is the same model and explains the same way."""
    from fusionlab.recsys import NeighbourhoodCF

    model = NeighbourhoodCF(kind="item", k=6).fit(ratings_matrix)
    why = explain_item_knn(model, 3, 11)
    assert abs(why.offset + why.contributions.sum() - model.predict([3], [11], clip=False)[0]) < 1e-12
