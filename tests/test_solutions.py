"""Exercise solutions that claim a computed result, checked by running the code they give.

Each test names the exercise label it checks (``ex-NN-...``) and runs the solution's own code
(at the notebook's classroom size where the solution depends on one).
"""

from __future__ import annotations

import numpy as np
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
