"""Convolutional image classifiers: the article's CNN, as written, and what a practitioner does next.

Both builders take images scaled to ``[0, 1]`` of shape ``(batch, height, width, channels)``
(divide uint8 pixels by 255, as the article does) and return a compiled ``keras.Model`` whose
``predict`` gives class probabilities of shape ``(batch, n_classes)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_float, check_int, error_message

#: CIFAR-10's image shape and number of classes, the article's setting.
CIFAR10_SHAPE = (32, 32, 3)
CIFAR10_CLASSES = 10


def _check_input_shape(input_shape, *, min_side: int) -> tuple[int, int, int]:
    fix = f"Pass (height, width, channels) with sides of at least {min_side} pixels, e.g. (32, 32, 3); use load_image_dataset(stand_in_shape=(32, 32, 3)) for small images."
    if not isinstance(input_shape, Sequence) or isinstance(input_shape, str) or len(input_shape) != 3:
        raise ValueError(error_message("input_shape", "a (height, width, channels) tuple", input_shape, fix))
    height, width, channels = input_shape
    check_int(height, "input_shape[0]", low=min_side, fix=fix)
    check_int(width, "input_shape[1]", low=min_side, fix=fix)
    check_int(channels, "input_shape[2]", low=1, fix="Use 1 for grey images, 3 for colour.")
    return int(height), int(width), int(channels)


def build_seed_cnn(input_shape=CIFAR10_SHAPE, n_classes: int = CIFAR10_CLASSES, *, name: str = "seed_cnn"):
    """Build the article's CNN (section 4.1) exactly, compiled exactly as the article compiles it.

    ``Conv2D(32, 3x3, relu) -> MaxPool(2x2) -> Conv2D(64, 3x3, relu) -> MaxPool(2x2)
    -> Conv2D(64, 3x3, relu) -> Flatten -> Dense(64, relu) -> Dense(n_classes, softmax)``,
    "valid" padding throughout, Adam with Keras's defaults (learning rate 1e-3), sparse
    categorical cross-entropy, accuracy. The only change from the article's listing is Keras 3's
    spelling: an ``Input`` layer instead of ``input_shape=`` on the first layer.

    With the defaults (CIFAR-10's 32x32x3 images, 10 classes) the model has 122,570 parameters,
    the same as TensorFlow's CNN tutorial, from which the article copied it.

    Parameters
    ----------
    input_shape : tuple of int, default=(32, 32, 3)
        ``(height, width, channels)``. Sides must be at least 18 pixels for the three valid
        convolutions and two poolings to leave a non-empty feature map.
    n_classes : int, default=10
        Number of classes (>= 2); labels are integers in ``[0, n_classes)``.
    name : str, default="seed_cnn"

    Returns
    -------
    model : keras.Sequential
        Compiled. Inputs are floats in ``[0, 1]`` of shape ``(batch, *input_shape)``.

    See Also
    --------
    build_improved_cnn : batch normalisation, augmentation, dropout and a schedule.
    TensorFlow's "Convolutional Neural Network (CNN)" tutorial : the reference implementation.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    import keras
    from keras import layers

    input_shape = _check_input_shape(input_shape, min_side=18)
    n_classes = check_int(n_classes, "n_classes", low=2, fix="A classifier needs at least two classes.")
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape, name="images"),  # (batch, 32, 32, 3)
            layers.Conv2D(32, (3, 3), activation="relu"),  # (batch, 30, 30, 32)
            layers.MaxPooling2D((2, 2)),  # (batch, 15, 15, 32)
            layers.Conv2D(64, (3, 3), activation="relu"),  # (batch, 13, 13, 64)
            layers.MaxPooling2D((2, 2)),  # (batch, 6, 6, 64)
            layers.Conv2D(64, (3, 3), activation="relu"),  # (batch, 4, 4, 64)
            layers.Flatten(),  # (batch, 1024)
            layers.Dense(64, activation="relu"),  # (batch, 64)
            layers.Dense(n_classes, activation="softmax"),  # (batch, n_classes)
        ],
        name=name,
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_improved_cnn(
    input_shape=CIFAR10_SHAPE,
    n_classes: int = CIFAR10_CLASSES,
    *,
    widths: Sequence[int] = (32, 64, 128),
    dropout: float = 0.2,
    flip: bool = True,
    shift: float = 0.125,
    label_smoothing: float = 0.1,
    learning_rate: float = 2e-3,
    weight_decay: float = 5e-4,
    batch_norm: bool = True,
    batch_norm_momentum: float = 0.9,
    random_state: int = 0,
    name: str = "improved_cnn",
):
    """Build a CPU-sized CNN with what a practitioner adds next to the article's model.

    Per stage of ``widths``: ``[Conv2D(3x3, same) -> BatchNorm -> ReLU] x 2 -> MaxPool(2x2)
    -> Dropout``; then global average pooling, dropout, and ``Dense(n_classes, softmax)``.
    In front, data augmentation that is active only while training (random shifts of up to
    ``shift`` of the side, and optional horizontal flips). Compiled with AdamW (decoupled weight
    decay) and label-smoothed cross-entropy.

    The learning rate given here is the peak of a schedule: train with
    :func:`fusionlab.training.fit` and ``schedule="one_cycle"`` to warm it up and anneal it to
    zero, over a number of epochs or over a wall-clock budget.

    Parameters
    ----------
    input_shape : tuple of int, default=(32, 32, 3)
        ``(height, width, channels)``; sides must be divisible by ``2 ** len(widths)``.
    n_classes : int, default=10
    widths : sequence of int, default=(32, 64, 128)
        Filters per stage; each stage halves the image side. The default has about 290,000
        parameters and costs about 8 times the seed model's multiply-adds per image.
    dropout : float, default=0.2
        Dropout rate after each stage and before the classifier, in [0, 1).
    flip : bool, default=True
        Random horizontal flips. Right for photographs (CIFAR-10), wrong for digits: a mirrored
        2 is not a 2.
    shift : float, default=0.125
        Largest random translation as a fraction of the side (0.125 is 4 of 32 pixels); 0 turns
        it off.
    label_smoothing : float, default=0.1
    learning_rate : float, default=2e-3
        Peak learning rate of AdamW.
    weight_decay : float, default=5e-4
        AdamW's decoupled weight decay.
    batch_norm : bool, default=True
        Batch normalisation after every convolution. ``False`` removes it (the convolutions then
        get biases), as the ablation of chapter 4.1 does; see :data:`IMPROVED_CNN_ABLATIONS`.
    batch_norm_momentum : float, default=0.9
        Momentum of batch normalisation's moving averages. Keras's default, 0.99, needs
        hundreds of steps before the moving averages (used at prediction time) catch up; short
        runs predict badly with it.
    random_state : int, default=0
        Seed of the augmentation layers.
    name : str, default="improved_cnn"

    Returns
    -------
    model : keras.Model
        Compiled. Inputs are floats in ``[0, 1]``; outputs class probabilities. Its loss is
        ``sparse_categorical_crossentropy`` with label smoothing (Keras 3's
        ``SparseCategoricalCrossentropy`` does not smooth, so labels are one-hot encoded inside).

    See Also
    --------
    build_seed_cnn : the article's model.
    keras-io "Image classification from scratch" and TensorFlow's data-augmentation tutorial :
        reference uses of the same layers.

    Notes
    -----
    Batch normalisation (Ioffe & Szegedy, 2015), dropout (Srivastava et al., 2014).
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    import keras
    from keras import layers

    widths = list(widths) if isinstance(widths, Sequence) and not isinstance(widths, str) else widths
    if not isinstance(widths, list) or not widths:
        raise TypeError(error_message("widths", "a non-empty sequence of ints", widths, "Pass e.g. (32, 64, 128)."))
    for index, width in enumerate(widths):
        check_int(width, f"widths[{index}]", low=1, fix="Every stage needs at least one filter.")
    factor = 2 ** len(widths)
    height, width, channels = _check_input_shape(input_shape, min_side=factor)
    if height % factor or width % factor:
        raise ValueError(
            error_message("input_shape", f"sides divisible by 2**len(widths)={factor}", input_shape, "Resize the images or use fewer stages.")
        )
    n_classes = check_int(n_classes, "n_classes", low=2, fix="A classifier needs at least two classes.")
    dropout = check_float(dropout, "dropout", low=0.0, high=1.0, high_inclusive=False)
    if not isinstance(flip, bool):
        raise TypeError(error_message("flip", "True or False", flip, "Use flip=False for digits or text."))
    shift = check_float(shift, "shift", low=0.0, high=0.5, fix="Try 0.125 (4 pixels of 32).")
    label_smoothing = check_float(label_smoothing, "label_smoothing", low=0.0, high=1.0, high_inclusive=False)
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 2e-3.")
    weight_decay = check_float(weight_decay, "weight_decay", low=0.0, fix="Try 5e-4, or 0 to turn it off.")
    if not isinstance(batch_norm, bool):
        raise TypeError(error_message("batch_norm", "True or False", batch_norm, "Use batch_norm=False to remove batch normalisation."))
    batch_norm_momentum = check_float(batch_norm_momentum, "batch_norm_momentum", low=0.0, high=1.0, high_inclusive=False, fix="Try 0.9.")
    random_state = check_int(random_state, "random_state", low=0, fix="Pass a seed such as 0.")

    inputs = keras.Input(shape=(height, width, channels), name="images")  # (batch, h, w, c)
    x = inputs
    if flip:
        x = layers.RandomFlip("horizontal", seed=random_state, name="random_flip")(x)
    if shift > 0:
        x = layers.RandomTranslation(shift, shift, fill_mode="reflect", seed=random_state + 1, name="random_shift")(x)
    for stage, filters in enumerate(widths, start=1):
        for conv in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"conv{stage}_{conv}")(x)
            if batch_norm:  # its shift replaces the convolution's bias
                x = layers.BatchNormalization(momentum=batch_norm_momentum, name=f"bn{stage}_{conv}")(x)
            x = layers.ReLU(name=f"relu{stage}_{conv}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)  # side halves each stage
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"dropout{stage}")(x)
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)  # (batch, widths[-1])
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout_head")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)  # (batch, n_classes)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=weight_decay),
        loss=_smoothed_sparse_crossentropy(n_classes, label_smoothing),
        metrics=["accuracy"],
    )
    return model


#: The improved CNN with one ingredient removed at a time, as keyword arguments of
#: :func:`build_improved_cnn` (chapter 4.1's ablation). "augmentation" removes both the random
#: shifts and the flips; "dropout" every dropout layer.
IMPROVED_CNN_ABLATIONS = {
    "all ingredients": {},
    "no augmentation": {"flip": False, "shift": 0.0},
    "no batch normalisation": {"batch_norm": False},
    "no dropout": {"dropout": 0.0},
}


def _smoothed_sparse_crossentropy(n_classes: int, label_smoothing: float):
    """Sparse categorical cross-entropy with label smoothing (a registered loss, so ``.keras`` files reload)."""
    if label_smoothing == 0:
        return "sparse_categorical_crossentropy"
    from .losses import SmoothedSparseCrossentropy

    return SmoothedSparseCrossentropy(n_classes=n_classes, label_smoothing=label_smoothing)
