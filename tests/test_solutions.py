"""Exercise solutions that claim a computed result, checked by running the code they give.

Each test names the exercise label it checks (``ex-NN-...``) and runs the solution's own code
(at the notebook's classroom size where the solution depends on one).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from fusionlab.data import make_linear_regression
from fusionlab.evaluate import repeated_holdout_scores
from fusionlab.nn import MLPClassifier
from fusionlab.optim import LeastSquares, gradient_descent, sgd


def test_ex_01_race_full_batch_wins_on_small_data():
    """ex-01-race: with 10,000 samples and 300 GD steps, GD ends far closer to the optimum than SGD given the same time."""
    X_small, y_small, _ = make_linear_regression(10_000, n_features=20, condition_number=50, random_state=0)
    small, start = LeastSquares(X_small, y_small), np.zeros(20)
    _, gd_small = gradient_descent(small, start, learning_rate=1 / small.smoothness(), n_steps=300)
    _, sgd_small = sgd(small, start, learning_rate=0.2 / small.smoothness(), batch_size=256,
                       time_budget_s=gd_small.train_time_s, record_every=100, random_state=0)
    best_small = small.loss(small.solution())
    gd_excess, sgd_excess = gd_small["loss"][-1] - best_small, sgd_small["loss"][-1] - best_small
    assert gd_excess < sgd_excess / 10, (gd_excess, sgd_excess)  # measured: about 100 times closer


def _divide_columns(divisors):
    def transform(X):
        X = np.array(X, dtype=float)
        for column, divisor in divisors.items():
            X[:, column] /= divisor
        return X
    return FunctionTransformer(transform)


def test_ex_02_scale_one_column_is_not_enough():
    """ex-02-scale: dividing proline alone does not rescue the raw network (magnesium takes over); proline and
    magnesium together close most of the gap to the forest; standardising every column closes more."""
    X, y = load_wine(return_X_y=True)
    assert np.argsort(X.std(axis=0))[-2:].tolist() == [4, 12]  # magnesium, then proline, have the largest spreads
    models = {
        "forest": RandomForestClassifier(100, random_state=0),
        "raw": MLPClassifier(random_state=0),
        "proline": make_pipeline(_divide_columns({12: 1000}), MLPClassifier(random_state=0)),
        "proline and magnesium": make_pipeline(_divide_columns({12: 1000, 4: 100}), MLPClassifier(random_state=0)),
        "standardised": make_pipeline(StandardScaler(), MLPClassifier(random_state=0)),
    }
    mean = {name: scores.mean() for name, scores in repeated_holdout_scores(models, X, y, n_splits=5, random_state=0).scores.items()}
    gap = mean["forest"] - mean["raw"]
    assert gap > 0.3
    assert mean["proline"] - mean["raw"] < gap / 4, "one column rescaled closes little of the gap"
    assert mean["proline and magnesium"] - mean["raw"] > gap / 2, "the two largest columns rescaled close most of it"
    assert mean["standardised"] > mean["proline and magnesium"], "standardising every column closes more"


def test_ex_03_2_rotate_only_adam_cares_about_the_axes():
    """ex-03-2-rotate: rotating the features leaves SGD, momentum and Nesterov unchanged and costs Adam its lead."""
    from fusionlab.optim import tune_update_rules

    X_noise, y_noise, _ = make_linear_regression(10_000, 20, noise_std=1.0, condition_number=100.0, random_state=1)
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((20, 20)))
    excess = {}
    for name, problem in (("axes", LeastSquares(X_noise, y_noise)), ("rotated", LeastSquares(X_noise @ Q, y_noise))):
        runs = tune_update_rules(problem, np.zeros(20), learning_rates=[0.003, 0.01, 0.03, 0.1, 0.3, 1.0], schedule="cosine",
                                 n_steps=2 * 10_000 // 32, random_state=0)
        excess[name] = {rule: result["loss"] - problem.loss(problem.solution()) for rule, result in runs.items()}
    for rule in ("sgd", "momentum", "nesterov"):
        assert excess["rotated"][rule] == pytest.approx(excess["axes"][rule], rel=1e-6), rule
    assert excess["rotated"]["adam"] > 2 * excess["axes"]["adam"], "Adam gets worse"
    assert excess["rotated"]["adam"] > 0.5 * min(excess["rotated"][rule] for rule in ("sgd", "momentum", "nesterov")), "and loses most of its lead"


def test_ex_03_2_leaf_size_beats_depth():
    """ex-03-2-leaf: 1 sample per leaf over-fits, 80 under-fit, and the best leaf size beats the best depth."""
    from sklearn.tree import DecisionTreeRegressor

    from fusionlab.data import make_wave
    from fusionlab.evaluate import bias_variance_curve

    training_sets = [make_wave(200, noise_std=0.3, random_state=seed)[:2] for seed in range(1, 31)]
    X_wave, y_wave, f_wave = make_wave(500, noise_std=0.3, random_state=0)
    curve = {name: bias_variance_curve(DecisionTreeRegressor(), name, grid, training_sets, X_wave, f_wave, noise_std=0.3, y_test=y_wave)
             for name, grid in (("max_depth", [1, 2, 3, 4, 5, 6, 8, 10, None]), ("min_samples_leaf", [1, 2, 5, 10, 20, 40, 80]))}
    leaf = curve["min_samples_leaf"]
    assert leaf["variance"][0] > leaf["bias2"][0] and leaf["bias2"][-1] > leaf["variance"][-1], "1 per leaf: variance; 80: bias"
    assert min(leaf["test_error"]) < min(curve["max_depth"]["test_error"])


def test_ex_03_1_bug_dropping_the_division_by_n():
    """ex-03-1-bug: without ``/ n`` the finite-difference check reports about (n-1)/(n+1) and the entry-wise
    comparison something of order 1 (at least about (n-1)/n), against 1e-10 and 1e-11 when backprop is right. The bug is made by deleting that
    one line from the package's own ``backward``."""
    import inspect
    import textwrap

    from sklearn.datasets import load_digits

    import fusionlab.nn.network as network
    from fusionlab.nn import gradient_check, init_params, loss_and_gradients, max_relative_difference, numerical_gradient

    source = textwrap.dedent(inspect.getsource(network.backward))
    assert source.count("    delta /= n\n") == 1
    namespace = dict(vars(network))
    exec(source.replace("    delta /= n\n", ""), namespace)  # the same function, bug included
    X, y = load_digits(return_X_y=True)
    X, y, n = X[:20] / 16.0, y[:20], 20
    params = init_params([64, 16, 10], random_state=1)
    logits, cache = network.forward(params, X)
    buggy = namespace["backward"](params, cache, network.softmax(logits), y, l2=1e-3)
    _, right = loss_and_gradients(params, X, y, l2=1e-3)
    numeric = numerical_gradient(params, X, y, l2=1e-3)
    flat = [np.concatenate([layer[key].ravel() for layer in grads for key in ("W", "b")]) for grads in (buggy, numeric)]
    relative = np.linalg.norm(flat[0] - flat[1]) / (np.linalg.norm(flat[0]) + np.linalg.norm(flat[1]))
    assert gradient_check(params, X, y, l2=1e-3) < 1e-7
    assert abs(relative - (n - 1) / (n + 1)) < 0.02, relative
    assert (n - 1) / n - 0.02 < max_relative_difference(buggy, right) <= 2  # order 1 (the measure cannot exceed 2)


