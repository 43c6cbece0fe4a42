"""Privacy and security of trained models (chapter 5.3).

Modules
-------
dpsgd        DP-SGD (Abadi et al. 2016): vectorised per-example gradients, clipping, Gaussian noise
accounting   epsilon at delta through Google's ``dp-accounting`` (Rényi DP), and the inverse
membership   loss-threshold membership inference (Yeom et al. 2018), AUC, and the DP bounds on it
federated    federated averaging (McMahan et al. 2017) over IID or Dirichlet non-IID clients
adversarial  FGSM and PGD adversarial examples, robust accuracy

TensorFlow and ``dp-accounting`` are imported inside the functions, so importing this package
is cheap.
"""

from __future__ import annotations

from .accounting import dp_sgd_epsilon, dp_sgd_event, noise_multiplier_for_epsilon
from .adversarial import ATTACKS, fgsm, input_gradient, pgd, robust_accuracy
from .dpsgd import DPSGDResult, dp_sgd_step, fit_dp_sgd, per_example_gradients
from .federated import FederatedResult, centralised_sgd, client_split, federated_averaging
from .membership import MembershipAttackResult, dp_advantage_bound, dp_auc_bound, loss_threshold_attack, membership_attack
from ._scoring import evaluate_classifier, per_example_loss, predict_probabilities

__all__ = [
    "ATTACKS", "DPSGDResult", "FederatedResult", "MembershipAttackResult", "centralised_sgd", "client_split",
    "dp_advantage_bound", "dp_auc_bound", "dp_sgd_epsilon", "dp_sgd_event", "dp_sgd_step", "evaluate_classifier",
    "federated_averaging", "fgsm", "fit_dp_sgd", "input_gradient", "loss_threshold_attack", "membership_attack",
    "noise_multiplier_for_epsilon", "per_example_gradients", "per_example_loss", "pgd", "predict_probabilities",
    "robust_accuracy",
]
