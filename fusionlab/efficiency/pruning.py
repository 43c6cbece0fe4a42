"""Magnitude pruning: zero the smallest weights, keep them zero while the rest fine-tune.

Over the prunable weights (``Dense`` and ``Conv2D`` kernels; biases are kept) the mask keeps
the ``(1 - s)`` share of the largest ``|w|`` and zeroes the rest:

    m_j = 1  if |w_j| ranks among the largest (1 - s) n,  else 0;     w <- m * w.

The ranking is global by default (one threshold for all kernels, so a layer with many
redundant weights, like the article's 1,024 x 64 dense layer, gives up more than the first
convolution's 864) or per layer (``scope="layer"``, each kernel at the same sparsity).

Fine-tuning then trains the surviving weights; a Keras callback (:func:`mask_callback`)
multiplies every kernel by its mask after each training step, so a pruned weight is exactly
zero whenever a step ends (Han et al. 2015 prune, then retrain; Zhu & Gupta 2017 prune in
steps). ``tensorflow-model-optimization`` does this for ``tf_keras`` (Keras 2) models only:
its 0.8.1 release requires ``tf-keras`` and rejects a Keras 3 model, so fusionlab keeps its
own 60 lines. Used in chapter 5.4.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice, check_float, error_message

__all__ = ["apply_masks", "magnitude_masks", "mask_callback", "prunable_layers", "prune_in_steps", "sparsity"]

_PRUNABLE = ("Dense", "Conv2D")


def prunable_layers(model) -> list:
    """The layers whose kernels are pruned: every ``Dense`` and ``Conv2D`` layer, in order."""
    return [layer for layer in model.layers if type(layer).__name__ in _PRUNABLE]


def magnitude_masks(model, target_sparsity: float, *, scope: str = "global", previous=None) -> dict:
    """Masks that zero the ``target_sparsity`` share of smallest-magnitude kernel weights.

    Parameters
    ----------
    model : keras.Model
    target_sparsity : float in [0, 1)
        Share of the weights to zero.
    scope : {"global", "layer"}, default="global"
        Rank all kernels' weights together, or each kernel on its own.
    previous : dict or None, default=None
        Masks of an earlier, lower sparsity: weights they removed stay removed (pruning in
        steps, e.g. 50% then 80% then 90%).

    Returns
    -------
    masks : dict of layer name -> ndarray of bool, the kernel's shape
        ``True`` where the weight is kept.
    """
    target_sparsity = check_float(target_sparsity, "target_sparsity", low=0.0, high=1.0, high_inclusive=False,
                                  fix="Use e.g. 0.5, 0.8 or 0.9.")
    scope = check_choice(scope, "scope", ("global", "layer"))
    layers = prunable_layers(model)
    if not layers:
        raise ValueError(error_message("model", "a model with Dense or Conv2D layers", model.name, "Nothing to prune."))
    magnitudes = {}
    for layer in layers:
        kernel = np.abs(np.asarray(layer.kernel, dtype=np.float64))
        if previous is not None and layer.name in previous:
            kernel = np.where(previous[layer.name], kernel, -1.0)  # already pruned: smallest of all
        magnitudes[layer.name] = kernel
    groups = [list(magnitudes)] if scope == "global" else [[name] for name in magnitudes]
    masks = {}
    for names in groups:
        flat = np.concatenate([magnitudes[name].ravel() for name in names])
        keep = np.ones(flat.size, dtype=bool)
        keep[np.argsort(flat, kind="stable")[: int(round(target_sparsity * flat.size))]] = False  # smallest first
        for name, part in zip(names, np.split(keep, np.cumsum([magnitudes[name].size for name in names])[:-1])):
            masks[name] = part.reshape(magnitudes[name].shape)
    return masks


def apply_masks(model, masks: dict) -> None:
    """Multiply each kernel by its mask, in place."""
    for layer in prunable_layers(model):
        if layer.name in masks:
            layer.kernel.assign(np.asarray(layer.kernel) * masks[layer.name])


def sparsity(model) -> float:
    """Share of exactly-zero weights over all prunable kernels."""
    kernels = [np.asarray(layer.kernel) for layer in prunable_layers(model)]
    return float(sum(np.sum(kernel == 0) for kernel in kernels) / sum(kernel.size for kernel in kernels))


def mask_callback(masks: dict):
    """A Keras callback that re-applies ``masks`` after every training batch.

    The optimizer still computes updates for pruned weights (and Adam keeps moments for them);
    the callback sets them back to exactly zero before the next batch reads them.
    """
    import keras

    as_float = {name: mask.astype("float32") for name, mask in masks.items()}

    class KeepMasks(keras.callbacks.Callback):
        def _apply(self):
            for layer in prunable_layers(self.model):
                if layer.name in as_float:
                    layer.kernel.assign(layer.kernel * as_float[layer.name])

        def on_train_begin(self, logs=None):
            self._apply()

        def on_train_batch_end(self, batch, logs=None):
            self._apply()

    return KeepMasks()


def _copy(model, learning_rate: float):
    """A fresh, compiled copy of ``model`` with the same weights (Adam at ``learning_rate``)."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return copy


def prune_in_steps(model, X, y, sparsities=(0.5, 0.8, 0.9), *, scope: str = "global", epochs: int = 1, batch_size: int = 64,
                   learning_rate: float = 5e-4, random_state=0) -> dict:
    """Prune copies of a trained model to rising sparsities, fine-tuning each with its masks kept.

    Each step starts from the previous step's fine-tuned copy, so the weights removed at 50%
    stay removed at 80% and 90% (gradual pruning). ``model`` itself is left untouched.

    Parameters
    ----------
    model : keras.Model
        Trained, with integer-label outputs (sparse categorical cross-entropy).
    X, y : ndarray
        Fine-tuning data (training images, never the test set).
    sparsities : sequence of float, default=(0.5, 0.8, 0.9)
        Increasing shares of zero weights.
    scope : {"global", "layer"}, default="global"
        See :func:`magnitude_masks`.
    epochs : int, default=1
        Fine-tuning epochs per step (0: prune only).
    batch_size : int, default=64
    learning_rate : float, default=5e-4
        Adam's learning rate for fine-tuning (below training's 1e-3: the weights are close).
    random_state : None, int or Generator, default=0
        Shuffles the fine-tuning data.

    Returns
    -------
    pruned : dict of float -> (keras.Model, masks)
        For each sparsity, the fine-tuned copy and its masks.
    """
    from .._validation import check_int, check_random_state, check_X_y

    X, y = check_X_y(X, y, X_ndim=None, X_dtype=np.float32)
    epochs = check_int(epochs, "epochs", low=0)
    batch_size = check_int(batch_size, "batch_size", low=1)
    values = [check_float(s, "sparsities[i]", low=0.0, high=1.0, high_inclusive=False) for s in sparsities]
    if not values or values != sorted(values):
        raise ValueError(error_message("sparsities", "a non-empty increasing sequence in [0, 1)", tuple(sparsities), "Use e.g. (0.5, 0.8, 0.9)."))
    rng = check_random_state(random_state)
    pruned, current, masks = {}, model, None
    for target in values:
        current = _copy(current, learning_rate)
        masks = magnitude_masks(current, target, scope=scope, previous=masks)
        apply_masks(current, masks)
        for _ in range(epochs):
            order = rng.permutation(len(y))
            current.fit(X[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[mask_callback(masks)])
        pruned[target] = (current, masks)
    return pruned
