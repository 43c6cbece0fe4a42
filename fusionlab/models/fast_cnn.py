"""A CNN that beats the article's on a CPU at equal training time: airbench's recipe, scaled down.

The design follows Keller Jordan's airbench (94% on CIFAR-10 in seconds on a GPU), shrunk to
the article's compute budget on two CPU cores:

- a first layer of fixed 2x2 *whitening* filters, set from the training images by
  :func:`init_whitening` (the eigenvectors of the 2x2-patch covariance, scaled to unit
  variance, and their negatives);
- three conv groups ``Conv(3x3) -> MaxPool(2) -> BatchNorm -> ReLU -> Conv(3x3) -> BatchNorm
  -> ReLU``, whose convolutions start as partial identities ("dirac" initialisation) and whose
  batch norms have a learned shift but no learned scale;
- global max pooling, a linear layer without bias, logits scaled by ``logit_scale``.

Train it with :func:`fusionlab.training.fast_fit` (SGD with Nesterov momentum, a one-cycle
schedule over epochs or a wall-clock budget, lookahead, translation and alternating flips,
label smoothing) and predict with :func:`fusionlab.training.predict_with_flips`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .._validation import Ints, check_array, check_choice, check_float, check_int, check_random_state, error_message
from .cnn import CIFAR10_CLASSES, CIFAR10_SHAPE, _check_input_shape, _smoothed_sparse_crossentropy

PRECISIONS = ("auto", "float32", "mixed_bfloat16")
WHITENING_LAYER = "whiten"
NORMALISATION_LAYER = "normalise"


def cpu_has_bfloat16(cpuinfo="/proc/cpuinfo") -> bool:
    """Whether this CPU computes in bfloat16 natively (the ``avx512_bf16`` or ``amx_bf16`` flag).

    Without it, TensorFlow emulates bfloat16 and ``mixed_bfloat16`` is slower than float32.
    Reads ``/proc/cpuinfo`` (Linux); elsewhere returns False.
    """
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str = "auto") -> str:
    """``"auto"`` becomes ``"mixed_bfloat16"`` on a CPU with native bfloat16, ``"float32"`` elsewhere."""
    precision = check_choice(precision, "precision", PRECISIONS, fix="Use 'auto' unless you are measuring the difference.")
    if precision == "auto":
        return "mixed_bfloat16" if cpu_has_bfloat16() else "float32"
    return precision


def build_fast_cnn(
    input_shape=CIFAR10_SHAPE,
    n_classes: int = CIFAR10_CLASSES,
    *,
    widths: Sequence[int] = (16, 32, 64),
    batch_norm_momentum: float = 0.6,
    logit_scale: float = 1 / 9,
    label_smoothing: float = 0.2,
    learning_rate: float = 0.375,
    momentum: float = 0.85,
    weight_decay: float = 0.009,
    precision: str = "auto",
    dirac: bool = True,
    random_state: int = 0,
    name: str = "fast_cnn",
):
    """Build the airbench-style CNN, compiled with SGD (Nesterov) and label-smoothed cross-entropy.

    Layer by layer, for 32x32x3 images and the default widths::

        normalise  (per-channel mean and standard deviation, set by init_whitening)
        whiten     Conv2D(24, 2x2, valid), fixed        (batch, 31, 31, 24)   then ReLU
        group 1    Conv 16 -> MaxPool -> BN -> ReLU -> Conv 16 -> BN -> ReLU  (batch, 15, 15, 16)
        group 2    Conv 32 -> ...                                             (batch, 7, 7, 32)
        group 3    Conv 64 -> ...                                             (batch, 3, 3, 64)
        GlobalMaxPool -> Dense(n_classes, no bias) -> x logit_scale -> softmax

    Parameters
    ----------
    input_shape : tuple of int, default=(32, 32, 3)
        ``(height, width, channels)``; sides of at least ``2 ** (len(widths) + 1)``.
    n_classes : int, default=10
    widths : sequence of int, default=(16, 32, 64)
        Filters of each conv group. The default costs 6,840,352 multiply-adds per image
        (:func:`fusionlab.efficiency.model_cost`), 1.5 times the article's model, and has 76,487
        parameters, 743 of them not trained (the whitening filters, the input normalisation's
        statistics and the batch norms' moving statistics).
    batch_norm_momentum : float, default=0.6
        Momentum of the batch norms' moving averages. Low, so that the statistics used at test
        time follow the fast-changing weights of a short run (and the lookahead resets).
    logit_scale : float, default=1/9
        Multiplies the logits; with label smoothing it keeps early predictions soft.
    label_smoothing : float, default=0.2
    learning_rate : float, default=0.375
        Peak learning rate of SGD for batches of 256 images (scale it with the batch size).
        :func:`fusionlab.training.fast_fit` also multiplies it by 64 for the batch norms' shifts.
    momentum : float, default=0.85
        Nesterov momentum.
    weight_decay : float, default=0.009
        Decoupled weight decay (each step multiplies weights by ``1 - learning_rate *
        weight_decay``).
    precision : {"auto", "float32", "mixed_bfloat16"}, default="auto"
        ``"mixed_bfloat16"`` computes convolutions in bfloat16 and keeps weights, batch-norm
        statistics and the softmax in float32. ``"auto"`` picks it where the CPU has native
        bfloat16 (:func:`cpu_has_bfloat16`), float32 elsewhere.
    dirac : bool, default=True
        Start every 3x3 convolution as an identity on its first ``min(in, out)`` channels
        (airbench's "dirac" initialisation); False keeps He-uniform random kernels.
    random_state : int, default=0
        Seeds the weight initialisation.
    name : str, default="fast_cnn"

    Returns
    -------
    model : keras.Model
        Compiled. Inputs are floats in ``[0, 1]`` of shape ``(batch, *input_shape)``; outputs
        class probabilities of shape ``(batch, n_classes)``, float32. Call
        :func:`init_whitening` with training images before training.

    See Also
    --------
    build_seed_cnn : the article's model.
    build_improved_cnn : the textbook improvements (batch norm, augmentation layers, AdamW).
    airbench (Jordan, 2024), ``airbench94.py`` : the reference design, in PyTorch, for a GPU.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    import keras
    from keras import layers

    Ints(low=1).check(widths, "widths", fix="Pass e.g. (16, 32, 64): every group needs at least one filter.")
    height, width, channels = _check_input_shape(input_shape, min_side=2 ** (len(widths) + 1))
    n_classes = check_int(n_classes, "n_classes", low=2, fix="A classifier needs at least two classes.")
    batch_norm_momentum = check_float(batch_norm_momentum, "batch_norm_momentum", low=0.0, high=1.0, high_inclusive=False, fix="Try 0.6.")
    logit_scale = check_float(logit_scale, "logit_scale", low=0.0, low_inclusive=False, fix="Try 1/9.")
    label_smoothing = check_float(label_smoothing, "label_smoothing", low=0.0, high=1.0, high_inclusive=False)
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 0.375 for batches of 256.")
    momentum = check_float(momentum, "momentum", low=0.0, high=1.0, high_inclusive=False, fix="Try 0.85.")
    weight_decay = check_float(weight_decay, "weight_decay", low=0.0, fix="Try 0.009, or 0 to turn it off.")
    dtype = resolve_precision(precision)
    if not isinstance(dirac, bool):
        raise TypeError(error_message("dirac", "True or False", dirac, "Use dirac=False only to measure what the identity start buys."))
    random_state = check_int(random_state, "random_state", low=0, fix="Pass a seed such as 0.")

    seeds = iter(range(random_state * 1000, random_state * 1000 + 1000))

    def conv(filters):
        return layers.Conv2D(filters, 3, padding="same", use_bias=False, dtype=dtype,
                             kernel_initializer=keras.initializers.HeUniform(seed=next(seeds)))

    def batch_norm():
        return layers.BatchNormalization(momentum=batch_norm_momentum, scale=False, dtype=dtype)

    n_whitening = 2 * channels * 2 * 2  # every 2x2 patch direction, and its negative
    inputs = keras.Input(shape=(height, width, channels), name="images")  # (batch, h, w, c), floats in [0, 1]
    x = layers.Normalization(axis=-1, name=NORMALISATION_LAYER)(inputs)  # identity until init_whitening adapts it
    x = layers.Conv2D(n_whitening, 2, padding="valid", use_bias=False, trainable=False, dtype=dtype, name=WHITENING_LAYER,
                      kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)))(x)  # (batch, h-1, w-1, 24)
    x = layers.ReLU(dtype=dtype)(x)
    for filters in widths:
        x = conv(filters)(x)
        x = layers.MaxPooling2D(2, dtype=dtype)(x)  # side halves (rounding down)
        x = layers.ReLU(dtype=dtype)(batch_norm()(x))
        x = conv(filters)(x)
        x = layers.ReLU(dtype=dtype)(batch_norm()(x))
    x = layers.GlobalMaxPooling2D(dtype=dtype)(x)  # (batch, widths[-1])
    x = layers.Dense(n_classes, use_bias=False, dtype=dtype, kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)))(x)
    x = layers.Rescaling(logit_scale, dtype=dtype, name="logit_scale")(x)  # (batch, n_classes) logits
    outputs = layers.Softmax(dtype="float32", name="probabilities")(x)  # (batch, n_classes)
    model = keras.Model(inputs, outputs, name=name)
    if dirac:
        _dirac_init(model)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=True, weight_decay=weight_decay),
        loss=_smoothed_sparse_crossentropy(n_classes, label_smoothing),
        metrics=["accuracy"],
    )
    return model


