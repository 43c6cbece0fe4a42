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


__all__ = ["SmoothedSparseCrossentropy"]
