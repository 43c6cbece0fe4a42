"""Update rules: plain SGD, momentum (heavy ball and Nesterov) and Adam, on lists of NumPy arrays.

Each optimiser keeps its own state (velocities, moments, the step counter) and updates the
parameters **in place**, so the same object drives a linear model (one array) and a network
(a weight matrix and a bias vector per layer). The arithmetic follows Keras 3's
``keras.optimizers.SGD`` and ``keras.optimizers.Adam`` line for line, so that one step here and
one step there agree to rounding (``tests/test_optim.py`` checks it).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float, error_message
from .schedules import as_schedule


class Optimizer:
    """Base class. Subclasses implement ``_update(index, param, grad, learning_rate)``.

    Attributes
    ----------
    iterations : int
        Number of :meth:`apply` calls so far (Keras' ``optimizer.iterations``).
    learning_rate : float or callable
        A positive number or a schedule ``step -> rate`` (see :mod:`fusionlab.optim.schedules`).
    """

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self._schedule = as_schedule(learning_rate)
        self.iterations = 0
        self._state: list | None = None

    def current_learning_rate(self) -> float:
        """The rate the next :meth:`apply` will use: ``schedule(iterations)``."""
        return float(self._schedule(self.iterations))

    def _init_state(self, params) -> list:  # pragma: no cover - overridden
        return [None for _ in params]

    def apply(self, params, grads) -> float:
        """Update every array of ``params`` in place from the matching ``grads``; return the rate used.

        Parameters
        ----------
        params : list of ndarray
            Float64 arrays, updated in place.
        grads : list of ndarray
            Same length and shapes as ``params``.
        """
        if len(params) != len(grads):
            raise ValueError(error_message("grads", f"a list of {len(params)} arrays (one per parameter)", f"{len(grads)} arrays", "Pass one gradient per parameter, in the same order."))
        if self._state is None:
            self._state = self._init_state(params)
        learning_rate = self.current_learning_rate()
        for index, (param, grad) in enumerate(zip(params, grads)):
            if param.shape != np.shape(grad):
                raise ValueError(error_message(f"grads[{index}]", f"shape {param.shape}", f"shape {np.shape(grad)}", "Each gradient must have its parameter's shape."))
            self._update(index, param, np.asarray(grad, dtype=np.float64), learning_rate)
        self.iterations += 1
        return learning_rate

    def reset(self) -> None:
        """Forget the state and the step counter (start a fresh run)."""
        self.iterations = 0
        self._state = None


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, as ``keras.optimizers.SGD``.

    .. math::
        v \\leftarrow \\mu v - \\eta g, \\qquad
        w \\leftarrow w + v \\quad\\text{(or } w + \\mu v - \\eta g \\text{ with Nesterov)}

    With ``momentum=0`` this is :math:`w \\leftarrow w - \\eta g`.

    Parameters
    ----------
    learning_rate : float or schedule, default=0.01
    momentum : float, default=0.0
        In [0, 1).
    nesterov : bool, default=False

    See Also
    --------
    keras.optimizers.SGD : the reference implementation.
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_float(momentum, "momentum", low=0.0, high=1.0, high_inclusive=False, fix="Use 0.9 for classical momentum, 0 for plain SGD.")
        self.nesterov = bool(nesterov)

    def _init_state(self, params):
        return [np.zeros_like(p, dtype=np.float64) for p in params] if self.momentum else [None for _ in params]

    def _update(self, index, param, grad, learning_rate):
        if not self.momentum:
            param -= grad * learning_rate
            return
        velocity = self._state[index]
        velocity[...] = velocity * self.momentum - grad * learning_rate
        if self.nesterov:
            param += velocity * self.momentum - grad * learning_rate
        else:
            param += velocity


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), as ``keras.optimizers.Adam``.

    .. math::
        m \\leftarrow m + (1-\\beta_1)(g - m), \\quad v \\leftarrow v + (1-\\beta_2)(g^2 - v), \\quad
        w \\leftarrow w - \\eta\\,\\frac{\\sqrt{1-\\beta_2^t}}{1-\\beta_1^t}\\,\\frac{m}{\\sqrt{v} + \\epsilon}

    Note where :math:`\\epsilon` sits: added to :math:`\\sqrt{v}` *before* the bias correction
    is folded into the step size (the paper's "epsilon hat" form, which Keras and TensorFlow use).

    Parameters
    ----------
    learning_rate : float or schedule, default=0.001
    beta_1, beta_2 : float, default=0.9, 0.999
    epsilon : float, default=1e-7
        Keras' default (PyTorch uses 1e-8).

    See Also
    --------
    keras.optimizers.Adam : the reference implementation.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.beta_1 = check_float(beta_1, "beta_1", low=0.0, high=1.0, high_inclusive=False)
        self.beta_2 = check_float(beta_2, "beta_2", low=0.0, high=1.0, high_inclusive=False)
        self.epsilon = check_float(epsilon, "epsilon", low=0.0, low_inclusive=False, fix="Use 1e-7.")

    def _init_state(self, params):
        return [(np.zeros_like(p, dtype=np.float64), np.zeros_like(p, dtype=np.float64)) for p in params]

    def _update(self, index, param, grad, learning_rate):
        first, second = self._state[index]
        local_step = self.iterations + 1
        alpha = learning_rate * np.sqrt(1 - self.beta_2**local_step) / (1 - self.beta_1**local_step)
        first += (grad - first) * (1 - self.beta_1)
        second += (np.square(grad) - second) * (1 - self.beta_2)
        param -= (first * alpha) / (np.sqrt(second) + self.epsilon)


OPTIMIZERS = {"sgd": SGD, "momentum": SGD, "nesterov": SGD, "adam": Adam}


def get_optimizer(optimizer, learning_rate=None) -> Optimizer:
    """An :class:`Optimizer` from a name (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``) or an instance.

    Names give momentum 0.9 for ``"momentum"`` and ``"nesterov"``. A given instance is returned
    unchanged (``learning_rate`` must then be None).
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(error_message("optimizer", f"one of {list(OPTIMIZERS)} or an Optimizer instance", optimizer, "Try optimizer='adam'."))
    kwargs = {} if learning_rate is None else {"learning_rate": learning_rate}
    if optimizer == "momentum":
        return SGD(momentum=0.9, **kwargs)
    if optimizer == "nesterov":
        return SGD(momentum=0.9, nesterov=True, **kwargs)
    return OPTIMIZERS[optimizer](**kwargs)
