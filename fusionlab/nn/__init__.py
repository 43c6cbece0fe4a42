"""A multi-layer network from scratch in NumPy: dense layers, forward and backward passes,
softmax cross-entropy with L2, a numerical gradient check, what each pass costs, and a
mini-batch classifier.

No TensorFlow here: ``tests/test_nn.py`` writes the same network with TensorFlow ops and checks
that :func:`loss_and_gradients` returns the same numbers as ``tf.GradientTape`` in float64.

Parameters are a list of layers, each a dict ``{"W": (n_in, n_out), "b": (n_out,)}``. Every
hidden layer applies the same activation; the last layer gives the logits.

Modules
-------
network      init_params, forward, backward, softmax, loss_and_gradients
checks       numerical_gradient, gradient_check, max_relative_difference
cost         multiply_adds, time_forward_backward: what a forward and a backward pass cost
classifier   MLPClassifier

Used in chapters 2 and 3.1.
"""

from __future__ import annotations

from .checks import gradient_check, max_relative_difference, numerical_gradient
from .classifier import MLPClassifier
from .cost import multiply_adds, time_forward_backward
from .network import ACTIVATIONS, backward, forward, init_params, loss_and_gradients, softmax

__all__ = [
    "ACTIVATIONS", "init_params", "softmax", "forward", "backward", "loss_and_gradients",
    "numerical_gradient", "gradient_check", "max_relative_difference", "multiply_adds", "time_forward_backward",
    "MLPClassifier",
]
