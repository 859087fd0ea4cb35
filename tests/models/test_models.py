"""Models: Sequential, functional and subclassed models, weights, freezing, custom layers,
summary (with Keras 3 parity) and input-shape errors."""

import re

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.layers.input_spec import InputShapeError


def _mlp(name="mlp"):
    return lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            layers.Dense(8, activation="relu", name=f"{name}_hidden"),
            layers.Dense(3, activation="softmax", name=f"{name}_out"),
        ],
        name=name,
    )


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=(n,))


# ---------------------------------------------------------------- Sequential


def test_sequential_from_input_or_input_shape_agree():
    by_input = _mlp("by_input")
    by_shape = lamina.Sequential(
        [layers.Dense(8, activation="relu", input_shape=(4,)), layers.Dense(3)]
    )
    assert by_input.built and by_shape.built
    assert by_input.input_shape == by_shape.input_shape == (None, 4)
    assert by_input.output_shape == by_shape.output_shape == (None, 3)
    assert by_input.count_params() == by_shape.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def test_sequential_add_and_pop():
    model = lamina.Sequential(name="stack")
    model.add(lamina.Input(shape=(4,)))
    model.add(layers.Dense(5, name="first"))
    model.add(layers.Dense(2, name="second"))
    assert [layer.name for layer in model.layers] == ["first", "second"]
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "second"
    assert model.output_shape == (None, 5)
    assert len(model.weights) == 2
    with pytest.raises(ValueError, match="already has a layer named 'first'"):
        model.add(layers.Dense(1, name="first"))


def test_sequential_builds_on_first_call_without_input():
    model = lamina.Sequential([layers.Dense(3)])
    assert not model.built
    out = model(np.ones((2, 4), "float32"))
    assert tuple(out.shape) == (2, 3)
    assert model.count_params() == 15


# ---------------------------------------------------------------- functional


def _two_in_two_out():
    a = lamina.Input(shape=(4,), name="a")
    b = lamina.Input(shape=(3,), name="b")
    h = layers.Concatenate(name="cat")([a, b])
    h = layers.Dense(5, activation="relu", name="hidden")(h)
    out1 = layers.Dense(2, activation="softmax", name="out1")(h)
    out2 = layers.Dense(1, name="out2")(h)
    return lamina.Model([a, b], [out1, out2], name="two")


def test_functional_several_inputs_and_outputs():
    model = _two_in_two_out()
    assert [layer.name for layer in model.layers] == ["a", "b", "cat", "hidden", "out1", "out2"]
    xa, xb = np.ones((3, 4), "float32"), np.ones((3, 3), "float32")
    p1, p2 = model.predict([xa, xb], verbose=0)
    assert p1.shape == (3, 2) and p2.shape == (3, 1)
    # A dict by input name gives the same result.
    q1, q2 = model.predict({"a": xa, "b": xb}, verbose=0)
    np.testing.assert_allclose(p1, q1, rtol=1e-6)
    np.testing.assert_allclose(p2, q2, rtol=1e-6)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(xa)


def test_subclassed_model_trains_and_passes_training_flag():
    seen = []

    class Net(lamina.Model):
        def __init__(self):
            super().__init__(name="net")
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(3, activation="softmax")

        def call(self, inputs, training=None):
            seen.append(training)
            return self.out(self.hidden(inputs))

    model = Net()
    x, y = _data()
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert True in seen and False not in seen[-1:]
    seen.clear()
    model.predict(x, verbose=0)
    assert seen and all(flag is False for flag in seen)
    assert len(model.layers) == 2 and len(model.weights) == 4


# ---------------------------------------------------------------- weights


def test_weights_layers_get_layer_and_count_params():
    model = _mlp("w")
    assert [v.shape for v in model.weights] == [(4, 8), (8,), (8, 3), (3,)]
    assert model.get_layer(name="w_hidden") is model.layers[0]
    assert model.get_layer(index=-1).name == "w_out"
    with pytest.raises(ValueError, match="No layer named 'nope'.*w_hidden"):
        model.get_layer(name="nope")
    weights = model.get_weights()
    new = [np.full_like(w, 0.5) for w in weights]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"has 4 weights.*got 3 arrays"):
        model.set_weights(new[:3])
    with pytest.raises(ValueError, match=r"shape \(4, 8\).*shape \(8, 4\)"):
        model.set_weights([new[0].T, *new[1:]])


