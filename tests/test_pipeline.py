"""fusionlab.pipeline: the five-step fusion pipeline.

The hybrid must behave as one scikit-learn estimator (clone, cross_validate, RandomizedSearchCV
with the network's and the learner's parameters together), repeat exactly with a seed, and
refuse bad input with the house message. The leakage test fails if leakage does not appear
when selection is fitted outside the folds, or appears when it is fitted inside.
Keras networks here are tiny (a few epochs on 360 digits) to keep the file fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline

from fusionlab.evaluate import cross_validate_report
from fusionlab.pipeline import (
    MODELS,
    HybridClassifier,
    LeakageResult,
    leakage_experiment,
    make_deep_classifier,
    make_fusion_pipeline,
    make_model,
    make_noise_classification,
    make_preprocessing,
    search_space,
    tune,
)

FAST = {"hidden_units": (16,), "epochs": 4, "batch_size": 32}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:360] / 16.0, y[:360]


# Step 1: preprocessing -------------------------------------------------------------------------


def test_preprocessing_steps_in_order_and_optional():
    names = [name for name, _ in make_preprocessing(impute="median", n_components=5, select_k=3)]
    assert names == ["impute", "drop_constant", "scale", "extract", "select"]
    assert [name for name, _ in make_preprocessing(drop_constant=False, scale=None)] == []
    assert [name for name, _ in make_preprocessing(scale="minmax")] == ["drop_constant", "scale"]


def test_imputation_lets_nan_through_the_pipeline_when_asked():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int)
    X[::7, 1] = np.nan
    pipeline = make_fusion_pipeline("logistic_regression", preprocessing={"impute": "median"})
    with pytest.raises(ValueError, match=r"X must be finite values .*impute NaN inside the pipeline .*allow_nan=True"):
        cross_validate_report(pipeline, X, y, n_splits=3)
    report = cross_validate_report(pipeline, X, y, n_splits=3, allow_nan=True)
    assert report.mean("accuracy") > 0.8


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scale": "robust"}, ValueError, r"scale must be one of \['standard', 'minmax', None\]; got scale='robust'"),
        ({"impute": "zero"}, ValueError, r"impute must be one of \['mean', 'median', None\]; got impute='zero'\. Use 'median'"),
        ({"select_k": 0}, ValueError, r"select_k must be an int in \[1, inf\]; got select_k=0"),
        ({"n_components": 2.5}, TypeError, r"n_components must be an int in \[1, inf\]; got n_components=2.5"),
        ({"drop_constant": "yes"}, TypeError, r"drop_constant must be True or False"),
    ],
)
def test_preprocessing_rejects_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_preprocessing(**kwargs)


# Step 2: model building ------------------------------------------------------------------------


def test_every_model_name_builds_the_right_family():
    from scikeras.wrappers import KerasClassifier

    expected = {
        "logistic_regression": LogisticRegression,
        "random_forest": RandomForestClassifier,
        "sgd": SGDClassifier,
        "mlp": KerasClassifier,
        "hybrid": HybridClassifier,
    }
    assert set(expected) == set(MODELS)
    for name, kind in expected.items():
        pipeline = make_fusion_pipeline(name, random_state=0)
        assert [step for step, _ in pipeline.steps] == ["drop_constant", "scale", "model"]
        assert isinstance(pipeline.named_steps["model"], kind)
    assert make_model("random_forest", random_state=3, n_estimators=7).get_params()["n_estimators"] == 7
    assert make_model("hybrid", random_state=3).get_params()["random_state"] == 3


def test_unknown_model_name_and_parameters_get_clear_errors():
    with pytest.raises(ValueError, match=r"model must be one of \['logistic_regression', 'random_forest', 'sgd', 'mlp', 'hybrid'\]; got model='cnn'\. Pick"):
        make_fusion_pipeline("cnn")
    with pytest.raises(ValueError, match=r"params must be parameters of RandomForestClassifier; got params=\['n_trees'\]\. Valid names: .*n_estimators"):
        make_model("random_forest", n_trees=10)
    with pytest.raises(TypeError, match=r"preprocessing must be a dict of make_preprocessing arguments or None; got preprocessing='list'"):
        make_fusion_pipeline("sgd", preprocessing=["scale"])
    with pytest.raises(ValueError, match=r"epochs must be an int in \[1, inf\]; got epochs=0"):
        make_deep_classifier(epochs=0)
    with pytest.raises(TypeError, match=r"random_state must be an int in \[0, 4294967295\]; got random_state='zero'"):
        make_model("sgd", random_state="zero")


# The hybrid as one estimator -----------------------------------------------------------------


def test_hybrid_fits_its_network_then_its_learner_on_the_embeddings(digits):
    X, y = digits
    model = HybridClassifier(LogisticRegression(max_iter=500), hidden_units=(24, 8), epochs=4, batch_size=32, random_state=0).fit(X, y)
    embeddings = model.transform(X[:50])
    assert embeddings.shape == (50, 8) and embeddings.dtype == np.float64
    assert model.clf_.n_features_in_ == 8
    np.testing.assert_array_equal(model.predict(X[:50]), model.clf_.predict(embeddings))
    probabilities = model.predict_proba(X[:50])
    assert probabilities.shape == (50, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)
    assert model.classes_.tolist() == list(range(10))
    assert len(model.history_["loss"]) == 4 and model.history_["loss"][-1] < model.history_["loss"][0]
    assert model.score(X, y) > 0.8


def test_hybrid_shares_its_network_with_the_deep_model_under_the_same_seed(digits):
    X, y = digits
    hybrid = HybridClassifier(random_state=7, **FAST).fit(X, y)
    deep = make_deep_classifier(random_state=7, **FAST).fit(X, y)
    np.testing.assert_array_equal(hybrid.network_.predict_proba(X), deep.predict_proba(X))


def test_hybrid_learner_is_seeded_when_it_has_a_random_state(digits):
    X, y = digits
    model = HybridClassifier(RandomForestClassifier(n_estimators=5), random_state=11, **FAST).fit(X, y)
    assert model.clf_.random_state == 11 and model.clf.random_state is None


def test_hybrid_in_cross_validate_repeats_exactly_with_a_seed(digits):
    X, y = digits
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    pipeline = make_fusion_pipeline("hybrid", random_state=0, **FAST)
    first = cross_validate(pipeline, X, y, cv=folds, scoring=["accuracy", "f1_macro"])
    second = cross_validate(clone(pipeline), X, y, cv=folds, scoring=["accuracy", "f1_macro"])
    np.testing.assert_array_equal(first["test_accuracy"], second["test_accuracy"])
    np.testing.assert_array_equal(first["test_f1_macro"], second["test_f1_macro"])
    assert first["test_accuracy"].mean() > 0.7


def test_hybrid_in_randomized_search_over_network_and_learner_together(digits):
    X, y = digits
    model = HybridClassifier(LogisticRegression(max_iter=500), random_state=0, epochs=3, batch_size=32)
    space = {"clf__C": [0.01, 10.0], "hidden_units": [(8,), (16,)]}
    search = RandomizedSearchCV(model, space, n_iter=2, cv=2, random_state=0, error_score="raise").fit(X, y)
    assert set(search.best_params_) == {"clf__C", "hidden_units"}
    best = search.best_estimator_
    assert best.clf_.C == search.best_params_["clf__C"]
    assert best.transform(X[:3]).shape == (3, search.best_params_["hidden_units"][-1])
    assert len({tuple(sorted(p.items())) for p in search.cv_results_["params"]}) == 2


@pytest.mark.parametrize(
    ("X", "y", "params", "error", "match"),
    [
        (np.zeros((20, 8, 8)), np.arange(20) % 2, {}, ValueError, r"X must be a 2-D array of shape \(n_samples, n_features\)"),
        (np.r_[np.full((1, 3), np.nan), np.ones((19, 3))], np.arange(20) % 2, {}, ValueError, r"X must be finite values \(no NaN or infinity\); got X='array with 3 non-finite value\(s\)'"),
        (np.ones((20, 3)), np.ones(20), {}, ValueError, r"y must be labels of at least two classes"),
        (np.ones((20, 3)), np.arange(21) % 2, {}, ValueError, r"X, y must be arrays with the same number of samples"),
        (np.ones((20, 3)), np.arange(20) % 2, {"hidden_units": ()}, ValueError, r"hidden_units must be at least one hidden layer; got hidden_units=\(\)\. The embeddings"),
        (np.ones((20, 3)), np.arange(20) % 2, {"hidden_units": 16}, TypeError, r"hidden_units must be a sequence of ints; got hidden_units=16"),
        (np.ones((20, 3)), np.arange(20) % 2, {"batch_size": -1}, ValueError, r"batch_size must be an int in \[1, inf\]; got batch_size=-1"),
        (np.ones((20, 3)), np.arange(20) % 2, {"clf": "logistic"}, TypeError, r"clf must be a scikit-learn classifier \(with fit and predict\); got clf='str'"),
    ],
)
def test_hybrid_rejects_bad_input(X, y, params, error, match):
    with pytest.raises(error, match=match):
        HybridClassifier(**{**FAST, **params}).fit(X, y)


def test_hybrid_predict_checks_the_number_of_features(digits):
    X, y = digits
    model = HybridClassifier(random_state=0, **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"X must be an array with 64 features, as in fit; got X='array of shape \(2, 63\)'"):
        model.predict(X[:2, :63])


# Step 5: optimisation ------------------------------------------------------------------------


def test_tune_states_its_budget_and_its_refit_repeats_exactly(digits):
    X, y = digits
    pipeline = make_fusion_pipeline("hybrid", random_state=0, **FAST)
    space = {"model__clf__C": [0.1, 1.0, 10.0], "model__learning_rate": [3e-3, 1e-2]}
    first = tune(pipeline, X, y, param_distributions=space, n_iter=2, n_splits=2, random_state=1)
    assert first.n_candidates == 2 and first.n_fits == 5
    assert first.budget().startswith("2 candidates x 2 folds = 4 fits, plus 1 refit")
    assert set(first.best_params) == set(space)
    assert first.ranking().startswith(" 1. ")
    # The refitted best model is the same pipeline, retrained on all the data with the same seed.
    again = clone(pipeline).set_params(**first.best_params).fit(X, y)
    np.testing.assert_array_equal(first.best_estimator.predict_proba(X), again.predict_proba(X))


def test_grid_search_counts_every_combination(digits):
    X, y = digits
    pipeline = make_fusion_pipeline("logistic_regression")
    result = tune(pipeline, X, y, param_distributions={"model__C": [0.1, 1.0], "scale__with_mean": [True, False]}, method="grid", n_splits=2)
    assert result.n_candidates == 4 and result.n_fits == 9
    assert 0.8 < result.best_score <= 1.0


def test_search_space_spans_network_and_learner_for_the_hybrid():
    space = search_space("hybrid")
    assert {"model__hidden_units", "model__learning_rate", "model__clf__C"} <= set(space)
    pipeline = make_fusion_pipeline("hybrid")
    for name in MODELS:
        assert set(search_space(name)) <= set(make_fusion_pipeline(name).get_params()), name
    assert set(space) <= set(pipeline.get_params())


def test_tune_rejects_bad_spaces(digits):
    X, y = digits
    pipeline = make_fusion_pipeline("logistic_regression")
    with pytest.raises(ValueError, match=r"param_distributions must be keys that are parameters of the pipeline; got param_distributions=\['C'\]\. Model parameters start with 'model__'"):
        tune(pipeline, X, y, param_distributions={"C": [1.0]})
    with pytest.raises(TypeError, match=r"param_distributions must be lists of values for a grid search"):
        tune(pipeline, X, y, param_distributions=search_space("logistic_regression"), method="grid")
    with pytest.raises(ValueError, match=r"method must be one of \['random', 'grid'\]; got method='bayes'"):
        tune(pipeline, X, y, param_distributions={"model__C": [1.0]}, method="bayes")
    with pytest.raises(TypeError, match=r"param_distributions must be a non-empty dict"):
        tune(pipeline, X, y, param_distributions={})


# Leakage -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selection_fitted_outside_the_folds_leaks_and_inside_does_not(seed):
    X, y = make_noise_classification(n_samples=100, n_features=5_000, random_state=seed)
    result = leakage_experiment(X, y, n_splits=5, random_state=seed)
    assert isinstance(result, LeakageResult) and result.chance == 0.5
    assert result.leaky_scores.mean() >= 0.75, "selection on all samples should find label-correlated noise"
    assert result.honest_scores.mean() <= 0.70, "inside the pipeline the selection must not see the held-out labels"
    assert result.inflation >= 0.15


def test_leakage_experiment_uses_the_same_folds_and_accepts_a_pipeline_of_steps(digits):
    X, y = digits
    result = leakage_experiment(X, y, preprocessing=make_preprocessing(select_k=20), n_splits=3)
    assert result.leaky_scores.shape == result.honest_scores.shape == (3,)
    assert abs(result.inflation) < 0.05  # 360 samples, 64 informative pixels: little to leak
    with pytest.raises(TypeError, match=r"preprocessing must be a transformer or a list of \(name, transformer\)"):
        leakage_experiment(X, y, preprocessing="scale")


def test_noise_data_is_balanced_seeded_and_checked():
    X, y = make_noise_classification(n_samples=9, n_features=3, n_classes=3, random_state=0)
    assert X.shape == (9, 3) and np.bincount(y).tolist() == [3, 3, 3]
    np.testing.assert_array_equal(X, make_noise_classification(n_samples=9, n_features=3, n_classes=3, random_state=0)[0])
    with pytest.raises(ValueError, match=r"n_classes must be an int in \[2, 4\]; got n_classes=5"):
        make_noise_classification(n_samples=9, n_classes=5)


def test_pipeline_is_a_plain_scikit_learn_pipeline():
    pipeline = make_fusion_pipeline("hybrid", preprocessing={"n_components": 10}, random_state=0)
    assert isinstance(pipeline, Pipeline)
    params = pipeline.get_params()
    assert params["extract__random_state"] == 0 and params["model__random_state"] == 0
    assert "model__clf__C" in params
