"""Membership inference by loss threshold (Yeom et al. 2018), and what differential privacy bounds.

The attacker sees a trained model and an example, and guesses whether the example was in the
training set. Models fit their training examples better than unseen ones, so a low loss is
evidence of membership. Yeom et al.'s attack says "member" when the loss is below the model's
mean training loss; scoring every example by ``-loss`` and sweeping the threshold gives a ROC
curve and its area (AUC): 0.5 means the attacker learns nothing, 1.0 that membership is plain.

Differential privacy bounds every such attack. An (epsilon, delta)-DP training algorithm makes
the two hypotheses "member" and "non-member" hard to test: at every threshold
``TPR <= exp(epsilon) * FPR + delta`` and ``1 - FPR <= exp(epsilon) * (1 - TPR) + delta``
(Kairouz, Oh & Viswanath 2015), which caps the advantage ``TPR - FPR`` and the AUC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._keras import check_keras_model, check_labels, check_model_inputs, n_outputs
from .._validation import check_array, check_float, error_message
from ._scoring import per_example_loss


@dataclass
class MembershipAttackResult:
    """Outcome of a loss-threshold membership-inference attack.

    Attributes
    ----------
    auc : float
        Area under the ROC curve of the score ``-loss`` (members are positives).
    advantage : float
        ``TPR - FPR`` at Yeom et al.'s threshold, the mean member loss.
    best_advantage : float
        The largest ``TPR - FPR`` over all thresholds (an attacker who could tune it).
    threshold : float
        The loss threshold used for ``advantage``.
    member_losses, nonmember_losses : ndarray
    """

    auc: float
    advantage: float
    best_advantage: float
    threshold: float
    member_losses: np.ndarray = field(repr=False)
    nonmember_losses: np.ndarray = field(repr=False)

    def roc_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """False- and true-positive rates of the attack at every threshold, ``(fpr, tpr)``."""
        from sklearn.metrics import roc_curve

        labels, scores = _labels_and_scores(self.member_losses, self.nonmember_losses)
        fpr, tpr, _ = roc_curve(labels, scores)
        return fpr, tpr


def _labels_and_scores(member_losses, nonmember_losses):
    labels = np.r_[np.ones(len(member_losses)), np.zeros(len(nonmember_losses))]
    return labels, -np.r_[member_losses, nonmember_losses]


def loss_threshold_attack(member_losses, nonmember_losses, *, threshold: float | None = None) -> MembershipAttackResult:
    """Attack membership from per-example losses (Yeom et al. 2018).

    Parameters
    ----------
    member_losses : array-like of shape (n_members,)
        Losses of examples that were in the training set.
    nonmember_losses : array-like of shape (n_nonmembers,)
        Losses of examples from the same distribution that were not.
    threshold : float, default=None
        Say "member" when the loss is at most this; ``None`` uses the mean member loss, the
        attacker's estimate of the expected training loss in Yeom et al.

    Returns
    -------
    result : MembershipAttackResult

    See Also
    --------
    sklearn.metrics.roc_auc_score, sklearn.metrics.roc_curve : used for the AUC and the curve.
    tensorflow_privacy's membership-inference attack library : the reference implementation.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    members = check_array(member_losses, "member_losses", ndim=1)
    nonmembers = check_array(nonmember_losses, "nonmember_losses", ndim=1)
    threshold = float(members.mean()) if threshold is None else check_float(threshold, "threshold")
    labels, scores = _labels_and_scores(members, nonmembers)
    fpr, tpr, _ = roc_curve(labels, scores)
    advantage = float(np.mean(members <= threshold) - np.mean(nonmembers <= threshold))
    return MembershipAttackResult(
        auc=float(roc_auc_score(labels, scores)), advantage=advantage, best_advantage=float(np.max(tpr - fpr)),
        threshold=threshold, member_losses=members, nonmember_losses=nonmembers,
    )


def membership_attack(model, X_members, y_members, X_nonmembers, y_nonmembers) -> MembershipAttackResult:
    """Run :func:`loss_threshold_attack` on a Keras classifier's cross-entropy.

    Parameters
    ----------
    model : keras.Model
        Classifier with probability outputs.
    X_members, y_members : ndarray
        Training examples (or a sample of them).
    X_nonmembers, y_nonmembers : ndarray
        Held-out examples from the same distribution, ideally as many.

    Returns
    -------
    result : MembershipAttackResult

    Notes
    -----
    Used in chapter 5.3 against an overfit model and against DP-SGD models.
    """
    model = check_keras_model(model)
    losses = []
    for X_name, y_name, X, y in (("X_members", "y_members", X_members, y_members), ("X_nonmembers", "y_nonmembers", X_nonmembers, y_nonmembers)):
        X = check_model_inputs(model, X, X_name)
        losses.append(per_example_loss(model, X, check_labels(y, len(X), n_outputs(model), y_name)))
    return loss_threshold_attack(*losses)


def _is_infinite(epsilon) -> bool:
    """No privacy: epsilon = inf (a model trained without noise)."""
    return isinstance(epsilon, float) and math.isinf(epsilon) and epsilon > 0


def dp_advantage_bound(epsilon: float, delta: float = 0.0) -> float:
    """The largest membership advantage ``TPR - FPR`` any attack has against an (epsilon, delta)-DP model.

    ``(exp(epsilon) - 1 + 2 delta) / (exp(epsilon) + 1)``, capped at 1; for delta = 0 this is
    ``tanh(epsilon / 2)``. Yeom et al.'s own bound, ``exp(epsilon) - 1``, is looser.
    """
    if _is_infinite(epsilon):
        return 1.0
    epsilon = check_float(epsilon, "epsilon", low=0.0, fix="Pass the epsilon of the trained model.")
    delta = check_float(delta, "delta", low=0.0, high=1.0)
    return min(1.0, (math.expm1(epsilon) + 2 * delta) / (math.exp(epsilon) + 1))


def dp_auc_bound(epsilon: float, delta: float = 0.0, *, n_points: int = 100_001) -> float:
    """The largest ROC AUC any membership attack reaches against an (epsilon, delta)-DP model.

    The area under the highest ROC curve the two hypothesis-testing constraints allow,
    ``tpr(f) = min(1, exp(epsilon) f + delta, 1 - exp(-epsilon) (1 - delta - f))``,
    integrated on a grid of ``n_points`` false-positive rates (exact up to ~1e-9: the curve is
    piecewise linear).
    """
    if _is_infinite(epsilon):
        return 1.0
    epsilon = check_float(epsilon, "epsilon", low=0.0, fix="Pass the epsilon of the trained model.")
    delta = check_float(delta, "delta", low=0.0, high=1.0)
    if n_points < 2:
        raise ValueError(error_message("n_points", "at least 2", n_points))
    fpr = np.linspace(0.0, 1.0, n_points)
    tpr = np.minimum.reduce([np.ones_like(fpr), math.exp(epsilon) * fpr + delta, 1 - math.exp(-epsilon) * (1 - delta - fpr)])
    return float(np.trapezoid(np.clip(tpr, 0.0, 1.0), fpr))


__all__ = ["MembershipAttackResult", "dp_advantage_bound", "dp_auc_bound", "loss_threshold_attack", "membership_attack"]