def _dirac_init(model) -> None:
    """Make each 3x3 conv start as an identity on its first ``min(in, out)`` channels (airbench's dirac init)."""
    from keras import layers

    for layer in model.layers:
        if isinstance(layer, layers.Conv2D) and layer.name != WHITENING_LAYER:
            kernel = np.array(layer.kernel.numpy())  # (3, 3, in, out)
            n = min(kernel.shape[2], kernel.shape[3])
            kernel[:, :, :, :n] = 0.0
            kernel[1, 1, np.arange(n), np.arange(n)] = 1.0
            layer.kernel.assign(kernel)


def init_whitening(model, X, *, n_samples: int = 5000, epsilon: float = 5e-4, random_state=0):
    """Set the input normalisation and the fixed whitening filters of a fast CNN from training images.

    The normalisation layer gets each channel's mean and variance over ``X``. The whitening
    layer's 2x2 filters become the eigenvectors ``v_k`` of the covariance of normalised 2x2
    patches, divided by ``sqrt(lambda_k + epsilon)``, followed by their negatives, so that its
    first half of channels are uncorrelated with (nearly) unit variance over the patches:

    $$ W_k = v_k / \\sqrt{\\lambda_k + \\epsilon}, \\qquad W_{k + d} = -W_k, \\qquad d = 4c. $$

    Parameters
    ----------
    model : keras.Model
        Built by :func:`build_fast_cnn`.
    X : ndarray of shape (n_images, height, width, channels)
        Training images, floats in ``[0, 1]`` or ``uint8`` pixels (divided by 255 here).
    n_samples : int, default=5000
        Images used (a random subset; all of them if ``X`` has fewer).
    epsilon : float, default=5e-4
        Added to the eigenvalues, so that near-constant directions are not blown up.
    random_state : None, int or numpy.random.Generator, default=0
        Picks the subset.

    Returns
    -------
    model : keras.Model
        The same model, modified in place.

    See Also
    --------
    airbench's ``init_whitening_conv`` : the reference (PyTorch); ZCA/PCA whitening
        (Krizhevsky, 2009, appendix) for the idea.
    """
    try:
        whitening = model.get_layer(WHITENING_LAYER)
        normalisation = model.get_layer(NORMALISATION_LAYER)
    except ValueError:
        raise ValueError(error_message("model", f"a model with layers named {WHITENING_LAYER!r} and {NORMALISATION_LAYER!r}", getattr(model, "name", model), "Build it with build_fast_cnn.")) from None
    X = check_array(X, "X", ndim=4, dtype=None)
    kernel_height, kernel_width, channels, n_filters = whitening.kernel.shape
    if X.shape[1:] != tuple(model.input_shape[1:]):
        raise ValueError(error_message("X", f"images of shape (n, {', '.join(map(str, model.input_shape[1:]))})", X.shape, "Pass the training images the model was built for."))
    n_samples = check_int(n_samples, "n_samples", low=1, fix="Use e.g. 5000 images.")
    epsilon = check_float(epsilon, "epsilon", low=0.0, low_inclusive=False, fix="Try 5e-4.")
    rng = check_random_state(random_state)
    if len(X) > n_samples:
        X = X[np.sort(rng.choice(len(X), size=n_samples, replace=False))]
    X = X.astype("float64") / (255.0 if X.dtype == np.uint8 else 1.0)  # (n, h, w, c) in [0, 1]
    normalisation.adapt(X.astype("float32"))  # Keras's own per-channel mean and variance
    mean = X.mean(axis=(0, 1, 2))  # (c,)
    variance = X.var(axis=(0, 1, 2))
    Z = (X - mean) / np.maximum(np.sqrt(variance), 1e-7)  # what the normalisation layer outputs, in float64
    patches = np.lib.stride_tricks.sliding_window_view(Z, (kernel_height, kernel_width), axis=(1, 2))  # (n, h', w', c, kh, kw)
    patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kernel_height * kernel_width * channels)  # (n h' w', kh kw c)
    covariance = patches.T @ patches / len(patches)  # (d, d)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]  # largest first
    filters = eigenvectors / np.sqrt(np.clip(eigenvalues, 0.0, None) + epsilon)  # (d, d), one filter per column
    kernel = np.concatenate([filters, -filters], axis=1).reshape(kernel_height, kernel_width, channels, n_filters)
    whitening.kernel.assign(kernel.astype("float32"))
    return model
