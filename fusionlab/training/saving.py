"""Saving and loading Keras models in the native ``.keras`` format (no pickle)."""

from __future__ import annotations

from pathlib import Path

from .._validation import error_message


def save_model(model, path) -> Path:
    """Save a Keras model in the native ``.keras`` format (architecture, weights, optimizer state).

    Parameters
    ----------
    model : keras.Model
    path : str or pathlib.Path
        Must end in ``.keras``; missing parent folders are created.

    Returns
    -------
    path : pathlib.Path

    See Also
    --------
    keras.Model.save : the reference implementation.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(error_message("path", "a file name ending in '.keras'", str(path), f"Use e.g. {path.with_suffix('.keras').name!r}."))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def load_model(path):
    """Load a model saved by :func:`save_model`, including fusionlab's custom loss.

    Parameters
    ----------
    path : str or pathlib.Path
        An existing ``.keras`` file.

    Returns
    -------
    model : keras.Model
        Compiled as it was saved.

    See Also
    --------
    keras.saving.load_model : the reference implementation (``safe_mode`` stays on).
    """
    import keras

    from ..models import losses  # noqa: F401 - importing it registers fusionlab's losses with Keras

    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(error_message("path", "a file name ending in '.keras'", str(path), "Save models with fusionlab.training.save_model."))
    if not path.is_file():
        raise FileNotFoundError(error_message("path", "an existing .keras file", str(path), "Check the folder, or save the model first."))
    return keras.saving.load_model(path)