def test_frozen_layer_is_not_trained():
    model = _mlp("frozen")
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2
    assert len(model.non_trainable_weights) == 2
    before = model.get_weights()
    x, y = _data()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_array_equal(after[1], before[1])
    assert not np.array_equal(after[2], before[2])
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


# ---------------------------------------------------------------- custom layers


class Scale(layers.Layer):
    """y = x * w + noise during training: exercises build/add_weight/call/training."""

    def __init__(self, noise=0.0, **kwargs):
        super().__init__(**kwargs)
        self.noise = noise

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.calls = 0

    def call(self, inputs, training=None):
        out = inputs * self.w
        return out + self.noise if training else out

    def get_config(self):
        return {**super().get_config(), "noise": self.noise}


def test_custom_layer_build_weights_training_and_config():
    layer = Scale(noise=1.0, name="scale")
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(layer(x)), x)
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(layer(x, training=True)), x + 1.0)
    assert [v.shape for v in layer.weights] == [(3,)]
    config = layer.get_config()
    assert config["noise"] == 1.0 and config["name"] == "scale"
    clone = Scale.from_config(config)
    assert clone.noise == 1.0

    # Inside a model, fit passes training=True down to it.
    model = lamina.Sequential([lamina.Input(shape=(3,)), Scale(noise=1.0), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((2, 1), "float32"), verbose=0)
    assert model.layers[0].w.trainable


# ---------------------------------------------------------------- summary


def _summary_lines(model):
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    return "\n".join(lines).splitlines()


def _keras_summary_lines(model):
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    return "\n".join(lines).splitlines()


def _build_seq(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(4,)),
            lib.layers.Dense(3, name="d1"),
            lib.layers.BatchNormalization(name="bn"),
        ],
        name="seq",
    )


def test_summary_matches_keras_for_sequential(keras_ref):
    ours, theirs = _build_seq(lamina), _build_seq(keras_ref)
    assert _summary_lines(ours) == _keras_summary_lines(theirs)
    assert ours.count_params() == theirs.count_params() == 27


def _cells(lines):
    rows = [line for line in lines if line.startswith("│")]
    return [[cell.strip() for cell in row.strip("│").split("│")] for row in rows]


def test_summary_matches_keras_cells_for_functional(keras_ref):
    ours = _summary_lines(_two_in_two_out())
    theirs = _keras_summary_lines(_build_two_in_two_out_keras(keras_ref))
    assert _cells(ours) == _cells(theirs)
    assert [c.strip() for c in ours[2].strip("┃").split("┃")] == [
        c.strip() for c in theirs[2].strip("┃").split("┃")
    ]
    assert ours[0] == theirs[0] == 'Model: "two"'
    assert ours[-3:] == theirs[-3:]


def _build_two_in_two_out_keras(keras):
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(3,), name="b")
    h = keras.layers.Concatenate(name="cat")([a, b])
    h = keras.layers.Dense(5, activation="relu", name="hidden")(h)
    out1 = keras.layers.Dense(2, activation="softmax", name="out1")(h)
    out2 = keras.layers.Dense(1, name="out2")(h)
    return keras.Model([a, b], [out1, out2], name="two")


def test_summary_shows_optimizer_params_after_fit():
    model = _mlp("opt")
    x, y = _data()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, verbose=0)
    text = "\n".join(_summary_lines(model))
    # Adam: two slots per weight plus the iteration count and the learning rate.
    assert re.search(r"Optimizer params: 136 ", text), text


# ---------------------------------------------------------------- bad input


def test_wrong_input_shape_names_layer_expected_and_received():
    model = _mlp("shape")
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(InputShapeError) as info:
        model.predict(np.ones((2, 5), "float32"), verbose=0)
    message = str(info.value)
    assert "(None, 4)" in message and "(2, 5)" in message
    assert "shape" in message and ("input_layer" in message or "'shape" in message)


def test_channels_swap_is_explained():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(28, 28, 1)),
            layers.Conv2D(2, 3, name="conv"),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    with pytest.raises(InputShapeError) as info:
        model.predict(np.zeros((2, 1, 28, 28), "float32"), verbose=0)
    message = str(info.value)
    assert "(None, 28, 28, 1)" in message and "(2, 1, 28, 28)" in message
    assert "channels_first" in message and "image_data_format" in message
    assert "LAMINA_IMAGE_DATA_FORMAT" in message
