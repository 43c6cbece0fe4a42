"""A multi-layer perceptron builder (chapter 1 and every chapter that needs a small network)."""

from __future__ import annotations

from collections.abc import Sequence

from .._validation import check_choice, check_float, check_int, error_message

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu")


def build_mlp(
    n_features: int,
    n_classes: int,
    *,
    hidden_units: Sequence[int] = (32, 32),
    activation: str = "relu",
    dropout: float = 0.0,
    learning_rate: float = 1e-2,
    name: str = "mlp",
):
    """Build and compile a fully connected classifier.

    ``Input(n_features) -> [Dense(units, activation) -> Dropout]* -> Dense(n_classes, softmax)``,
    compiled with Adam and sparse categorical cross-entropy, reporting accuracy.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_classes : int
        Number of classes (>= 2); labels are integers in ``[0, n_classes)``.
    hidden_units : sequence of int, default=(32, 32)
        Width of each hidden layer. An empty sequence gives multinomial logistic regression.
    activation : {"relu", "tanh", "sigmoid", "gelu"}, default="relu"
    dropout : float, default=0.0
        Dropout rate after each hidden layer, in [0, 1).
    learning_rate : float, default=1e-2
        Adam's step size.
    name : str, default="mlp"

    Returns
    -------
    model : keras.Model
        Compiled; ``model.predict(X)`` returns class probabilities of shape ``(n_samples, n_classes)``.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : the scikit-learn counterpart.

    Notes
    -----
    Used in chapter 1 (a non-linear decision boundary) and later chapters as the small network.
    """
    import keras

    n_features = check_int(n_features, "n_features", low=1, fix="Pass X.shape[1].")
    n_classes = check_int(n_classes, "n_classes", low=2, fix="A classifier needs at least two classes.")
    if not isinstance(hidden_units, Sequence) or isinstance(hidden_units, str):
        raise TypeError(error_message("hidden_units", "a sequence of ints", hidden_units, "Pass e.g. (32, 32)."))
    units = list(hidden_units)
    for index, width in enumerate(units):
        check_int(width, f"hidden_units[{index}]", low=1, fix="Every hidden layer needs at least one unit.")
    activation = check_choice(activation, "activation", ACTIVATIONS)
    dropout = check_float(dropout, "dropout", low=0.0, high=1.0, high_inclusive=False)
    learning_rate = check_float(learning_rate, "learning_rate", low=0.0, low_inclusive=False, fix="Try 1e-2.")

    inputs = keras.Input(shape=(n_features,), name="features")  # (batch, n_features)
    x = inputs
    for index, width in enumerate(units):
        x = keras.layers.Dense(width, activation=activation, name=f"hidden_{index + 1}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"dropout_{index + 1}")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="probabilities")(x)  # (batch, n_classes)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
