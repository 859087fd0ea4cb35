"""Sublayers held in private attributes (`self._dense = Dense(3)`): tracked,
trained and saved as Keras 3 does, under the attribute's name."""

import numpy as np
import pytest

import lamina

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _block_class(K):
    class Block(K.layers.Layer):
        """A public and a private projection, and a private weight."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.visible = K.layers.Dense(4, activation="relu")
            self._hidden = K.layers.Dense(3)
            self._experts = [K.layers.Dense(3), K.layers.Dense(3)]

        def build(self, input_shape):
            self._scale = self.add_weight(shape=(3,), initializer="ones", name="scale")

        def call(self, x):
            h = self.visible(x)
            return (self._hidden(h) + self._experts[0](h) - self._experts[1](h)) * self._scale

    return Block


def _model(K):
    inputs = K.Input((5,))
    outputs = _block_class(K)(name="block")(inputs)
    return K.Model(inputs, outputs)


def _x():
    return np.random.default_rng(0).standard_normal((8, 5)).astype("float32")


def test_private_sublayers_are_tracked_and_trained():
    model = _model(lamina)
    block = model.get_layer("block")
    assert len(block.weights) == 9
    assert len(model.trainable_weights) == 9
    before = [w.numpy().copy() for w in model.weights]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(_x(), np.ones((8, 3), "float32"), epochs=1, verbose=0)
    assert all(not np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))


def test_private_sublayers_are_saved_under_their_attribute(tmp_path):
    import h5py

    model = _model(lamina)
    path = tmp_path / "block.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        block = f["layers/block"]
        assert sorted(block.keys()) == ["_experts", "_hidden", "vars", "visible"]
        assert sorted(block["_experts"].keys()) == ["dense", "dense_1"]
    again = _model(lamina)
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(_x(), verbose=0), model.predict(_x(), verbose=0))


def test_private_sublayers_cross_with_keras(keras_ref, tmp_path):
    ours, theirs = _model(lamina), _model(keras_ref)
    rng = np.random.default_rng(3)
    theirs.set_weights([rng.standard_normal(w.shape).astype("float32") for w in theirs.weights])
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours.load_weights(tmp_path / "keras.weights.h5")
    expected = np.asarray(theirs.predict(_x(), verbose=0))
    np.testing.assert_allclose(ours.predict(_x(), verbose=0), expected, rtol=1e-5, atol=1e-6)
    ours.set_weights([w * 0.5 for w in ours.get_weights()])
    ours.save_weights(tmp_path / "lamina.weights.h5")
    theirs.load_weights(tmp_path / "lamina.weights.h5")
    np.testing.assert_allclose(
        np.asarray(theirs.predict(_x(), verbose=0)),
        ours.predict(_x(), verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_keras_archive_names_the_same_groups(keras_ref, tmp_path):
    import h5py

    for name, K in (("ours", lamina), ("theirs", keras_ref)):
        _model(K).save_weights(tmp_path / f"{name}.weights.h5")
    groups = []
    for name in ("ours", "theirs"):
        with h5py.File(tmp_path / f"{name}.weights.h5", "r") as f:
            found = []
            f.visit(lambda key, found=found: found.append(key))
            groups.append(sorted(found))
    assert groups[0] == groups[1]
