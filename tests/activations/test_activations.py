"""Activations: values against real Keras 3 on the same engine, get() and serialize()."""

import numpy as np
import pytest

from lamina import activations, ops

# Float32 values, tolerances as stated in the task: 1e-6.
TOL = {"rtol": 1e-6, "atol": 1e-6}


def _x(shape=(4, 6)):
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, size=shape).astype("float32")
    x.flat[:6] = [-7.0, -1.0, 0.0, 0.5, 1.0, 7.0]
    return x


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


SIMPLE = [
    "celu",
    "elu",
    "exponential",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
]


@pytest.mark.parametrize("name", SIMPLE)
def test_matches_keras(keras_ref, name):
    x = _x()
    expected = keras_ref.ops.convert_to_numpy(keras_ref.activations.get(name)(x))
    np.testing.assert_allclose(_np(activations.get(name)(x)), expected, **TOL)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("relu", {"negative_slope": 0.1}),
        ("relu", {"max_value": 6.0}),
        ("relu", {"max_value": 2.5}),
        ("relu", {"threshold": 0.5}),
        ("relu", {"negative_slope": 0.1, "max_value": 3.0, "threshold": 0.5}),
        ("relu", {"negative_slope": 0.2, "threshold": -1.0}),
        ("leaky_relu", {"negative_slope": 0.3}),
        ("elu", {"alpha": 0.5}),
        ("celu", {"alpha": 2.0}),
        ("gelu", {"approximate": True}),
        ("gelu", {"approximate": False}),
        ("softmax", {"axis": 0}),
        ("log_softmax", {"axis": 0}),
        ("glu", {"axis": 0}),
        ("hard_shrink", {"threshold": 1.0}),
        ("soft_shrink", {"threshold": 1.0}),
        ("squareplus", {"b": 1.0}),
        ("threshold", {"threshold": 0.3, "default_value": -2.0}),
    ],
)
def test_arguments_match_keras(keras_ref, name, kwargs):
    x = _x()
    expected = keras_ref.ops.convert_to_numpy(getattr(keras_ref.activations, name)(x, **kwargs))
    np.testing.assert_allclose(_np(getattr(activations, name)(x, **kwargs)), expected, **TOL)


def test_gelu_default_is_exact():
    x = _x()
    np.testing.assert_allclose(
        _np(activations.gelu(x)), _np(activations.gelu(x, approximate=False)), **TOL
    )
    assert not np.allclose(
        _np(activations.gelu(x)), _np(activations.gelu(x, approximate=True)), rtol=0, atol=1e-6
    )


def test_relu_numpy_reference():
    x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 8.0], "float32")
    np.testing.assert_allclose(_np(activations.relu(x)), np.maximum(x, 0), **TOL)
    np.testing.assert_allclose(_np(activations.relu(x, max_value=1.0)), np.clip(x, 0, 1), **TOL)
    expected = np.where(x > 1.0, x, 0.1 * (x - 1.0))
    np.testing.assert_allclose(
        _np(activations.relu(x, negative_slope=0.1, threshold=1.0)), expected, **TOL
    )


def test_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(activations.tanh) is activations.tanh

    def custom(x):
        return x

    assert activations.get(custom) is custom
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.swish) == "silu"
    for name in ("relu", "softmax", "gelu", "linear"):
        assert activations.get(activations.serialize(activations.get(name))) is activations.get(
            name
        )
    config = {"module": "keras.activations", "class_name": "function", "config": "tanh"}
    assert activations.get(config) is activations.tanh


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'.*Did you mean 'relu'.*Known"):
        activations.get("rleu")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)
    with pytest.raises(ValueError, match="Cannot serialize"):
        activations.serialize(lambda x: x)


def test_glu_odd_axis_raises():
    with pytest.raises(ValueError, match="even size"):
        activations.glu(np.ones((2, 3), "float32"))
