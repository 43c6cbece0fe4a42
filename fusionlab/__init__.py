"""fusionlab: the computation behind *Deep learning meets large-scale machine learning*.

The notebooks stay thin and import from here; :func:`glue_all` hands the numbers their prose
quotes to the book. Submodules are imported on first use, and TensorFlow only by the modules
that need it, so ``import fusionlab`` is fast. The package's conventions (names, the two API
styles, errors, randomness, where code lives) are the book's appendix page ``book/conventions.md``.

Submodules
----------
history     History: the one record of a training run (per-epoch metrics, seconds, samples/s)
data        datasets: registry and cache, CIFAR-10, MovieLens-100K, digits, synthetic ratings
optim       from-scratch optimisers on NumPy (no TensorFlow)
nn          from-scratch multi-layer network with backprop (no TensorFlow)
forests     random forests through scikit-learn: trees vs accuracy, OOB, n_jobs speed-up
models      Keras model builders (MLP, the article's CNN, an improved CNN)
training    seeded splits, fit with per-epoch timing, saving and loading
evaluate    classification reports, cross-validation, learning curves, calibration
pipeline    the five-step fusion pipeline (scikit-learn + scikeras, hybrid models)
recsys      collaborative filtering: baselines, neighbours, matrix factorisation, NeuMF, metrics
scale       out-of-core learning, Dask, tf.distribute, stale and large-batch SGD, communication costs
explain     attribution maps, the randomisation sanity check, tabular importances, why a recommendation
privacy     DP-SGD with dp-accounting, membership inference, federated averaging, adversarial examples
efficiency  what a model costs (parameters, multiply-adds, bytes, latency); quantisation, pruning, distillation
multimodal  ratings with content and side information: factorisation machine, early and late fusion, cold start
bibliography  the article's reference list, parsed and matched against the book's bibliography
plotting    every figure the book shows
results     full-size results files (book/results/*.json): write, validate, load, quote
"""

from __future__ import annotations

import importlib
import os
import random

from ._validation import check_choice, check_int

__version__ = "0.1.0"

#: Environment variable that switches every notebook between its two sizes.
SIZE_VARIABLE = "FUSIONLAB_SIZE"
SIZES = ("classroom", "full")

_SUBMODULES = {
    "history", "data", "optim", "nn", "forests", "models", "training", "evaluate", "pipeline", "recsys",
    "scale", "explain", "privacy", "efficiency", "multimodal", "bibliography", "plotting", "results",
}


def course_size() -> str:
    """Return the run size chosen by the ``FUSIONLAB_SIZE`` environment variable.

    ``"classroom"`` (the default) keeps each notebook within 90 s on a 2-core laptop;
    ``"full"`` runs the published book's full-size experiments.

    Examples
    --------
    >>> import os; os.environ.pop("FUSIONLAB_SIZE", None) and None
    >>> course_size()
    'classroom'
    """
    value = os.environ.get(SIZE_VARIABLE, "classroom").strip().lower() or "classroom"
    return check_choice(
        value, SIZE_VARIABLE, SIZES, fix=f"Set {SIZE_VARIABLE}=classroom (default) or {SIZE_VARIABLE}=full."
    )


def set_seed(seed: int = 0, *, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy and Keras/TensorFlow, once, at the top of a notebook.

    Library functions never use these global generators: they take ``random_state``.
    This exists so that notebook code, and Keras weight initialisation and shuffling,
    repeat exactly.

    Parameters
    ----------
    seed : int, default=0
        Non-negative seed.
    deterministic_ops : bool, default=True
        Also ask TensorFlow for deterministic kernels (same seed, same numbers, at a small
        cost in speed). Only applied when TensorFlow is installed.

    """
    seed = check_int(seed, "seed", low=0, high=2**32 - 1, fix="Use a small non-negative int such as 0.")
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)  # notebooks only; the library itself takes random_state
    try:
        import keras
    except ImportError:  # pragma: no cover - TensorFlow is a hard dependency
        return
    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def glue_all(**values) -> None:
    """Glue every keyword argument for the book's prose, hidden where the cell runs.

    ``glue_all(acc_linear=0.85, n_test=450)`` is ``myst_nb.glue(name, value, display=False)``
    for each pair; the prose then cites ``{glue:text}`acc_linear:.1%``` (see Jupyter Book's
    "glue" documentation). myst-nb is imported here, only when a notebook calls it.

    Parameters
    ----------
    **values
        ``name=value`` pairs; NumPy scalars are stored as Python numbers.
    """
    from myst_nb import glue

    for name, value in values.items():
        glue(name, value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value, display=False)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'fusionlab' has no attribute {name!r}")


__all__ = ["SIZES", "SIZE_VARIABLE", "course_size", "glue_all", "set_seed", "__version__"]
