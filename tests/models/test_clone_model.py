"""clone_model: Sequential, functional and subclassed models, against the original and Keras 3."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.models import clone_model

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 4)).astype("float32")


def _sequential():
    return lamina.Sequential(
        [lamina.Input((4,), name="features"), layers.Dense(5, activation="relu"), layers.Dense(2)],
        name="stack",
    )


def _functional():
    a = lamina.Input((4,), name="a")
    b = lamina.Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    merged = layers.Add(name="sum")([shared(a), shared(b)])
    return lamina.Model(
        {"a": a, "b": b}, [layers.Dense(2, name="head")(merged), merged], name="fn"
    )


def _assert_same_architecture(model, clone):
    assert type(clone) is type(model)
    assert clone is not model and clone.name == model.name
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert all(c is not m for c, m in zip(clone.layers, model.layers))
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]


def test_sequential_clone_has_new_weights_and_same_outputs_once_copied():
    model = _sequential()
    clone = clone_model(model)
    _assert_same_architecture(model, clone)
    assert clone.inputs[0].shape == (None, 4) and clone.inputs[0] is not model.inputs[0]
    assert any(not np.array_equal(c, m) for c, m in zip(clone.get_weights(), model.get_weights()))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(
        lamina.ops.convert_to_numpy(clone(X)), lamina.ops.convert_to_numpy(model(X)), atol=1e-6
    )


def test_functional_clone_keeps_sharing_structure_and_names():
    model = _functional()
    clone = clone_model(model)
    _assert_same_architecture(model, clone)
    assert sorted(clone.input) == ["a", "b"]
    assert [t.name for t in clone.inputs] == ["a", "b"]
    assert len(clone.trainable_weights) == len(model.trainable_weights) == 4
    clone.set_weights(model.get_weights())
    data = {"a": X, "b": X[::-1].copy()}
    for got, want in zip(clone(data), model(data)):
        np.testing.assert_allclose(
            lamina.ops.convert_to_numpy(got), lamina.ops.convert_to_numpy(want), atol=1e-6
        )


def test_clone_function_and_call_function():
    model = _functional()

    def swap_head(layer):
        if layer.name == "head":
            return layers.Dense(7, name="head")
        return layer.__class__.from_config(layer.get_config())

    calls = []

    def record(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    clone = clone_model(model, clone_function=swap_head, call_function=record)
    assert clone.outputs[0].shape == (None, 7)
    assert calls == ["shared", "shared", "sum", "head"]

    original = _sequential()
    sharing = clone_model(original, clone_function=lambda layer: layer)
    assert all(c is m for c, m in zip(sharing.layers, original.layers))
    with pytest.raises(ValueError, match="call_function"):
        clone_model(_sequential(), call_function=record)
    with pytest.raises(ValueError, match="unexpected keyword"):
        clone_model(_sequential(), bogus=1)


def test_input_tensors():
    model = _sequential()
    new_input = lamina.Input((4,), name="other")
    clone = clone_model(model, input_tensors=new_input)
    assert clone.inputs[0] is new_input
    with pytest.raises(ValueError, match="one input"):
        clone_model(model, input_tensors=[new_input, new_input])
    functional = _functional()
    a, b = lamina.Input((4,), name="x1"), lamina.Input((4,), name="x2")
    clone = clone_model(functional, input_tensors={"a": a, "b": b})
    assert clone.inputs == [a, b]
    with pytest.raises(ValueError, match="structure"):
        clone_model(functional, input_tensors=[a, b])


def test_recursive_clones_nested_layers_with_clone_function():
    inner = lamina.Sequential(
        [lamina.Input((4,)), layers.Dense(3, name="inner_dense")], name="inner"
    )
    x = lamina.Input((4,))
    outer = lamina.Model(x, layers.Dense(1, name="out")(inner(x)))
    seen = []

    def clone_fn(layer):
        seen.append(layer.name)
        return layer.__class__.from_config(layer.get_config())

    clone_model(outer, clone_function=clone_fn)
    assert "inner" in seen and "inner_dense" not in seen
    seen.clear()
    clone = clone_model(outer, clone_function=clone_fn, recursive=True)
    assert "inner_dense" in seen and "inner" not in seen
    assert isinstance(clone.layers[1], lamina.Sequential)


@lamina.saving.register_keras_serializable(package="clone_test")
class TwoLayer(lamina.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_model_is_rebuilt_from_its_config():
    model = TwoLayer(units=5, name="two")
    model(X)
    clone = clone_model(model)
    assert type(clone) is TwoLayer and clone is not model
    assert clone.units == 5 and clone.name == "two"
    clone(X)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(
        lamina.ops.convert_to_numpy(clone(X)), lamina.ops.convert_to_numpy(model(X)), atol=1e-6
    )
    with pytest.raises(ValueError, match="Sequential and functional"):
        clone_model(model, clone_function=lambda layer: layer)


def test_compiled_model_clone_is_compiled_and_trains():
    model = _sequential()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    clone = clone_model(model)
    assert clone.compiled
    history = clone.fit(X, np.zeros((6, 2), "float32"), epochs=1, batch_size=3, verbose=0)
    assert set(history.history) == {"loss", "mae"}


def test_matches_keras(keras_ref):
    keras_model = keras_ref.Sequential(
        [
            keras_ref.Input((4,), name="features"),
            keras_ref.layers.Dense(5),
            keras_ref.layers.Dense(2),
        ]
    )
    keras_clone = keras_ref.models.clone_model(keras_model)
    model = _sequential()
    clone = clone_model(model)
    assert [layer.name for layer in keras_clone.layers][0].startswith("dense")
    assert len(clone.layers) == len(keras_clone.layers)
    assert [w.shape for w in clone.get_weights()] == [
        tuple(w.shape) for w in keras_clone.get_weights()
    ]
    assert keras_clone.inputs[0].name == "features" and clone.inputs[0].name == "features"
