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


def test_ex_04_1_ablation_batch_norm_matters_most_and_dropout_costs_at_a_short_budget():
    """ex-04-1-ablation: on a short budget, removing batch normalisation costs the most accuracy, removing dropout
    raises it, and removing augmentation changes less than either. The solution's classroom run (about 1,200 digits,
    8 epochs) costs four models' training; this check runs the same code on 800 digits at 16x16 for 4 epochs."""
    import functools

    from fusionlab.data import load_image_dataset
    from fusionlab.models import IMPROVED_CNN_ABLATIONS, build_improved_cnn
    from fusionlab.training import ablate

    dataset = load_image_dataset(prefer="digits", stand_in_shape=(16, 16, 3), random_state=0)
    build = functools.partial(build_improved_cnn, dataset.image_shape, dataset.n_classes, widths=(8, 16, 32), flip=False)
    rows = ablate(build, IMPROVED_CNN_ABLATIONS, dataset.X_train[:800] / 255.0, dataset.y_train[:800],
                  dataset.X_test / 255.0, dataset.y_test, epochs=4, random_state=0)
    cost = {row["model"]: row["accuracy_drop"] for row in rows}
    assert max(cost, key=cost.get) == "no batch normalisation", cost  # measured: 0.32 of accuracy
    assert cost["no dropout"] < 0, cost  # measured: -0.28, removing dropout helps
    assert abs(cost["no augmentation"]) < min(cost["no batch normalisation"], -cost["no dropout"]), cost

