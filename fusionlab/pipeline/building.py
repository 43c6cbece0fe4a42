"""Steps 1 and 2 of the fusion pipeline: preprocessing, then a classical, deep or hybrid model.

Everything is a scikit-learn ``Pipeline``, so the preprocessing is fitted on the training data
of each cross-validation fold and never sees the held-out fold (chapter 3.3).
"""

from __future__ import annotations

from .._validation import check_choice, check_int, error_message

#: Model names accepted by :func:`make_model`, with the family each belongs to.
MODELS = {
    "logistic_regression": "classical",
    "random_forest": "classical",
    "sgd": "classical",
    "mlp": "deep",
    "hybrid": "hybrid",
}
SCALERS = ("standard", "minmax", None)
IMPUTERS = ("mean", "median", None)


def make_preprocessing(
    *,
    impute: str | None = None,
    drop_constant: bool = True,
    scale: str | None = "standard",
    n_components: int | None = None,
    select_k: int | None = None,
    random_state: int | None = None,
) -> list[tuple[str, object]]:
    """Step 1, data preprocessing: cleaning, normalisation and feature extraction.

    Parameters
    ----------
    impute : {"mean", "median", None}, default=None
        Cleaning: replace NaN by the column's training mean or median. ``None`` keeps NaN an
        error, which is safer when missing values are not expected.
    drop_constant : bool, default=True
        Cleaning: drop features that are constant in the training data (e.g. border pixels).
    scale : {"standard", "minmax", None}, default="standard"
        Normalisation: zero mean and unit variance, or the range [0, 1].
    n_components : int, default=None
        Feature extraction: keep this many principal components (PCA). ``None`` skips it.
    select_k : int, default=None
        Feature selection: keep the ``select_k`` features with the largest ANOVA F-statistic
        against the labels. ``None`` skips it. This step looks at the labels, so fitting it
        outside cross-validation leaks (see :func:`leakage_experiment`).
    random_state : int or None, default=None
        Seeds PCA's randomised solver.

    Returns
    -------
    steps : list of (str, transformer)
        Named, unfitted steps for ``sklearn.pipeline.Pipeline``, in the order above.

    See Also
    --------
    sklearn.preprocessing.StandardScaler, sklearn.decomposition.PCA,
    sklearn.feature_selection.SelectKBest : the transformers used.
    """
    from sklearn.decomposition import PCA
    from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    impute = check_choice(impute, "impute", IMPUTERS, fix="Use 'median' to fill NaN, or None to reject them.")
    scale = check_choice(scale, "scale", SCALERS)
    if not isinstance(drop_constant, bool):
        raise TypeError(error_message("drop_constant", "True or False", drop_constant))
    steps: list[tuple[str, object]] = []
    if impute is not None:
        steps.append(("impute", SimpleImputer(strategy=impute)))
    if drop_constant:
        steps.append(("drop_constant", VarianceThreshold(threshold=0.0)))
    if scale == "standard":
        steps.append(("scale", StandardScaler()))
    elif scale == "minmax":
        steps.append(("scale", MinMaxScaler()))
    if n_components is not None:
        n_components = check_int(n_components, "n_components", low=1, fix="Keep at least one component, or pass None to skip PCA.")
        steps.append(("extract", PCA(n_components=n_components, random_state=random_state)))
    if select_k is not None:
        select_k = check_int(select_k, "select_k", low=1, fix="Keep at least one feature, or pass None to skip selection.")
        steps.append(("select", SelectKBest(score_func=f_classif, k=select_k)))
    return steps


def make_model(name: str, *, random_state: int | None = None, **params):
    """Step 2, model building: a classical, deep or hybrid classifier by name.

    Parameters
    ----------
    name : {"logistic_regression", "random_forest", "sgd", "mlp", "hybrid"}
        ``"logistic_regression"``: ``LogisticRegression(max_iter=2000)``.
        ``"random_forest"``: ``RandomForestClassifier(n_estimators=100, n_jobs=1)``.
        ``"sgd"``: ``SGDClassifier(loss="log_loss")``, logistic regression by SGD.
        ``"mlp"``: a Keras MLP wrapped by scikeras (:func:`make_deep_classifier`).
        ``"hybrid"``: :class:`HybridClassifier`, MLP embeddings feeding a logistic regression
        (pass ``clf=`` for another learner).
    random_state : int or None, default=None
        Seed for every random part of the model.
    **params
        Constructor parameters of that model, e.g. ``C=0.5`` or ``hidden_units=(32,)``.

    Returns
    -------
    model : unfitted scikit-learn classifier

    See Also
    --------
    make_fusion_pipeline : preprocessing and the model in one ``Pipeline``.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    from .hybrid import HybridClassifier, make_deep_classifier

    check_choice(name, "model", list(MODELS), fix="Pick a classical, deep or hybrid model by one of these names.")
    if random_state is not None:
        check_int(random_state, "random_state", low=0, high=2**32 - 1, fix="Pass an int seed such as 0, or None.")
    if name == "logistic_regression":
        model = LogisticRegression(max_iter=2000)
    elif name == "random_forest":
        model = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=random_state)
    elif name == "sgd":
        model = SGDClassifier(loss="log_loss", random_state=random_state)
    elif name == "mlp":
        return make_deep_classifier(random_state=random_state, **params)
    else:
        model = HybridClassifier(LogisticRegression(max_iter=2000), random_state=random_state)
    valid = model.get_params(deep=False)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            error_message("params", f"parameters of {type(model).__name__}", unknown, f"Valid names: {sorted(valid)}.")
        )
    return model.set_params(**params)


def make_fusion_pipeline(model: str = "hybrid", *, preprocessing: dict | None = None, random_state: int | None = None, **params):
    """Steps 1 and 2 as one estimator: preprocessing transformers, then the model.

    Parameters
    ----------
    model : str, default="hybrid"
        A name accepted by :func:`make_model`.
    preprocessing : dict, default=None
        Keyword arguments for :func:`make_preprocessing`; ``None`` means its defaults
        (drop constant features, standardise).
    random_state : int or None, default=None
        Seeds the model (and PCA, if used).
    **params
        Model parameters, passed to :func:`make_model`.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps named as in :func:`make_preprocessing`, then ``"model"``; search its
        hyper-parameters as ``model__<name>`` (``model__clf__C`` for the hybrid's learner).

    Examples
    --------
    >>> pipeline = make_fusion_pipeline("logistic_regression", C=0.5)
    >>> [name for name, _ in pipeline.steps]
    ['drop_constant', 'scale', 'model']
    """
    from sklearn.pipeline import Pipeline

    if preprocessing is not None and not isinstance(preprocessing, dict):
        raise TypeError(
            error_message("preprocessing", "a dict of make_preprocessing arguments or None", type(preprocessing).__name__, "Pass e.g. {'scale': 'minmax'}.")
        )
    steps = make_preprocessing(random_state=random_state, **(preprocessing or {}))
    return Pipeline([*steps, ("model", make_model(model, random_state=random_state, **params))])
