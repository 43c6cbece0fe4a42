"""Cheap image augmentation in NumPy, and test-time augmentation by mirroring.

Training-time: random translations by reflect-padding once and cropping every epoch, and
airbench's *alternating* horizontal flips (a fixed random half of the images is mirrored on even
epochs, the other half on odd epochs, so every image is seen both ways every two epochs).
Done on whole ``uint8`` arrays once per epoch, this costs a fraction of a second on CIFAR-10;
Keras's ``RandomTranslation`` layer, which resamples every batch with a projective transform,
costs more than the convolutions of a small model on a CPU.

Test-time: :func:`predict_with_flips` averages the predicted probabilities of each image and of
its mirror image.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_int, check_random_state, error_message


def reflect_pad(X, pad: int):
    """Pad the height and width of images by ``pad`` pixels, mirroring the border.

    Parameters
    ----------
    X : ndarray of shape (n_images, height, width, channels)
    pad : int
        Pixels added on each side (>= 0, less than the sides).

    Returns
    -------
    X_padded : ndarray of shape (n_images, height + 2 pad, width + 2 pad, channels)
        Same dtype as ``X``.
    """
    X = check_array(X, "X", ndim=4, dtype=None)
    pad = check_int(pad, "pad", low=0, high=min(X.shape[1], X.shape[2]) - 1, fix="Use a few pixels, e.g. 2.")
    if pad == 0:
        return X
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")


def random_crop(X_padded, pad: int, rng):
    """Crop every padded image back to its original size at a random offset: a random translation.

    Each image moves by ``(dy, dx)``, both drawn uniformly from ``{-pad, ..., pad}``.

    Parameters
    ----------
    X_padded : ndarray of shape (n_images, height + 2 pad, width + 2 pad, channels)
        From :func:`reflect_pad`.
    pad : int
    rng : numpy.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_images, height, width, channels)
        A new array, same dtype.
    """
    X_padded = check_array(X_padded, "X_padded", ndim=4, dtype=None)
    pad = check_int(pad, "pad", low=0, fix="Pass the pad given to reflect_pad.")
    height, width = X_padded.shape[1] - 2 * pad, X_padded.shape[2] - 2 * pad
    if height < 1 or width < 1:
        raise ValueError(error_message("pad", f"less than half the padded side ({X_padded.shape[1]})", pad, "Pass the pad given to reflect_pad."))
    rng = check_random_state(rng, "rng")
    n_offsets = 2 * pad + 1
    offset = rng.integers(0, n_offsets * n_offsets, size=len(X_padded))  # (n_images,) one of n_offsets**2 crops
    out = np.empty((len(X_padded), height, width, X_padded.shape[3]), dtype=X_padded.dtype)
    for code in range(n_offsets * n_offsets):  # one vectorised copy per offset
        chosen = np.flatnonzero(offset == code)
        top, left = divmod(code, n_offsets)
        out[chosen] = X_padded[chosen, top:top + height, left:left + width]
    return out


def alternating_flip(X, epoch: int, flipped_first):
    """Mirror the images of ``flipped_first`` on even epochs and all the others on odd epochs.

    Parameters
    ----------
    X : ndarray of shape (n_images, height, width, channels)
        Modified in place and returned.
    epoch : int
        0-based epoch number.
    flipped_first : ndarray of shape (n_images,), dtype bool
        The images mirrored in epoch 0 (draw it once per training run, e.g. with probability 1/2).

    Returns
    -------
    X : ndarray
        The same array.
    """
    epoch = check_int(epoch, "epoch", low=0)
    flipped_first = check_array(flipped_first, "flipped_first", ndim=1, dtype=None)
    if flipped_first.dtype != bool or len(flipped_first) != len(X):
        raise ValueError(error_message("flipped_first", f"a boolean array of length {len(X)}", f"{flipped_first.dtype} array of length {len(flipped_first)}", "Draw it once with rng.random(n_images) < 0.5."))
    mirrored = np.flatnonzero(flipped_first ^ bool(epoch % 2))
    X[mirrored] = X[mirrored, :, ::-1]  # (n_mirrored, height, width, channels), left-right
    return X


def predict_with_flips(model, X, *, batch_size: int = 1000):
    """Test-time augmentation: average the predicted probabilities of each image and its mirror.

    Parameters
    ----------
    model : keras.Model
        Outputs class probabilities.
    X : ndarray of shape (n_images, height, width, channels)
        Prepared as for ``model.predict``.
    batch_size : int, default=1000

    Returns
    -------
    probabilities : ndarray of shape (n_images, n_classes)
        ``(model.predict(X) + model.predict(X[:, :, ::-1])) / 2``.

    See Also
    --------
    airbench's ``infer_mirror`` : the reference; Krizhevsky et al. (2012) averaged ten crops.
    """
    X = check_array(X, "X", ndim=4, dtype=None)
    batch_size = check_int(batch_size, "batch_size", low=1, fix="Try 1000.")
    plain = model.predict(X, batch_size=batch_size, verbose=0)  # (n_images, n_classes)
    mirrored = model.predict(np.ascontiguousarray(X[:, :, ::-1]), batch_size=batch_size, verbose=0)
    return (plain + mirrored) / 2.0