def _digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


def test_ex_02_boost_unshrunk_boosting_diverges():
    """ex-02-boost: with learning_rate=1.0 the first round beats the default's first round by far, then the
    training loss climbs and the test accuracy collapses."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from fusionlab.evaluate import staged_log_loss

    X_train, X_test, y_train, y_test = _digits_split()
    default = HistGradientBoostingClassifier(max_iter=1, early_stopping=False, random_state=0).fit(X_train, y_train)
    fast = HistGradientBoostingClassifier(learning_rate=1.0, max_iter=5, early_stopping=False, random_state=0).fit(X_train, y_train)
    default_loss, fast_loss = staged_log_loss(default, X_train, y_train), staged_log_loss(fast, X_train, y_train)
    assert fast_loss[0] < default_loss[0] / 2, "the first unshrunk round cuts the loss far more"
    assert np.all(np.diff(fast_loss) >= 0) and fast_loss[-1] > 10, "then the loss climbs, to tens of nats"
    assert fast.score(X_test, y_test) < 0.5, "and the test accuracy collapses"


def test_ex_02_fair_max_features_on_the_digits():
    """ex-02-fair: "sqrt" and 0.3 within a point, None clearly worse, the best forest within the spread of the network."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    models = {"network": MLPClassifier((64,), learning_rate=1e-2, n_epochs=30, random_state=0)}
    models.update({str(m): RandomForestClassifier(100, max_features=m, random_state=0) for m in ("sqrt", 0.3, None)})
    scores = repeated_holdout_scores(models, X / 16.0, y, n_splits=5, random_state=0).scores
    mean = {name: values.mean() for name, values in scores.items()}
    assert abs(mean["sqrt"] - mean["0.3"]) < 0.01
    assert mean["None"] < min(mean["sqrt"], mean["0.3"]) - 0.01
    difference = scores["network"] - scores[max(("sqrt", "0.3"), key=mean.get)]
    assert abs(difference.mean()) < difference.std()


