"""Custom layers whose sublayers are built by their first call, as in Keras's
transformer-block examples: used in a functional model, the sublayers are
built while the engine traces the call for shapes, and their weights must
still be real values."""

import numpy as np

import lamina
from lamina import layers


class TransformerBlock(layers.Layer):
    def __init__(self, dim: int, heads: int, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(heads, dim // heads)
        self.ffn = lamina.Sequential([layers.Dense(2 * dim, activation="relu"), layers.Dense(dim)])
        self._norm = layers.LayerNormalization()

    def call(self, x):
        x = x + self.attention(x, x)
        return self._norm(x + self.ffn(x))


def _model():
    inputs = lamina.Input((6, 8))
    x = TransformerBlock(8, 2)(inputs)
    outputs = layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling1D()(x))
    return lamina.Model(inputs, outputs)


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 6, 8)).astype("float32"), rng.integers(0, 3, 16)


def test_weights_built_inside_the_shape_trace_hold_values():
    model = _model()
    weights = model.get_weights()  # fails on a symbolic value
    assert len(weights) == len(model.weights) == 16
    assert all(np.all(np.isfinite(w)) for w in weights)
    x, _ = _data()
    np.testing.assert_allclose(model(x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_model_of_lazy_blocks_trains_and_saves(tmp_path):
    model = _model()
    x, y = _data()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save_weights(tmp_path / "blocks.weights.h5")
    again = _model()
    again.load_weights(tmp_path / "blocks.weights.h5")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
