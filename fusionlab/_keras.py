"""Small Keras helpers shared by :mod:`fusionlab.explain` and :mod:`fusionlab.privacy`.

TensorFlow and Keras are imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ._validation import check_array, check_int, error_message


def check_keras_model(model, name: str = "model"):
    """Check that ``model`` is a built ``keras.Model`` and return it."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            error_message(name, "a keras.Model", type(model).__name__, "Build one with a fusionlab.models builder, e.g. build_seed_cnn().")
        )
    if not model.built or not model.inputs:
        raise ValueError(error_message(name, "a built keras.Model with an Input layer", model.name, "Start the model with keras.Input(shape=...)."))
    return model


def model_dtype(model) -> str:
    """The dtype of the model's variables (``"float32"`` unless it was built in float64)."""
    return model.trainable_variables[0].dtype if model.trainable_variables else "float32"


def check_model_inputs(model, X, name: str = "X") -> np.ndarray:
    """Check ``X`` against the model's input shape and return it in the model's dtype."""
    X = check_array(X, name, dtype=None)
    expected = tuple(model.inputs[0].shape[1:])
    if X.ndim != len(expected) + 1 or any(e is not None and e != g for e, g in zip(expected, X.shape[1:])):
        raise ValueError(
            error_message(name, f"an array of shape (n_samples, {', '.join(map(str, expected))})", f"array of shape {X.shape}", "Pass a batch of inputs the model accepts, e.g. X[:8] rather than X[0].")
        )
    return X.astype(model_dtype(model), copy=False)


def check_labels(y, n_samples: int, n_classes: int, name: str = "y") -> np.ndarray:
    """Check integer class labels in ``[0, n_classes)`` for ``n_samples`` inputs."""
    y = check_array(y, name, ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        raise TypeError(error_message(name, "integer class labels", f"dtype {y.dtype}", "Convert with y.astype(int)."))
    if len(y) != n_samples:
        raise ValueError(error_message(name, f"{n_samples} labels, one per input", f"{len(y)} labels", "Pass the labels of the same inputs."))
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(error_message(name, f"labels in [0, {n_classes - 1}]", f"labels in [{y.min()}, {y.max()}]", "Pass labels of the model's classes."))
    return y.astype(np.int64)


def check_validation_data(model, validation_data):
    """``None``, or ``(X_validation, y_validation)`` checked against the model (the Keras ``fit`` argument)."""
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError(error_message("validation_data", "a (X_validation, y_validation) pair", type(validation_data).__name__, "Pass validation_data=(X_validation, y_validation)."))
    X_validation = check_model_inputs(model, validation_data[0], "validation_data[0]")
    return X_validation, check_labels(validation_data[1], len(X_validation), n_outputs(model), "validation_data[1]")


def n_outputs(model) -> int:
    """Number of classes the model outputs."""
    return int(model.outputs[0].shape[-1])


def batches(n_samples: int, batch_size: int):
    """Yield ``slice`` objects covering ``range(n_samples)`` in chunks of ``batch_size``."""
    batch_size = check_int(batch_size, "batch_size", low=1, fix="Use e.g. 256.")
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


def seed_pair(rng: np.random.Generator) -> np.ndarray:
    """Two int32 seeds for TensorFlow's stateless random ops, drawn from ``rng``."""
    return rng.integers(0, 2**31 - 1, size=2, dtype=np.int64).astype(np.int32)


SCORE_OUTPUTS = ("logit", "probability")


def score_function(model, output: str = "logit"):
    """A callable ``x -> scores`` of shape (batch, n_classes): pre-softmax logits or probabilities.

    ``"logit"`` needs a model whose last layer is a ``Dense`` layer with a softmax activation
    (every fusionlab classifier): it returns that layer's input times its kernel plus its bias,
    sharing the model's variables (so re-initialising a layer changes the scores).
    """
    import keras

    from ._validation import check_choice

    output = check_choice(output, "output", SCORE_OUTPUTS, fix='Use "logit" (class scores before the softmax) or "probability".')
    if output == "probability":
        return lambda x: model(x, training=False)
    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense) or getattr(last.activation, "__name__", "") != "softmax":
        raise ValueError(
            error_message("model", "a classifier whose last layer is Dense(..., activation='softmax') for output='logit'", type(last).__name__, 'Use output="probability", or end the model with a softmax Dense layer.')
        )
    body = keras.Model(model.inputs[0], last.input)

    def logits(x):
        features = body(x, training=False)  # (batch, n_hidden)
        scores = keras.ops.matmul(features, last.kernel)  # (batch, n_classes)
        return scores + last.bias if last.use_bias else scores

    return logits


#: Compiled functions of the few models used last, so that repeated calls on one model (PGD's
#: steps, the radii of a robust-accuracy curve, the points of an integrated-gradients path, the
#: stages of the sanity check) trace their graph once. Holds at most ``_COMPILED_MODELS`` models.
_COMPILED: OrderedDict = OrderedDict()
_COMPILED_MODELS = 4
COMPILED_KINDS = ("scores", "target_gradient", "loss_gradient")


def compiled_function(model, kind: str, output: str = "logit"):
    """A ``tf.function`` of ``model`` traced once for any batch size, cached per model.

    ``kind``:

    - ``"scores"``: ``x -> scores`` of shape (batch, n_classes), as :func:`score_function`;
    - ``"target_gradient"``: ``(x, target) -> (d scores[target] / d x, scores[target])``;
    - ``"loss_gradient"``: ``(x, y) -> d loss / d x`` of each example's cross-entropy (from the
      logits when ``output="logit"``).

    Variables are read when the function runs, so re-initialised weights are seen; the graph is
    the same as eager execution's up to float rounding.
    """
    import keras
    import tensorflow as tf

    from ._validation import check_choice

    kind = check_choice(kind, "kind", COMPILED_KINDS)
    key = (id(model), kind, output)
    if key in _COMPILED:
        _COMPILED.move_to_end(key)
        return _COMPILED[key][1]
    score_of = score_function(model, output)
    images = tf.TensorSpec((None, *model.inputs[0].shape[1:]), model_dtype(model))  # (batch, height, width, channels)
    labels = tf.TensorSpec((None,), tf.int64)  # (batch,)

    def target_gradient(x, target):
        with tf.GradientTape() as tape:
            tape.watch(x)
            selected = tf.gather(score_of(x), target, axis=1, batch_dims=1)  # (batch,)
        return tape.gradient(selected, x), selected

    def loss_gradient(x, y):
        with tf.GradientTape() as tape:
            tape.watch(x)
            losses = keras.losses.sparse_categorical_crossentropy(y, score_of(x), from_logits=output == "logit")  # (batch,)
        return tape.gradient(losses, x)

    if kind == "scores":
        function = tf.function(lambda x: score_of(x), input_signature=[images])
    else:
        function = tf.function(target_gradient if kind == "target_gradient" else loss_gradient, input_signature=[images, labels])
    _COMPILED[key] = (model, function)  # the model is kept so that its id is not reused while cached
    while len(_COMPILED) > _COMPILED_MODELS * len(COMPILED_KINDS):
        _COMPILED.popitem(last=False)
    return function
