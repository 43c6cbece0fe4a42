"""Custom Keras losses, registered with Keras where they are defined, so ``.keras`` files reload.

This module imports Keras at the top: the package imports it only inside the builders that need
it (:func:`fusionlab.models.build_improved_cnn`) and in :func:`fusionlab.training.load_model`.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="fusionlab")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy between label-smoothed one-hot targets and predicted probabilities.

    Parameters
    ----------
    n_classes : int
        Number of classes; integer labels ``y_true`` are one-hot encoded to this width.
    label_smoothing : float, default=0.1
        Share of the target's mass spread evenly over all classes.

    See Also
    --------
    keras.losses.CategoricalCrossentropy : the same loss on one-hot labels (``label_smoothing``).
    """

    def __init__(self, n_classes, label_smoothing=0.1, name="smoothed_sparse_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_classes = int(n_classes)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))  # (batch,)
        one_hot = ops.one_hot(labels, self.n_classes)  # (batch, n_classes)
        return keras.losses.categorical_crossentropy(one_hot, y_pred, label_smoothing=self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes, "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="fusionlab")
class DistillationLoss(keras.losses.Loss):
    """Knowledge distillation's loss (Hinton, Vinyals & Dean 2015) for a student ending in a softmax.

    ``alpha * CE(y, q) + (1 - alpha) * T^2 * KL(softmax(v / T) || softmax(log q / T))``, where
    ``q`` is the student's probabilities and ``v`` the teacher's log-probabilities (logits up to a
    constant per image, which softmax ignores). ``y_true`` has shape (batch, 1 + n_classes): the
    integer label, then the teacher's log-probabilities. ``alpha=1`` is plain cross-entropy.

    Parameters
    ----------
    temperature : float, default=4.0
    alpha : float, default=0.5
        Weight of the labels' cross-entropy, in [0, 1].

    See Also
    --------
    fusionlab.efficiency.distill : trains a student with it (chapter 5.4).
    keras-io "Knowledge Distillation" example : the same loss in a custom ``train_step``.
    """

    def __init__(self, temperature=4.0, alpha=0.5, name="distillation", **kwargs):
        super().__init__(name=name, **kwargs)
        self.temperature = float(temperature)
        self.alpha = float(alpha)

    def call(self, y_true, y_pred):
        labels = ops.cast(y_true[:, 0], "int32")  # (batch,)
        student_logits = ops.log(ops.clip(y_pred, 1e-7, 1.0))  # (batch, n_classes)
        hard = -ops.sum(ops.one_hot(labels, ops.shape(y_pred)[-1]) * student_logits, axis=-1)  # cross-entropy
        if self.alpha == 1.0:
            return hard
        teacher_soft = ops.log_softmax(y_true[:, 1:] / self.temperature, axis=-1)  # (batch, n_classes)
        student_soft = ops.log_softmax(student_logits / self.temperature, axis=-1)
        kl = ops.sum(ops.exp(teacher_soft) * (teacher_soft - student_soft), axis=-1)  # KL(p_T || q_T)
        return self.alpha * hard + (1.0 - self.alpha) * self.temperature ** 2 * kl

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature, "alpha": self.alpha}


__all__ = ["DistillationLoss", "SmoothedSparseCrossentropy"]
