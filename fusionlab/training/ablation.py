"""An ablation: the same model with one ingredient removed at a time, trained on the same budget.

:func:`ablate` builds one model per variant (keyword arguments of a builder such as
:func:`fusionlab.models.build_improved_cnn`; see :data:`fusionlab.models.IMPROVED_CNN_ABLATIONS`),
trains each with :func:`fusionlab.training.fit` on the same data, epochs and schedule, from the
same global seed, and measures test accuracy. The first variant is the reference; each row
says how much accuracy the removal cost. TensorFlow is imported by the builder, not here.
Used in chapter 4.1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .._validation import check_X_y, error_message
from .fit import fit


def ablate(
    build: Callable,
    variants: Mapping[str, dict],
    X,
    y,
    X_test,
    y_test,
    *,
    epochs: int = 5,
    batch_size: int = 32,
    schedule: str = "one_cycle",
    random_state: int = 0,
) -> list[dict]:
    """Train ``build(**variant)`` for every variant on the same budget; return one row per variant.

    Parameters
    ----------
    build : callable
        ``build(**kwargs) -> keras.Model``, compiled with an ``"accuracy"`` metric (e.g.
        ``functools.partial(build_improved_cnn, input_shape, n_classes, widths=(16, 32, 64))``).
    variants : mapping of str to dict
        Name -> keyword arguments of ``build``. The first is the reference (usually ``{}``: the
        whole model).
    X : ndarray of shape (n_samples, height, width, channels)
        Training images in ``[0, 1]``.
    y : ndarray of shape (n_samples,)
        Integer labels.
    X_test, y_test : ndarrays
        Held-out images and labels the accuracy is measured on.
    epochs : int, default=5
        Epochs of every variant (the same budget for all).
    batch_size : int, default=32
    schedule : str, default="one_cycle"
        Learning-rate schedule of :func:`fusionlab.training.fit`.
    random_state : int, default=0
        Global seed set before each build (:func:`fusionlab.set_seed`: same initial weights
        where the layers agree, same augmentation and dropout draws) and shuffling seed.

    Returns
    -------
    rows : list of dict
        In the order of ``variants``: ``model`` (the name), ``parameters``, ``test_accuracy``,
        ``accuracy_drop`` (the reference's test accuracy minus this one's; 0 for the reference),
        ``train_s`` (seconds of training passes) and ``final_train_accuracy``.

    See Also
    --------
    fusionlab.training.fit : the training loop every variant goes through.

    Notes
    -----
    Used in chapter 4.1 (notebook ``04_1_cnn_image_recognition``).
    """
    from .. import set_seed

    if not callable(build):
        raise TypeError(error_message("build", "a callable returning a compiled keras.Model", build, "Pass e.g. functools.partial(build_improved_cnn, shape, n_classes)."))
    if not isinstance(variants, Mapping) or not variants or not all(isinstance(v, dict) for v in variants.values()):
        raise TypeError(error_message("variants", "a non-empty mapping of name -> dict of builder arguments", variants,
                                      "Pass e.g. fusionlab.models.IMPROVED_CNN_ABLATIONS."))
    X_test, y_test = check_X_y(X_test, y_test, X_name="X_test", y_name="y_test", X_ndim=None, X_dtype=None)
    rows = []
    for name, kwargs in variants.items():
        set_seed(random_state)
        model = build(**kwargs)
        history = fit(model, X, y, epochs=epochs, batch_size=batch_size, schedule=schedule, random_state=random_state)
        predicted = model.predict(X_test, batch_size=256, verbose=0).argmax(axis=1)  # (n_test,)
        rows.append({
            "model": name,
            "parameters": int(model.count_params()),
            "test_accuracy": float(np.mean(predicted == y_test)),
            "train_s": float(history.train_time_s),
            "final_train_accuracy": float(history["accuracy"][-1]),
        })
    for row in rows:
        row["accuracy_drop"] = rows[0]["test_accuracy"] - row["test_accuracy"]
    return rows
