"""Step 5 of the fusion pipeline, model optimisation: search hyper-parameters by cross-validation.

The search budget (candidates x folds, plus one refit) is part of the result, so a chapter can
state what was spent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .._validation import check_choice, check_classification_data, check_int, error_message
from .building import MODELS


def search_space(model: str) -> dict:
    """Default search space of a model inside :func:`make_fusion_pipeline`.

    Parameters
    ----------
    model : {"logistic_regression", "random_forest", "sgd", "mlp", "hybrid"}

    Returns
    -------
    space : dict of str to list or scipy.stats distribution
        Keys are pipeline parameters (``model__...``). For ``"hybrid"`` it spans the network
        (``model__hidden_units``, ``model__learning_rate``, ``model__epochs``) and the learner
        (``model__clf__C``) together. Lists are sampled uniformly; distributions are sampled by
        ``RandomizedSearchCV``. The networks are kept small (at most two hidden layers, 15
        epochs) so that a search of a few settings fits a classroom budget on a laptop CPU.
    """
    from scipy.stats import loguniform

    check_choice(model, "model", list(MODELS))
    network = {
        "model__hidden_units": [(32,), (64,), (64, 32)],
        "model__learning_rate": loguniform(2e-3, 3e-2),
        "model__epochs": [10, 15],
    }
    spaces = {
        "logistic_regression": {"model__C": loguniform(1e-3, 1e2)},
        "random_forest": {
            "model__n_estimators": [50, 100, 200],
            "model__max_features": ["sqrt", 0.2, 0.5],
            "model__min_samples_leaf": [1, 2, 4],
        },
        "sgd": {"model__alpha": loguniform(1e-6, 1e-2)},
        "mlp": network,
        "hybrid": {**network, "model__clf__C": loguniform(1e-2, 1e2)},
    }
    return spaces[model]


@dataclass
class SearchResult:
    """A finished hyper-parameter search and what it cost.

    Attributes
    ----------
    search : RandomizedSearchCV or GridSearchCV
        Fitted; ``search.best_estimator_`` is refitted on all the data given.
    n_candidates : int
        Hyper-parameter settings tried.
    n_splits : int
        Folds per setting.
    time_s : float
        Wall-clock time of the whole search, refit included.
    """

    search: object
    n_candidates: int
    n_splits: int
    time_s: float

    @property
    def n_fits(self) -> int:
        """Model fits spent: one per candidate and fold, plus the final refit."""
        return self.n_candidates * self.n_splits + 1

    @property
    def best_params(self) -> dict:
        return dict(self.search.best_params_)

    @property
    def best_score(self) -> float:
        """Mean cross-validated score of the best setting (optimistic: it won a contest)."""
        return float(self.search.best_score_)

    @property
    def best_estimator(self):
        return self.search.best_estimator_

    def budget(self) -> str:
        """The budget as a sentence."""
        return (
            f"{self.n_candidates} candidates x {self.n_splits} folds = {self.n_candidates * self.n_splits} fits, "
            f"plus 1 refit on all the training data ({self.time_s:.1f} s)"
        )

    def ranking(self, top: int = 5) -> str:
        """A text table of the best ``top`` settings: mean ± std of the score, and the parameters."""
        results = self.search.cv_results_
        order = sorted(range(len(results["rank_test_score"])), key=lambda i: results["rank_test_score"][i])[:top]
        lines = []
        for index in order:
            params = ", ".join(f"{key.removeprefix('model__')}={_short(value)}" for key, value in results["params"][index].items())
            lines.append(f"{results['rank_test_score'][index]:>2}. {results['mean_test_score'][index]:.3f} ± {results['std_test_score'][index]:.3f}  {params}")
        return "\n".join(lines)


def _short(value):
    return f"{value:.3g}" if isinstance(value, float) else repr(value)


def tune(
    pipeline,
    X,
    y,
    *,
    param_distributions: dict,
    method: str = "random",
    n_iter: int = 8,
    n_splits: int = 3,
    scoring: str = "f1_macro",
    random_state: int | None = 0,
    n_jobs: int = 1,
    allow_nan: bool = False,
) -> SearchResult:
    """Step 5, model optimisation: randomised or grid search with stratified k-fold CV.

    Parameters
    ----------
    pipeline : estimator
        Usually from :func:`make_fusion_pipeline`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    param_distributions : dict
        Parameter names to lists (or, for ``method="random"``, scipy.stats distributions),
        e.g. ``search_space("hybrid")``. For ``method="grid"`` every value must be a list.
    method : {"random", "grid"}, default="random"
    n_iter : int, default=8
        Settings sampled by the randomised search (ignored by the grid search).
    n_splits : int, default=3
        Stratified folds per setting.
    scoring : str, default="f1_macro"
        A scikit-learn scorer name.
    random_state : int or None, default=0
        Seeds the sampled settings and the folds.
    n_jobs : int, default=1
        Parallel fits. Keep 1 with Keras models (repeatable and no oversubscription).
    allow_nan : bool, default=False
        Accept NaN in ``X``; set it when the pipeline imputes.

    Returns
    -------
    result : SearchResult
        The fitted search and its budget (``result.budget()``).

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV, sklearn.model_selection.GridSearchCV
    """
    from sklearn.model_selection import GridSearchCV, ParameterGrid, RandomizedSearchCV, StratifiedKFold

    method = check_choice(method, "method", ["random", "grid"])
    n_iter = check_int(n_iter, "n_iter", low=1, fix="Try at least one setting, e.g. n_iter=8.")
    n_splits = check_int(n_splits, "n_splits", low=2, fix="Use 3 or 5 folds.")
    n_jobs = check_int(n_jobs, "n_jobs", low=-1, fix="Use 1 with Keras models.")
    if not isinstance(param_distributions, dict) or not param_distributions:
        raise TypeError(
            error_message("param_distributions", "a non-empty dict of parameter name to values", param_distributions, "Pass e.g. search_space('hybrid').")
        )
    valid = pipeline.get_params(deep=True)
    unknown = sorted(set(param_distributions) - set(valid))
    if unknown:
        raise ValueError(
            error_message("param_distributions", "keys that are parameters of the pipeline", unknown, "Model parameters start with 'model__', e.g. 'model__clf__C'.")
        )
    X, y = check_classification_data(X, y, n_splits=n_splits, allow_nan=allow_nan)
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    if method == "random":
        search = RandomizedSearchCV(
            pipeline, param_distributions, n_iter=n_iter, scoring=scoring, cv=folds, random_state=random_state, n_jobs=n_jobs, refit=True, error_score="raise"
        )
    else:
        not_lists = [key for key, values in param_distributions.items() if not isinstance(values, (list, tuple))]
        if not_lists:
            raise TypeError(error_message("param_distributions", "lists of values for a grid search", not_lists, "Use method='random' for distributions."))
        search = GridSearchCV(pipeline, param_distributions, scoring=scoring, cv=folds, n_jobs=n_jobs, refit=True, error_score="raise")
    start = time.perf_counter()
    search.fit(X, y)
    seconds = time.perf_counter() - start
    n_candidates = len(search.cv_results_["params"]) if method == "random" else len(ParameterGrid(param_distributions))
    return SearchResult(search=search, n_candidates=n_candidates, n_splits=n_splits, time_s=seconds)
