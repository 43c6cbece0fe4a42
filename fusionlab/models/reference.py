"""The TensorFlow reference for the from-scratch network of :mod:`fusionlab.nn`.

The same network, written with TensorFlow operations and differentiated by ``tf.GradientTape``
in float64. ``tests/test_nn.py`` and chapter 3.1 compare :func:`fusionlab.nn.loss_and_gradients`
against it; it lives here, on the Keras side of the package, because ``fusionlab.nn`` never
imports TensorFlow.
"""

from __future__ import annotations

import numpy as np


def tensorflow_loss_and_gradients(params, X, y, *, activation: str = "relu", l2: float = 0.0):
    """Loss and gradients of the network ``params`` computed by TensorFlow (float64).

    Parameters
    ----------
    params : list of dict
        ``{"W": (n_in, n_out), "b": (n_out,)}`` per layer, as :func:`fusionlab.nn.init_params`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of int, shape (n_samples,)
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
    l2 : float, default=0.0
        Penalty :math:`\\frac{\\lambda}{2}\\sum\\lVert W\\rVert^2`, as in ``fusionlab.nn``.

    Returns
    -------
    loss : float
    grads : list of dict
        Same structure as ``params``, as NumPy arrays.

    See Also
    --------
    fusionlab.nn.loss_and_gradients : the hand-derived backpropagation checked against this.
    """
    import tensorflow as tf

    functions = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid, "tanh": tf.tanh}
    variables = [(tf.Variable(layer["W"], dtype=tf.float64), tf.Variable(layer["b"], dtype=tf.float64)) for layer in params]
    with tf.GradientTape() as tape:
        a = tf.constant(np.asarray(X, dtype=np.float64))  # (n_samples, n_features)
        for index, (W, b) in enumerate(variables):
            z = a @ W + b  # (n_samples, n_out)
            a = z if index == len(variables) - 1 else functions[activation](z)
        labels = tf.constant(np.asarray(y, dtype=np.int64))
        cross_entropy = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=a))
        loss = cross_entropy + 0.5 * l2 * tf.add_n([tf.reduce_sum(W**2) for W, _ in variables])
    grads = tape.gradient(loss, variables)
    return float(loss.numpy()), [{"W": W.numpy(), "b": b.numpy()} for W, b in grads]


__all__ = ["tensorflow_loss_and_gradients"]
