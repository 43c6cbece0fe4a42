"""Knowledge distillation (Hinton, Vinyals & Dean 2015): a small student learns from a teacher's
softened probabilities as well as from the labels.

With teacher logits ``v``, student logits ``z`` and temperature ``T``, the softened
distributions are ``p_T = softmax(v / T)`` and ``q_T = softmax(z / T)``; the student minimises

    L = alpha * CE(y, softmax(z)) + (1 - alpha) * T^2 * KL(p_T || q_T).

``T^2`` keeps the soft term's gradients on the scale of the hard term's when ``T`` changes.
``alpha = 1`` is ordinary training on labels, so the labels-only baseline runs through the same
code, with the same initial weights and the same shuffles.

The teacher's outputs are computed once, before training (it is frozen and sees clean images),
and travel with the labels as the targets ``[label, teacher log-probabilities]``: one Keras loss,
plain ``model.fit``, no custom training step. A softmax output's log is a logit up to a constant
per image, which softmax ignores, so students and teachers may end in a softmax layer.

The teacher is built and trained by one function, :func:`train_teacher` (today the improved CNN
of chapter 4.1); change that function to change the teacher everywhere. Used in chapter 5.4.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float, check_int, check_random_state, check_X_y, error_message

__all__ = ["distill", "distillation_loss", "initialise_weights", "teacher_log_probabilities", "train_teacher"]


def train_teacher(X, y, *, validation_data=None, epochs: int = 10, widths=(32, 64, 128), flip: bool = True, batch_size: int = 64):
    """Build and train the teacher: chapter 4.1's improved CNN with its one-cycle schedule.

    The one place that says which model teaches (switch it here).

    Returns
    -------
    teacher : keras.Model
    history : fusionlab.history.History
    """
    from ..models import build_improved_cnn
    from ..training import fit

    X, y = check_X_y(X, y, X_ndim=4, X_dtype=np.float32)
    teacher = build_improved_cnn(X.shape[1:], int(y.max()) + 1, widths=widths, flip=flip, name="teacher")
    history = fit(teacher, X, y, validation_data=validation_data, epochs=epochs, batch_size=batch_size, schedule="one_cycle")
    return teacher, history


def teacher_log_probabilities(teacher, X, *, batch_size: int = 256) -> np.ndarray:
    """The teacher's log-probabilities on clean images, shape (n_images, n_classes), float32."""
    probabilities = np.asarray(teacher.predict(np.asarray(X, dtype=np.float32), batch_size=batch_size, verbose=0), dtype=np.float64)
    return np.log(np.clip(probabilities, 1e-12, 1.0)).astype(np.float32)


def distillation_loss(temperature: float = 4.0, alpha: float = 0.5):
    """The Keras loss ``alpha * CE + (1 - alpha) * T^2 * KL(p_T || q_T)`` for a softmax student
    (:class:`fusionlab.models.losses.DistillationLoss`, checked parameters).

    ``y_true`` has shape (batch, 1 + n_classes): the integer label, then the teacher's
    log-probabilities; ``y_pred`` is the student's probabilities, shape (batch, n_classes).
    """
    from ..models.losses import DistillationLoss

    temperature = check_float(temperature, "temperature", low=0.0, low_inclusive=False, fix="Try T=4.")
    alpha = check_float(alpha, "alpha", low=0.0, high=1.0, fix="alpha=1 trains on labels only; 0 on the teacher only.")
    return DistillationLoss(temperature, alpha)


def initialise_weights(model, random_state=0) -> None:
    """Draw the kernels of ``Dense`` and ``Conv2D`` layers afresh (Glorot uniform, Keras's default)
    and zero the biases, from ``random_state``: one seed, one student, without Keras's global seed."""
    rng = check_random_state(random_state)
    for layer in model.layers:
        if type(layer).__name__ not in ("Dense", "Conv2D"):
            continue
        shape = tuple(layer.kernel.shape)
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        layer.kernel.assign(rng.uniform(-limit, limit, size=shape).astype("float32"))
        if layer.bias is not None:
            layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype="float32"))


def distill(student, X, y, teacher_log_probs=None, *, temperature: float = 4.0, alpha: float = 0.5, epochs: int = 5,
            batch_size: int = 64, learning_rate: float = 1e-3, random_state=0):
    """Train ``student`` on labels and, when given, the teacher's soft targets; return its History.

    Parameters
    ----------
    student : keras.Model
        Ends in a softmax over the classes; it is re-initialised from ``random_state``
        (:func:`initialise_weights`) and compiled here with Adam.
    X : ndarray of shape (n_images, height, width, channels)
    y : ndarray of shape (n_images,)
        Integer labels.
    teacher_log_probs : ndarray of shape (n_images, n_classes) or None, default=None
        From :func:`teacher_log_probabilities` on the same ``X``. ``None`` trains on labels
        only (``alpha`` is then 1).
    temperature : float, default=4.0
    alpha : float, default=0.5
        Weight of the labels' cross-entropy.
    epochs, batch_size : int, default=5, 64
    learning_rate : float, default=1e-3
    random_state : None, int or Generator, default=0
        Initial weights and the shuffles.

    Returns
    -------
    history : fusionlab.history.History
        The training loss per epoch.

    See Also
    --------
    keras-io "Knowledge Distillation" example : the same loss in a custom ``train_step``.
    """
    import keras

    from ..history import History

    X, y = check_X_y(X, y, X_ndim=4, X_dtype=np.float32)
    epochs = check_int(epochs, "epochs", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False)
    n_classes = int(student.output_shape[-1])
    if teacher_log_probs is None:
        alpha, teacher_log_probs = 1.0, np.zeros((len(y), n_classes), dtype=np.float32)
    teacher_log_probs = np.asarray(teacher_log_probs, dtype=np.float32)
    if teacher_log_probs.shape != (len(y), n_classes):
        raise ValueError(error_message("teacher_log_probs", f"an array of shape {(len(y), n_classes)} (images, classes)",
                                       f"shape {teacher_log_probs.shape}", "Compute it with teacher_log_probabilities(teacher, X) on the same X."))
    rng = check_random_state(random_state)
    initialise_weights(student, rng)
    student.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=distillation_loss(temperature, alpha))
    targets = np.concatenate([y[:, None].astype(np.float32), teacher_log_probs], axis=1)  # (n, 1 + n_classes)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        keras_history = student.fit(X[order], targets[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        losses.append(float(keras_history.history["loss"][-1]))
    return History.from_epochs(loss=losses)
