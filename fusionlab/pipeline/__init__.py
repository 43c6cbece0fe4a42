"""The article's five-step fusion of deep learning and large-scale machine learning (chapter 3.3).

1. Data preprocessing: :func:`make_preprocessing` (cleaning, normalisation, feature extraction).
2. Model building: :func:`make_model` / :func:`make_fusion_pipeline`, a classical, deep
   (:func:`make_deep_classifier`) or hybrid (:class:`HybridClassifier`) classifier after the
   preprocessing, as one scikit-learn ``Pipeline``.
3. Parameter optimisation: inside ``fit`` (Adam on mini-batches for the network, L-BFGS or SGD
   for the linear models, tree growing for the forest).
4. Model evaluation: :func:`fusionlab.evaluate.cross_validate_report` (stratified k-fold;
   accuracy, precision, recall, F1, confusion matrix); :func:`leakage_experiment` shows why the
   preprocessing belongs inside the folds.
5. Model optimisation: :func:`tune` over :func:`search_space`, with the budget reported.
"""

from __future__ import annotations

from .building import MODELS, make_fusion_pipeline, make_model, make_preprocessing
from .hybrid import HybridClassifier, make_deep_classifier, mlp_model
from .leakage import LeakageResult, leakage_experiment, make_noise_classification
from .tuning import SearchResult, search_space, tune

__all__ = [
    "MODELS",
    "HybridClassifier",
    "LeakageResult",
    "SearchResult",
    "leakage_experiment",
    "make_deep_classifier",
    "make_fusion_pipeline",
    "make_model",
    "make_noise_classification",
    "make_preprocessing",
    "mlp_model",
    "search_space",
    "tune",
]
