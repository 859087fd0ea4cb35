"""Small models built the same way with lamina or Keras 3 (`K` is either module)."""

from __future__ import annotations

import numpy as np

_SCALES: dict = {}


def scale_class(K):
    """A custom layer, registered by name as "Custom>Scale" in K's registry."""
    key = K.__name__
    if key not in _SCALES:

        class Scale(K.layers.Layer):
            def __init__(self, factor=1.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

            def call(self, inputs):
                return inputs * self.w * self.factor

            # A shape rule, so no library has to call `call` on placeholder data to
            # learn the output shape (Keras's numpy backend uses uninitialized
            # arrays, on which the product can overflow).
            def compute_output_shape(self, input_shape):
                return input_shape

            def get_config(self):
                config = super().get_config()
                config["factor"] = self.factor
                return config

        _SCALES[key] = K.saving.register_keras_serializable(package="Custom", name="Scale")(Scale)
    return _SCALES[key]


def sequential(K):
    model = K.Sequential(
        [K.Input(shape=(4,)), K.layers.Dense(3, activation="relu"), K.layers.Dense(2)]
    )
    data = np.linspace(-1, 1, 8 * 4, dtype="float32").reshape(8, 4)
    return model, data, np.ones((8, 2), "float32")


def two_in_two_out(K):
    a = K.Input(shape=(3,), name="a")
    b = K.Input(shape=(2,), name="b")
    h = K.layers.Dense(4, activation="tanh")(a)
    joined = K.layers.Concatenate()([h, b])
    out1 = K.layers.Dense(1, name="out1")(joined)
    out2 = K.layers.Dense(2, activation="softmax", name="out2")(K.layers.Dense(3)(b))
    model = K.Model([a, b], [out1, out2])
    x = [
        np.linspace(-1, 1, 8 * 3, dtype="float32").reshape(8, 3),
        np.linspace(1, -1, 8 * 2, dtype="float32").reshape(8, 2),
    ]
    y = [np.zeros((8, 1), "float32"), np.tile(np.array([[0.0, 1.0]], "float32"), (8, 1))]
    return model, x, y


def custom_layer(K):
    scale = scale_class(K)
    inputs = K.Input(shape=(3,))
    x = scale(factor=2.0, name="scale")(inputs)
    outputs = K.layers.Dense(2)(x)
    model = K.Model(inputs, outputs)
    data = np.linspace(-1, 1, 8 * 3, dtype="float32").reshape(8, 3)
    return model, data, np.ones((8, 2), "float32")


def recurrent(K):
    inputs = K.Input(shape=(4, 3))
    x = K.layers.LSTM(5, return_sequences=True)(inputs)
    x = K.layers.Bidirectional(K.layers.GRU(2))(x)
    x = K.layers.BatchNormalization()(x)
    outputs = K.layers.Dense(1)(x)
    model = K.Model(inputs, outputs)
    data = np.linspace(-1, 1, 8 * 4 * 3, dtype="float32").reshape(8, 4, 3)
    return model, data, np.ones((8, 1), "float32")


BUILDERS = {
    "sequential": sequential,
    "two_in_two_out": two_in_two_out,
    "custom_layer": custom_layer,
    "recurrent": recurrent,
}


def loss_for(name: str):
    return ["mse", "categorical_crossentropy"] if name == "two_in_two_out" else "mse"