def test_ex_01_features_cubic_features_close_most_of_the_gap():
    """ex-01-features: logistic regression on cubic features closes more than half the gap to the notebook's network."""
    from sklearn.datasets import make_moons
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import PolynomialFeatures

    import fusionlab
    from fusionlab.models import build_mlp

    fusionlab.set_seed(0)
    X, y = make_moons(n_samples=1_000, noise=0.25, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    linear = LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    poly = make_pipeline(PolynomialFeatures(3), StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_train, y_train).score(X_test, y_test)
    network = build_mlp(n_features=2, n_classes=2, hidden_units=(32, 32), learning_rate=1e-2)
    network.fit(X_train, y_train, epochs=60, batch_size=32, verbose=0)
    network_score = float(np.mean(network.predict(X_test, verbose=0).argmax(axis=1) == y_test))
    assert poly - linear > (network_score - linear) / 2, (linear, poly, network_score)


def test_ex_03_2_crossover_moves_with_the_budget():
    """ex-03-2-crossover, with the budget counted in samples read (machine-independent): quadrupling it moves the
    GD/SGD crossover to larger n, by less than four times, because SGD with a decaying rate also gets further."""
    from fusionlab.optim import InverseTimeDecay

    grid = [500 * 2**k for k in range(6)]  # 500 to 16,000 examples
    problems = [LeastSquares(*make_linear_regression(n, 20, noise_std=1.0, condition_number=100.0, random_state=0)[:2]) for n in grid]

    def crossover(budget):  # the smallest n at which SGD ends closer to the optimum than GD
        for n, problem in zip(grid, problems):
            best, start = problem.loss(problem.solution()), np.zeros(20)
            _, gd = gradient_descent(problem, start, learning_rate=1 / problem.smoothness(), n_steps=budget // n, record_every=10**9)
            _, stochastic = sgd(problem, start, learning_rate=InverseTimeDecay(0.1, 1000), batch_size=32, n_steps=budget // 32,
                                record_every=10**9, random_state=0)
            if stochastic["loss"][-1] < gd["loss"][-1]:
                return n
        raise AssertionError("GD ahead at every size")

    small, large = crossover(200_000), crossover(800_000)
    assert small < large < 4 * small, (small, large)


def test_ex_03_2_batch_per_epoch_and_per_second():
    """ex-03-2-batch: over two epochs the loss ends in the order batch 1 < 32 < 1,024; given only batch 32's time,
    batch 1 is far behind it."""
    X, y, _ = make_linear_regression(10_000, 20, noise_std=1.0, condition_number=100.0, random_state=1)
    problem, start = LeastSquares(X, y), np.zeros(20)
    best = problem.loss(problem.solution())
    runs = {b: sgd(problem, start, learning_rate=rate, batch_size=b, n_steps=2 * 10_000 // b, record_every=10**9, random_state=0)[1]
            for b, rate in ((1, 0.02), (32, 0.1), (1024, 0.5))}
    excess = {b: history["loss"][-1] - best for b, history in runs.items()}
    assert excess[1] < excess[32] < excess[1024], excess
    _, same_time = sgd(problem, start, learning_rate=0.02, batch_size=1, time_budget_s=runs[32].train_time_s, record_every=10**9, random_state=0)
    assert same_time["loss"][-1] - best > 3 * excess[32]  # measured: about 10 times


def test_ex_03_2_maxfeatures_the_three_forests():
    """ex-03-2-maxfeatures: one feature per split starts below bagging and gains more from 5 to 200 trees;
    bagging ends below the default ("sqrt"), which is the best of the three at 200 trees."""
    from fusionlab.forests import accuracy_vs_n_estimators

    X_train, X_test, y_train, y_test = _digits_split()
    accuracy = {str(m): accuracy_vs_n_estimators(X_train, y_train, X_test, y_test, [5, 200], max_features=m, random_state=0)["test_accuracy"]
                for m in (1, None, "sqrt")}
    assert accuracy["1"][0] < accuracy["None"][0]
    assert accuracy["1"][1] - accuracy["1"][0] > accuracy["None"][1] - accuracy["None"][0]
    assert accuracy["sqrt"][1] > max(accuracy["1"][1], accuracy["None"][1])


def test_ex_03_1_sigmoid_starts_slower_and_ends_close():
    """ex-03-1-sigmoid: after 5 epochs the sigmoid network's training loss is well above ReLU's; after the chapter's
    30 epochs their test accuracies are within two points."""
    X_train, X_test, y_train, y_test = _digits_split()
    runs = {activation: MLPClassifier((64,), activation=activation, learning_rate=1e-2, batch_size=32, n_epochs=30, l2=1e-4,
                                      random_state=0).fit(X_train, y_train) for activation in ("relu", "sigmoid")}
    after_5 = {name: model.history_["loss"][list(model.history_.epoch).index(5)] for name, model in runs.items()}
    assert after_5["sigmoid"] > 1.5 * after_5["relu"], after_5
    assert abs(runs["sigmoid"].score(X_test, y_test) - runs["relu"].score(X_test, y_test)) < 0.02


def test_ex_01_depth_no_hidden_layer_is_logistic_regression():
    """ex-01-depth: without a hidden layer the Keras model scores as scikit-learn's logistic regression (within a
    point); four ReLU units already do better."""
    from sklearn.datasets import make_moons
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    import fusionlab
    from fusionlab.models import build_mlp

    fusionlab.set_seed(0)
    X, y = make_moons(n_samples=1_000, noise=0.25, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    linear = LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    score = {}
    for units in [(), (4,)]:
        model = build_mlp(2, 2, hidden_units=units)
        model.fit(X_train, y_train, epochs=60, verbose=0)
        score[units] = float(np.mean(model.predict(X_test, verbose=0).argmax(1) == y_test))
    assert abs(score[()] - linear) <= 0.01, (score, linear)
    assert score[(4,)] > linear + 0.01, (score, linear)


def test_ex_03_1_edge_of_stability():
    """ex-03-1-edge: along the steepest direction the error shrinks by |1 - 1.9| = 0.9 per step at 1.9/L and flips
    sign without shrinking at 2/L; 2/(L + mu) gives both directions the same contraction factor."""
    X_2d, y_2d, _ = make_linear_regression(200, 2, noise_std=0.5, condition_number=9.0, random_state=0)
    bowl = LeastSquares(X_2d, y_2d)
    (mu, L), vectors = np.linalg.eigh(X_2d.T @ X_2d / 200)
    assert L == pytest.approx(bowl.smoothness(), rel=1e-10)
    for factor, ratio in ((1.9, -0.9), (2.0, -1.0)):
        _, history = gradient_descent(bowl, np.array([-3.0, 3.0]), learning_rate=factor / L, n_steps=50, record_weights=True)
        steep = (np.array(history.weights) - bowl.solution()) @ vectors[:, 1]  # error along the steepest direction
        np.testing.assert_allclose(steep[1:] / steep[:-1], ratio, rtol=1e-8)
    best = 2 / (L + mu)
    assert abs(1 - best * L) == pytest.approx(abs(1 - best * mu), rel=1e-12)


@pytest.fixture(scope="module")
def digits_ablation():
    """The improved CNN's ablation on 800 digits at 16x16, 4 epochs, plus the same model with flips: one run of
    each model serves ex-04-1-ablation and ex-04-1-flip ("all ingredients" is the model without flips)."""
    import functools

    from fusionlab.data import load_image_dataset
    from fusionlab.models import IMPROVED_CNN_ABLATIONS, build_improved_cnn
    from fusionlab.training import ablate

    dataset = load_image_dataset(prefer="digits", stand_in_shape=(16, 16, 3), random_state=0)
    build = functools.partial(build_improved_cnn, dataset.image_shape, dataset.n_classes, widths=(8, 16, 32), flip=False)
    rows = ablate(build, {**IMPROVED_CNN_ABLATIONS, "with flips": {"flip": True}}, dataset.X_train[:800] / 255.0,
                  dataset.y_train[:800], dataset.X_test / 255.0, dataset.y_test, epochs=4, random_state=0)
    return {row["model"]: row["accuracy_drop"] for row in rows}


def test_ex_04_1_ablation_batch_norm_matters_most_and_dropout_costs_at_a_short_budget(digits_ablation):
    """ex-04-1-ablation: on a short budget, removing batch normalisation costs the most accuracy, removing dropout
    raises it, and removing augmentation changes less than either. The solution's classroom run (about 1,200 digits,
    8 epochs) costs four models' training; this check runs the same code on 800 digits at 16x16 for 4 epochs."""
    cost = {name: drop for name, drop in digits_ablation.items() if name != "with flips"}
    assert max(cost, key=cost.get) == "no batch normalisation", cost  # measured: 0.32 of accuracy
    assert cost["no dropout"] < 0, cost  # measured: -0.28, removing dropout helps
    assert abs(cost["no augmentation"]) < min(cost["no batch normalisation"], -cost["no dropout"]), cost


# --- chapter 3.3 ----------------------------------------------------------------------------

def _digits_03_3():
    """The digits as chapter 3.3 loads them: 8x8 pixels flattened and scaled to [0, 1]."""
    from fusionlab.data import load_image_dataset

    data = load_image_dataset(prefer="digits")
    return data.X_train.reshape(len(data.X_train), -1) / 255.0, data.y_train


def test_ex_03_3_scaling_leaks_a_fraction_of_a_point():
    """ex-03-3-scaling: standardising outside the folds inflates the digits' accuracy by a fraction of a percentage
    point, far less than label-based selection on pure noise."""
    from fusionlab.pipeline import leakage_experiment, make_noise_classification, make_preprocessing

    X_train, y_train = _digits_03_3()
    scaled = leakage_experiment(X_train, y_train, preprocessing=make_preprocessing(), n_splits=5)
    X_noise, y_noise = make_noise_classification(n_samples=100, n_features=1_000, random_state=0)
    noise = leakage_experiment(X_noise, y_noise, n_splits=5, random_state=0)
    assert abs(scaled.inflation) < 0.01, scaled.inflation  # measured: -0.07 points
    assert noise.inflation > 20 * abs(scaled.inflation), (noise.inflation, scaled.inflation)  # measured: 27 points


def test_ex_03_3_nested_outer_estimate_close_to_the_inner_best():
    """ex-03-3-nested: the selection optimism and the smaller inner training sets roughly cancel: the outer estimate
    is within 1.5 points of the inner best scores (the solution tries eight settings; four here, to save time)."""
    from sklearn.model_selection import StratifiedKFold

    from fusionlab.pipeline import make_fusion_pipeline, search_space, tune

    X_train, y_train = _digits_03_3()
    outer = StratifiedKFold(n_splits=3, shuffle=True, random_state=1)
    pipeline = make_fusion_pipeline("logistic_regression")
    scores, inner_best = [], []
    for train, test in outer.split(X_train, y_train):
        inner = tune(pipeline, X_train[train], y_train[train], param_distributions=search_space("logistic_regression"),
                     n_iter=4, n_splits=3, scoring="accuracy", random_state=0)
        inner_best.append(inner.best_score)
        scores.append(inner.best_estimator.score(X_train[test], y_train[test]))
    assert abs(np.mean(scores) - np.mean(inner_best)) < 0.015, (scores, inner_best)  # measured with eight settings: outer 0.7 points higher


def test_ex_03_3_forest_on_embeddings_no_clear_gain_and_shallow_forests_worse():
    """ex-03-3-forest: on a held-out third of the training split, a forest on the hybrid's embeddings is no better
    (within a point) than the hybrid's logistic regression or a forest on the raw pixels, and a forest of depth 4
    is more than a point below an unlimited one. One network instead of the search's twelve, to save time."""
    from sklearn.model_selection import train_test_split

    from fusionlab import set_seed
    from fusionlab.pipeline import make_fusion_pipeline

    set_seed(0)
    X_train, y_train = _digits_03_3()
    X_fit, X_held, y_fit, y_held = train_test_split(X_train, y_train, test_size=1 / 3, stratify=y_train, random_state=0)
    hybrid = make_fusion_pipeline("hybrid", random_state=0, epochs=10).fit(X_fit, y_fit)
    embed_fit, embed_held = (hybrid[-1].transform(hybrid[:-1].transform(X)) for X in (X_fit, X_held))  # (n, embedding)
    forest = {depth: RandomForestClassifier(100, max_depth=depth, random_state=0).fit(embed_fit, y_fit).score(embed_held, y_held)
              for depth in (4, None)}
    on_pixels = RandomForestClassifier(100, random_state=0).fit(X_fit, y_fit).score(X_held, y_held)
    assert forest[None] < min(hybrid.score(X_held, y_held), on_pixels) + 0.01, (forest, on_pixels)  # measured: 94.9% vs 94.7%, 96.2%
    assert forest[4] < forest[None] - 0.01, forest  # measured: 92.9% vs 94.9%


# --- chapter 4.1 ----------------------------------------------------------------------------

def test_ex_04_1_ece_by_hand_equals_the_library():
    """ex-04-1-ece: the solution's NumPy ECE (ten bins closed on the right) equals reliability_curve's, up to float32
    rounding, on float32 probabilities like a Keras model's."""
    from fusionlab.evaluate import reliability_curve

    rng = np.random.default_rng(0)
    seed_probabilities = rng.dirichlet(np.full(10, 0.3), size=2_000).astype("float32")  # (n_test, n_classes)
    y_test = np.where(rng.random(2_000) < 0.7, seed_probabilities.argmax(axis=1), rng.integers(0, 10, 2_000))
    seed_probabilities[:10] = 0.0
    seed_probabilities[:10, :2] = 0.5  # confidence exactly on a bin edge: bins are closed on the right
    seed_pred = seed_probabilities.argmax(axis=1)
    # the solution's code
    confidence = seed_probabilities.max(axis=1)
    correct = seed_pred == y_test
    edges = np.linspace(0, 1, 11)
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, 9)  # bins closed on the right
    ece = sum((bins == b).mean() * abs(correct[bins == b].mean() - confidence[bins == b].mean())
              for b in range(10) if (bins == b).any())
    assert ece > 0.01
    assert ece == pytest.approx(reliability_curve(y_test, seed_probabilities, n_bins=10).expected_calibration_error, abs=1e-6)


def test_ex_04_1_batch_fewer_updates_lower_accuracy_after_the_same_epochs():
    """ex-04-1-batch: after the same two epochs, batch 512 (16 times fewer updates than batch 32) leaves the article's
    model far less accurate. (The solution makes no firm claim about images per second: measured under load on two
    cores, this small model's per-epoch throughput at 32, 128 and 512 varied more from run to run than between sizes.)"""
    import keras

    from fusionlab.data import load_image_dataset
    from fusionlab.models import build_seed_cnn
    from fusionlab.training import fit

    dataset = load_image_dataset(prefer="digits", stand_in_shape=(20, 20, 3), random_state=0)  # the smallest the model takes
    X, y = dataset.X_train / 255.0, dataset.y_train
    accuracy = {}
    for batch_size in (32, 512):
        keras.utils.set_random_seed(0)
        model = build_seed_cnn(dataset.image_shape, dataset.n_classes)
        history = fit(model, X[:1024], y[:1024], validation_data=(X[1024:], y[1024:]), epochs=2, batch_size=batch_size)
        assert history.n_epochs == 2 and history["step"][-1] == 2 * -(-1024 // batch_size)
        accuracy[batch_size] = history["val_accuracy"][-1]
    assert accuracy[512] < accuracy[32] - 0.2, accuracy  # measured at 32x32: 0.48 against 0.93


def test_ex_04_1_flip_mirrored_digits_lower_test_accuracy(digits_ablation):
    """ex-04-1-flip: with horizontal flips the improved model trains on mirrored digits that carry the wrong label,
    and its test accuracy falls (800 digits at 16x16, 4 epochs, same seed and budget as without flips)."""
    assert digits_ablation["with flips"] > 0.05, digits_ablation  # measured: 0.69 without flips, 0.54 with


def test_ex_04_1_temperature_sharpens_the_fast_cnn_and_keeps_its_accuracy():
    """ex-04-1-temperature: the solution's code at the notebook's classroom size on the digits. The fast CNN is
    under-confident, the fitted temperature is below 1, the calibration error falls several-fold, the accuracy stays."""
    from scipy.special import log_softmax, softmax

    from fusionlab.data import load_image_dataset
    from fusionlab.evaluate import accuracy, reliability_curve
    from fusionlab.models import build_fast_cnn, init_whitening
    from fusionlab.training import fast_fit, train_validation_split

    dataset = load_image_dataset(prefer="digits", stand_in_shape=(32, 32, 3), random_state=0)  # all of it: the notebook asks for up to 2,000
    X_train, X_val, y_train, y_val = train_validation_split(dataset.X_train / 255.0, dataset.y_train, 0.1, random_state=0)
    X_test, y_test = dataset.X_test / 255.0, dataset.y_test
    fast = init_whitening(build_fast_cnn(dataset.image_shape, dataset.n_classes), X_train)
    fast_fit(fast, X_train, y_train, n_epochs=8, flip=False)  # the notebook's FAST_EPOCHS
    fast_probabilities = fast.predict(X_test, verbose=0)
    # the solution's code (the digits: no flips)
    predict = lambda X: fast.predict(X, verbose=0)  # noqa: E731

    def nll(probabilities, y, temperature):
        return -log_softmax(np.log(probabilities) / temperature, axis=1)[np.arange(len(y)), y].mean()

    validation = predict(X_val)
    temperatures = np.geomspace(0.05, 5, 200)
    best = temperatures[np.argmin([nll(validation, y_val, t) for t in temperatures])]
    scaled = softmax(np.log(fast_probabilities) / best, axis=1)
    before, after = (reliability_curve(y_test, p).expected_calibration_error for p in (fast_probabilities, scaled))
    assert fast_probabilities.max(axis=1).mean() < accuracy(y_test, fast_probabilities.argmax(axis=1))  # under-confident
    assert best < 1 and after < before / 4 and after <= 0.02, (best, before, after)  # measured: T = 0.20, ECE 0.33 -> 0.01
    assert accuracy(y_test, scaled.argmax(axis=1)) == accuracy(y_test, fast_probabilities.argmax(axis=1))


# --- chapter 4.2 ----------------------------------------------------------------------------

def test_ex_04_2_article_fix_ranks_unrated_films_and_has_nothing_left_on_a_full_matrix():
    """ex-04-2-article-fix: the minimal edits give an ordered list of films the user has not rated; on the article's
    fully filled matrix every film is excluded (every score is minus infinity)."""
    from sklearn.metrics.pairwise import cosine_similarity

    def recommend(ratings, users, user_id, num_recommendations=3):  # the article's function with the solution's edits
        user_similarity = cosine_similarity(ratings)
        user_index = list(users[0]).index(user_id)
        similar_users = np.argsort(-user_similarity[user_index])[:num_recommendations]
        similar_users = [i for i in similar_users if i != user_index]
        scores = user_similarity[user_index, similar_users] @ ratings[similar_users]
        scores[ratings[user_index] > 0] = -np.inf
        return list(np.argsort(-scores)[:num_recommendations]), scores

    users = np.array([["u1", "u2", "u3", "u4"], ["m1", "m2", "m3", "m4"]])
    full = np.array([[4, 3, 1, 5], [1, 5, 4, 3], [5, 3, 1, 4], [3, 1, 5, 2]], dtype=float)
    assert np.all(recommend(full, users, "u3")[1] == -np.inf)
    gaps = full.copy()
    gaps[2, [1, 2]] = 0  # u3 has not rated m2 and m3
    ranked, scores = recommend(gaps, users, "u3", num_recommendations=3)
    assert ranked[:2] == sorted([1, 2], key=lambda item: -scores[item]) and np.isfinite(scores[[1, 2]]).all()


def _ratings_split():
    from fusionlab.data import load_ratings_dataset
    from fusionlab.recsys import matrix_from_ratings, per_user_holdout

    data = load_ratings_dataset(prefer="movielens-100k", random_state=0)
    train_index, test_index = per_user_holdout(data.user_ids, test_size=0.2, random_state=0)
    return matrix_from_ratings(data, train_index), matrix_from_ratings(data, test_index)


def test_ex_04_2_shrinkage_lowers_rmse_and_does_not_fall_back_to_the_biases():
    """ex-04-2-shrinkage: test RMSE falls from shrinkage 0 through 10 and 100 to 1000; a huge shrinkage does not pull
    the predictions to the bias baseline (the weighted average cancels a common factor)."""
    from fusionlab.recsys import BiasBaseline, ItemKNN, rmse

    R_train, R_test = _ratings_split()
    users, items = R_test.nonzero()
    errors = {s: rmse(R_test.data, ItemKNN(shrinkage=s).fit(R_train).predict(users, items)) for s in (0, 10, 100, 1000, 10**6)}
    biases = rmse(R_test.data, BiasBaseline().fit(R_train).predict(users, items))
    assert errors[0] > errors[10] > errors[100] > errors[1000], errors
    assert errors[10**6] < biases - 0.005, (errors, biases)


def test_ex_04_2_ease_l2_small_lambda_ranks_worse_large_lambda_covers_less():
    """ex-04-2-ease-l2: NDCG@10 rises from l2 = 5 to 50 to 500 (a small lambda trusts rarely rated films), and the
    share of the catalogue recommended falls at every step to 5000 (a large one favours popular films)."""
    from fusionlab.recsys import EASE, compare_models

    R_train, R_test = _ratings_split()
    results = compare_models({l2: EASE(l2=l2) for l2 in (5, 50, 500, 5000)}, R_train, R_test, k=10, n_ranking_users=300, verbose=False)
    ndcg = [results[l2].ranking["ndcg@10"] for l2 in (5, 50, 500)]
    coverage = [results[l2].ranking["coverage"] for l2 in (5, 50, 500, 5000)]
    assert ndcg == sorted(ndcg) and ndcg[0] < 0.8 * ndcg[-1], ndcg  # measured: 0.155, 0.213, 0.280 (MovieLens: 0.254 to 0.362)
    assert coverage == sorted(coverage, reverse=True) and coverage[-1] < coverage[0] / 2, coverage


def test_ex_04_2_leave_last_out_keeping_seen_films_costs_implicit_als_more_than_popularity():
    """ex-04-2-leave-last-out: leaving the films a user rated among the candidates lowers the hit rate at 10 of
    both popularity and implicit ALS, and implicit ALS loses more (it scores the films it was trained on highest);
    measured on the stand-in and on MovieLens-100K."""
    from fusionlab.data import load_ratings_dataset
    from fusionlab.recsys import ImplicitALS, Popularity, hit_rate_at_k, leave_last_out, matrix_from_ratings
    from fusionlab.recsys.evaluation import implicit_matrix

    data = load_ratings_dataset(prefer="movielens-100k", random_state=0)
    train_index, test_index = leave_last_out(data.user_ids, data.timestamps)
    R_train, R_test = matrix_from_ratings(data, train_index), matrix_from_ratings(data, test_index)
    users = np.unique(R_test.nonzero()[0])
    relevant = [R_test[user].indices for user in users]
    hit_rate = {}
    for name, model, R in (("popularity", Popularity(), R_train), ("implicit ALS", ImplicitALS(random_state=0), implicit_matrix(R_train))):
        model.fit(R)
        hit_rate[name] = {exclude: hit_rate_at_k(model.recommend(users, 10, exclude_seen=exclude), relevant, 10) for exclude in (True, False)}
    loss = {name: rates[True] - rates[False] for name, rates in hit_rate.items()}
    assert min(loss.values()) > 0, hit_rate
    assert loss["implicit ALS"] > 2 * loss["popularity"], hit_rate  # measured: 0.13 against 0.05 (MovieLens: 0.11 against 0.03)


def test_ex_04_2_stars_help_when_only_liked_films_count():
    """ex-04-2-stars: implicit ALS fitted on stars over their mean instead of 0/1 ranks better when only films rated
    4 or more are relevant, and gains clearly less (little on MovieLens-100K, a loss on the stand-in) when every
    rating is relevant. Measured on the notebook's split, NDCG@10 gains: MovieLens +0.013 and +0.002; stand-in +0.005
    and -0.004 (other split seeds alike)."""
    from fusionlab.data import load_ratings_dataset
    from fusionlab.recsys import ImplicitALS, matrix_from_ratings, per_user_holdout, ranking_report
    from fusionlab.recsys.evaluation import implicit_matrix, relevant_matrix

    data = load_ratings_dataset(prefer="movielens-100k", random_state=0)
    train_index, test_index = per_user_holdout(data.user_ids, test_size=0.2, random_state=0)
    R_train, R_test = matrix_from_ratings(data, train_index), matrix_from_ratings(data, test_index)
    fits = {name: ImplicitALS(random_state=0).fit(X) for name, X in (("0/1", implicit_matrix(R_train)), ("stars", R_train / R_train.data.mean()))}
    gain = {}
    for min_rating in (4, 1):
        relevant = relevant_matrix(R_test, min_rating)
        users = np.flatnonzero(np.diff(relevant.indptr))
        ndcg = {name: ranking_report(model.recommend(users, 10), relevant[users], 10, n_items=R_train.shape[1])["ndcg@10"] for name, model in fits.items()}
        gain[min_rating] = ndcg["stars"] - ndcg["0/1"]
    assert gain[4] > 0.002 and gain[1] < gain[4] - 0.004, gain
    assert (gain[1] < 0) if data.is_stand_in else (abs(gain[1]) < 0.005), gain
