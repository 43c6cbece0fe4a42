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
schedules    Constant, StepDecay, InverseTimeDecay, ExponentialDecay, CosineDecay
loop         minimize, sgd, gradient_descent (with a History), time_gradient_steps, gradient_noise

Used in chapters 1, 2, 3.1 and 3.2.
"""

from __future__ import annotations

from .loop import History, gradient_descent, gradient_noise, minimize, sgd, time_gradient_steps
from .objectives import LeastSquares, SoftmaxRegression
from .optimizers import SGD, Adam, Optimizer, get_optimizer
from .schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    Schedule,
    StepDecay,
    make_schedule,
    schedule_values,
)

__all__ = [
    "LeastSquares", "SoftmaxRegression",
    "History", "minimize", "sgd", "gradient_descent", "time_gradient_steps", "gradient_noise",
    "Optimizer", "SGD", "Adam", "get_optimizer",
    "Schedule", "Constant", "StepDecay", "InverseTimeDecay", "ExponentialDecay", "CosineDecay",
    "make_schedule", "schedule_values",
]
