"""From-scratch optimisers on NumPy: gradient descent, SGD, momentum, Adam and learning-rate schedules.

No TensorFlow here: this is the side that tests compare against TensorFlow/Keras and closed forms.

An *objective* is anything with ``n_samples``, ``loss(w)`` and ``gradient(w, indices=None)``;
``indices`` selects the samples a stochastic step reads. :class:`LeastSquares` is the one the
course starts from, because its minimiser has a closed form to check against;
:class:`SoftmaxRegression` is the linear classifier.

Modules
-------
objectives   LeastSquares, SoftmaxRegression (problems to fit: fusionlab.data.make_linear_regression)
optimizers   SGD (momentum, Nesterov), Adam: in-place updates of lists of arrays, as Keras 3 does them
schedules    Constant, StepDecay, InverseTimeDecay, ExponentialDecay, CosineDecay, OneCycle; make_schedule by name
loop         minimize, sgd, gradient_descent (each returns a fusionlab.history.History), time_gradient_steps,
             gradient_noise and its theory
theory       tuned_for_quadratic, quadratic_rate, predicted_steps: what theory says on a quadratic
experiments  step_cost_by_size, race_by_size: timed runs on least squares of growing size;
             steps_by_condition_number: steps each tuned rule needs as the valley narrows;
             tune_update_rules: each rule at its best learning rate on the same problem

Used in chapters 1, 2, 3.1 and 3.2.
"""

from __future__ import annotations

from .experiments import race_by_size, step_cost_by_size, steps_by_condition_number, tune_update_rules
from .loop import gradient_descent, gradient_noise, gradient_noise_theory, minimize, sgd, time_gradient_steps
from .objectives import LeastSquares, SoftmaxRegression
from .optimizers import SGD, Adam, Optimizer, get_optimizer
from .theory import TUNED_RULES, predicted_steps, quadratic_rate, tuned_for_quadratic
from .schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    OneCycle,
    Schedule,
    SCHEDULES,
    StepDecay,
    make_schedule,
)

__all__ = [
    "LeastSquares", "SoftmaxRegression",
    "minimize", "sgd", "gradient_descent", "time_gradient_steps", "gradient_noise", "gradient_noise_theory",
    "step_cost_by_size", "race_by_size", "steps_by_condition_number", "tune_update_rules",
    "TUNED_RULES", "tuned_for_quadratic", "quadratic_rate", "predicted_steps",
    "Optimizer", "SGD", "Adam", "get_optimizer",
    "Schedule", "Constant", "StepDecay", "InverseTimeDecay", "ExponentialDecay", "CosineDecay", "OneCycle",
    "SCHEDULES", "make_schedule",
]
