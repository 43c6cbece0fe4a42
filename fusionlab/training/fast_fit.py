"""A fast training loop for small CNNs on a CPU, after airbench: SGD, one cycle, lookahead, cheap augmentation.

:func:`fast_fit` trains a model built by :func:`fusionlab.models.build_fast_cnn` (or any compiled
Keras classifier whose optimizer has a variable learning rate) with its own loop instead of
``model.fit``:

- every epoch, images are translated by up to ``translate`` pixels and mirrored in alternation
  (:mod:`fusionlab.training.augment`), in NumPy, on the whole array at once;
- every step sets the learning rate of a one-cycle schedule (:class:`fusionlab.optim.OneCycle`),
  over steps or over a wall-clock budget; the batch norms' shifts learn
  ``bias_lr_scale`` times faster than the other weights;
- every ``lookahead_every`` steps, the weights and an exponential moving average of them are
  pulled together (:func:`lookahead_decay`): the weights restart from the average, whose memory
  grows as training ends. The model ends with the averaged weights.

It returns a :class:`fusionlab.history.History`, one record per epoch, as
:func:`fusionlab.training.fit` does. TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .._validation import check_float, check_int, check_random_state, check_X_y, error_message
from ..history import History
from ..optim.schedules import OneCycle
from .augment import alternating_flip, random_crop, reflect_pad
from .fit import _BUDGET_STEPS, _check_compiled, _check_validation_data


def lookahead_decay(progress: float, every: int = 5, *, base: float = 0.95) -> float:
    """Weight of the moving average at a lookahead update: ``base ** every * progress ** 3``.

    Near 0 early in training (the weights move freely), ``base ** every`` at the end (the
    average remembers the last few hundred steps).

    Parameters
    ----------
    progress : float
        Fraction of training done, clipped to [0, 1].
    every : int, default=5
        Steps between lookahead updates.
    base : float, default=0.95
        Per-step memory of the average at the end of training.

    Returns
    -------
    decay : float
        In ``[0, base ** every]``.

    See Also
    --------
    airbench's ``LookaheadState`` and hlb-CIFAR10 : the reference; Zhang et al. (2019) for Lookahead.
    """
    progress = min(max(float(progress), 0.0), 1.0)
    return float(base**every * progress**3)


def _check_fast_fit_inputs(model, X, y, validation_data, *, n_epochs, time_budget_s, batch_size, translate, flip,
                           lookahead_every, bias_lr_scale, warmup, final_learning_rate, verbose):
    """Validate everything :func:`fast_fit` takes; return ``X, y, validation`` (validation pixels in [0, 1])."""
    X, y = check_X_y(X, y, X_ndim=4, X_dtype=None)
    if X.dtype != np.uint8 and X.dtype.kind != "f":
        raise TypeError(error_message("X", "uint8 pixels or floats in [0, 1]", X.dtype, "Pass the dataset's uint8 images, or divide them by 255."))
    check_float(n_epochs, "n_epochs", low=0.0, low_inclusive=False, fix="Train for e.g. 10 epochs (a fraction is allowed).")
    if time_budget_s is not None:
        check_float(time_budget_s, "time_budget_s", low=0.0, low_inclusive=False, fix="Give seconds, e.g. 60.0, or None for no budget.")
    check_int(batch_size, "batch_size", low=1, high=len(y), fix=f"Use at most the {len(y)} training images, e.g. 256.")
    check_int(translate, "translate", low=0, high=min(X.shape[1], X.shape[2]) - 1, fix="Use e.g. 2 pixels, or 0 for none.")
    if not isinstance(flip, bool):
        raise TypeError(error_message("flip", "True or False", flip, "Use flip=False for digits or text."))
    if lookahead_every is not None:
        check_int(lookahead_every, "lookahead_every", low=1, fix="Use e.g. 5, or None to turn lookahead off.")
    check_float(bias_lr_scale, "bias_lr_scale", low=0.0, low_inclusive=False, fix="Use 1 for no scaling.")
    check_float(warmup, "warmup", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False, fix="Use e.g. 0.23.")
    check_float(final_learning_rate, "final_learning_rate", low=0.0, high=1.0, fix="Use e.g. 0.07 (a fraction of the peak).")
    check_int(verbose, "verbose", low=0, high=1)
    validation = _check_validation_data(validation_data, X_ndim=4)
    if validation is not None and validation[0].dtype == np.uint8:
        validation = (validation[0].astype("float32") / 255.0, validation[1])
    _check_compiled(model)
    return X, y, validation


def fast_fit(
    model,
    X,
    y,
    *,
    n_epochs: float = 10,
    time_budget_s: float | None = None,
    batch_size: int = 256,
    translate: int = 2,
    flip: bool = True,
    lookahead_every: int | None = 5,
    bias_lr_scale: float = 64.0,
    warmup: float = 0.23,
    final_learning_rate: float = 0.07,
    validation_data=None,
    random_state=0,
    verbose: int = 0,
) -> History:
    """Train a compiled Keras classifier with augmentation, a one-cycle schedule and lookahead.

    Parameters
    ----------
    model : keras.Model
        Compiled, outputs class probabilities; its optimizer's learning rate is the schedule's
        peak. :func:`fusionlab.models.build_fast_cnn` (after
        :func:`fusionlab.models.init_whitening`) is the intended model.
    X : ndarray of shape (n_images, height, width, channels)
        ``uint8`` pixels (augmented as bytes, divided by 255 batch by batch: the cheapest) or
        floats in ``[0, 1]``.
    y : ndarray of shape (n_images,)
        Integer labels.
    n_epochs : float, default=10
        Length of training in passes over ``X`` (a fraction is allowed); the schedule runs over
        its ``n_steps = round(n_epochs * (n_images // batch_size))`` steps. With
        ``time_budget_s``, the most epochs to run.
    time_budget_s : float, default=None
        Train for this many seconds instead (clock started before the first step, so graph
        building, augmentation and lookahead all count; validation does not); the schedule
        then runs over the budget.
    batch_size : int, default=256
        Images per step. Each epoch drops the last incomplete batch.
    translate : int, default=2
        Largest random shift in pixels (reflect padding); 0 turns it off.
    flip : bool, default=True
        Alternating horizontal flips. Right for photographs, wrong for digits.
    lookahead_every : int or None, default=5
        Steps between lookahead updates; ``None`` turns lookahead off.
    bias_lr_scale : float, default=64.0
        Learning-rate multiplier for the shifts (``beta``) of batch-norm layers.
    warmup : float, default=0.23
        Fraction of training spent warming the learning rate up, in (0, 1).
    final_learning_rate : float, default=0.07
        Learning rate at the end, as a fraction of the peak.
    validation_data : tuple (X_validation, y_validation), default=None
        Evaluated after each epoch (not timed as training). Never the test set.
    random_state : None, int or numpy.random.Generator, default=0
        Seeds the order, the crops and the flips. (Weight initialisation follows the builder's
        ``random_state``.)
    verbose : int, default=0
        1 prints one line per epoch.

    Returns
    -------
    history : fusionlab.history.History
        One record per epoch (the last may be partial: its ``epoch`` is then fractional), with
        ``step``, ``elapsed_s`` (training only), ``n_samples_seen`` and the metrics ``loss`` and
        ``accuracy`` (means over the epoch's batches), ``val_loss`` and ``val_accuracy`` (NaN
        without ``validation_data``), ``learning_rate`` (at the end of the epoch) and
        ``validation_time_s``; ``stopped_by`` is ``"epochs"`` or ``"time_budget"``.

    See Also
    --------
    fusionlab.training.fit : ``model.fit`` with a budget and a schedule, no augmentation.
    airbench's ``airbench94.py`` (Jordan, 2024) : the reference training loop, in PyTorch.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``) and ``benchmarks/cnn_cifar10.py``.
    """
    import keras
    import tensorflow as tf

    X, y, validation = _check_fast_fit_inputs(
        model, X, y, validation_data, n_epochs=n_epochs, time_budget_s=time_budget_s, batch_size=batch_size, translate=translate,
        flip=flip, lookahead_every=lookahead_every, bias_lr_scale=bias_lr_scale, warmup=warmup,
        final_learning_rate=final_learning_rate, verbose=verbose,
    )
    rng = check_random_state(random_state)
    optimizer = model.optimizer
    peak = float(optimizer.learning_rate.numpy())
    schedule = OneCycle(peak, _BUDGET_STEPS, warmup=warmup, final=final_learning_rate * peak)  # read at progress * _BUDGET_STEPS
    variables = list(model.trainable_variables)  # (the whitening filters are not trainable)
    shifts = {id(layer.beta) for layer in model._flatten_layers() if isinstance(layer, keras.layers.BatchNormalization) and layer.center}
    gradient_scales = [bias_lr_scale if id(variable) in shifts else 1.0 for variable in variables]
    optimizer.build(variables)
    scale = 1.0 / 255.0 if X.dtype == np.uint8 else 1.0

    @tf.function(reduce_retracing=True)
    def train_step(images, labels, learning_rate):
        images = tf.cast(images, "float32") * scale  # (batch, h, w, c) in [0, 1]
        with tf.GradientTape() as tape:
            probabilities = model(images, training=True)  # (batch, n_classes)
            loss = model.compute_loss(x=images, y=labels, y_pred=probabilities)
        gradients = tape.gradient(loss, variables)
        gradients = [g * s if s != 1.0 else g for g, s in zip(gradients, gradient_scales)]
        optimizer.learning_rate.assign(learning_rate)
        optimizer.apply_gradients(zip(gradients, variables))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(probabilities, axis=-1), tf.cast(labels, "int64")), "float32"))
        return loss, correct

    averaged = [v for v in model.variables if v.dtype in ("float32", "float64")]  # weights and batch-norm statistics
    averages = [tf.Variable(tf.convert_to_tensor(v), trainable=False) for v in averaged] if lookahead_every else []

    @tf.function
    def lookahead(decay):
        for average, variable in zip(averages, averaged):
            average.assign(decay * average + (1.0 - decay) * tf.convert_to_tensor(variable))
            variable.assign(average)

    n_images = len(y)
    X_padded = reflect_pad(X, translate) if translate else X
    flipped_first = rng.random(n_images) < 0.5
    steps_per_epoch = n_images // batch_size
    n_steps = max(1, int(round(n_epochs * steps_per_epoch)))
    history = History(stopped_by="epochs")
    start, validation_s = time.perf_counter(), 0.0

    def training_s() -> float:
        return time.perf_counter() - start - validation_s

    step, epoch, n_seen = 0, 0, 0
    try:
        while step < n_steps:
            images = random_crop(X_padded, translate, rng) if translate else X.copy()
            if flip:
                alternating_flip(images, epoch, flipped_first)
            order = rng.permutation(n_images)
            losses, n_correct, n_batches = 0.0, 0.0, 0
            for batch in range(steps_per_epoch):
                progress = training_s() / time_budget_s if time_budget_s is not None else step / n_steps
                if progress >= 1.0 or step >= n_steps:
                    break
                chosen = order[batch * batch_size:(batch + 1) * batch_size]
                loss, correct = train_step(images[chosen], y[chosen], np.float32(schedule(progress * _BUDGET_STEPS)))
                losses, n_correct, n_batches, step = losses + float(loss), n_correct + float(correct), n_batches + 1, step + 1
                if lookahead_every and step % lookahead_every == 0:
                    lookahead(np.float32(lookahead_decay(progress, lookahead_every)))
            out_of_time = time_budget_s is not None and training_s() >= time_budget_s
            if (out_of_time or step >= n_steps) and lookahead_every:
                lookahead(np.float32(1.0))  # end on the averaged weights
            elapsed_s, n_seen = training_s(), n_seen + n_batches * batch_size
            record = _validate(model, validation, batch_size)
            validation_s += record["validation_time_s"]
            history.record(epoch=n_seen / n_images, step=step, elapsed_s=elapsed_s, n_samples_seen=n_seen,
                           loss=losses / max(n_batches, 1), accuracy=n_correct / (n_batches * batch_size) if n_batches else math.nan,
                           learning_rate=float(optimizer.learning_rate.numpy()), **record)
            if verbose:
                print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.4f}, accuracy {history['accuracy'][-1]:.3f}, "
                      f"validation accuracy {record['val_accuracy']:.3f}, {elapsed_s:.1f} s", flush=True)
            epoch += 1
            if out_of_time:
                history.stopped_by = "time_budget"
                break
    finally:
        optimizer.learning_rate.assign(peak)
    return history


def _validate(model, validation, batch_size: int) -> dict:
    """The validation metrics of one record, NaN without validation data, and their seconds."""
    if validation is None:
        return {"val_loss": math.nan, "val_accuracy": math.nan, "validation_time_s": 0.0}
    start = time.perf_counter()
    logs = model.evaluate(*validation, batch_size=max(batch_size, 500), verbose=0, return_dict=True)
    return {
        "val_loss": float(logs["loss"]),
        "val_accuracy": float(next((v for k, v in logs.items() if k.endswith("accuracy")), math.nan)),
        "validation_time_s": time.perf_counter() - start,
    }
