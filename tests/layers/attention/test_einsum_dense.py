"""EinsumDense: shapes of every equation form, weights, initializer fans, errors and Keras parity."""

import math

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

# (equation, output_shape, bias_axes, input shape, output shape, kernel shape, bias shape)
CASES = [
    ("ab,bc->ac", 5, "c", (3, 4), (3, 5), (4, 5), (5,)),
    ("abc,cd->abd", (None, 5), "d", (2, 3, 4), (2, 3, 5), (4, 5), (5,)),
    ("...b,bc->...c", 5, "c", (2, 3, 4), (2, 3, 5), (4, 5), (5,)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 4, 5), (2, 4, 2, 3), (5, 2, 3), (2, 3)),
    ("abcd,cde->abe", (None, 7), "e", (2, 3, 2, 4), (2, 3, 7), (2, 4, 7), (7,)),
    ("ab...,bc->ac...", 5, "c", (2, 4, 3), (2, 5, 3), (4, 5), (5, 1)),
    ("abc,cd->abd", (3, 5), "bd", (2, 3, 4), (2, 3, 5), (4, 5), (3, 5)),
    ("abc,cd->abd", (None, 5), None, (2, 3, 4), (2, 3, 5), (4, 5), None),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _plain(value):
    """A config without module hints, to compare lamina's with Keras's."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("module", "registered_name")}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("equation", "out", "bias", "shape", "expected", "kernel", "b"), CASES, ids=IDS
)
def test_behaviour(equation, out, bias, shape, expected, kernel, b):
    run_layer_test(
        layers.EinsumDense,
        {"equation": equation, "output_shape": out, "bias_axes": bias},
        shape,
        expected_output_shape=expected,
        expected_num_trainable_weights=1 if b is None else 2,
        expected_num_non_trainable_weights=0,
        run_training=True,
    )
    layer = layers.EinsumDense(equation, out, bias_axes=bias)
    layer(_inputs(shape))
    assert tuple(layer.kernel.shape) == kernel
    assert (layer.bias is None) == (b is None)
    if b is not None:
        assert tuple(layer.bias.shape) == b
    assert [w.name for w in layer.weights] == ["kernel", "bias"][: len(layer.weights)]


def test_values_are_the_einsum():
    x = _inputs((2, 3, 4))
    layer = layers.EinsumDense(
        "abc,cde->abde", (None, 2, 5), bias_axes="e", activation="relu", bias_initializer="ones"
    )
    got = ops.convert_to_numpy(layer(x))
    kernel = layer.kernel.numpy()
    expected = np.maximum(np.einsum("abc,cde->abde", x, kernel) + 1.0, 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_variance_scaling_fans_come_from_the_equation():
    # Kernel (6, 2, 3): fan_in 6 and fan_out 2*3, not Keras's conv rule over the layout.
    layer = layers.EinsumDense("abc,cde->abde", (None, 2, 3), kernel_initializer="glorot_uniform")
    layer.build((None, 4, 6))
    limit = math.sqrt(6.0 / (6 + 6))
    kernel = layer.kernel.numpy()
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.5 * limit
    # The layer's own initializer is left as given, so its config does not change.
    assert layer.get_config()["kernel_initializer"]["config"]["input_axes"] is None


@pytest.mark.parametrize(
    ("equation", "out", "bias", "shape", "expected", "kernel", "b"), CASES, ids=IDS
)
def test_keras_parity(keras, equation, out, bias, shape, expected, kernel, b):
    kwargs = {"equation": equation, "output_shape": out, "bias_axes": bias, "activation": "tanh"}
    ours, theirs = layers.EinsumDense(**kwargs), keras.layers.EinsumDense(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ignored = {"name", "dtype", "quantization_config"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key in theirs_config.keys() - ignored:
        assert _plain(ours_config[key]) == _plain(theirs_config[key]), key


def test_keras_config_builds_the_same_layer(keras):
    theirs = keras.layers.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d", name="proj")
    config = keras.saving.serialize_keras_object(theirs)
    ours = lamina.saving.deserialize_keras_object(config)
    assert isinstance(ours, layers.EinsumDense)
    assert ours.name == "proj" and ours.partial_output_shape == (None, 5)


@pytest.mark.parametrize(
    ("kwargs", "shape", "match"),
    [
        ({"equation": "ab,bc", "output_shape": 3}, None, r"invalid equation 'ab,bc'"),
        ({"equation": "ab,bc->ac", "output_shape": "3"}, None, r"output_shape must be an int"),
        ({"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "z"}, (2, 4), r"names \['z'\]"),
        (
            {"equation": "abc,cd->abd", "output_shape": (4, 5)},
            (2, 3, 4),
            r"axis 'b' is 3 in the input",
        ),
        ({"equation": "abc,cd->abd", "output_shape": 5}, (2, 3, 4), r"has 1 entries"),
        ({"equation": "abc,cd->abd", "output_shape": (None, 5)}, (2, 4), r"input has rank 2"),
        ({"equation": "ab,bcz->ac", "output_shape": 3}, (2, 4), r"kernel axis 'z'"),
        ({"equation": "ab,bc->acd", "output_shape": (3, 2)}, (2, 4), r"output axis 'd'"),
    ],
)
def test_bad_arguments(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        layer = layers.EinsumDense(**kwargs)
        layer(_inputs(shape))


def test_input_that_does_not_fit_a_built_layer():
    layer = layers.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d")
    layer(_inputs((2, 3, 4)))
    with pytest.raises(InputShapeError, match=r"expected axis -1 to have size 4, got 6"):
        layer(_inputs((2, 3, 6)))
    with pytest.raises(InputShapeError, match=r"expected rank 3"):
        layer(_inputs((2, 4)))


def test_quantization_is_refused():
    with pytest.raises(NotImplementedError, match="quantization and LoRA"):
        layers.EinsumDense("ab,bc->ac", 3, lora_rank=2)


def test_in_a_model_that_trains_and_saves(tmp_path):
    model = lamina.Sequential(
        [
            lamina.Input((3, 4)),
            layers.EinsumDense("abc,cde->abde", (None, 2, 5), bias_axes="de", activation="relu"),
            layers.EinsumDense("abcd,cde->abe", (None, 6), bias_axes="e"),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    x, y = _inputs((16, 3, 4)), _inputs((16, 3, 6), seed=1)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "einsum.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert loaded.layers[0].equation == "abc,cde->abde"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
