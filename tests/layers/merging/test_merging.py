"""Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

# (class name, kwargs, list of input shapes with batch)
CASES = [
    ("Add", {}, [(2, 3), (2, 3)]),
    ("Add", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("Add", {}, [(2, 3, 4), (2, 1, 4)]),
    ("Subtract", {}, [(2, 3), (2, 3)]),
    ("Multiply", {}, [(2, 3, 4), (2, 3, 4)]),
    ("Multiply", {}, [(2, 3, 4), (2, 4)]),
    ("Average", {}, [(2, 5), (2, 5), (2, 5)]),
    ("Maximum", {}, [(2, 3, 2), (2, 3, 2)]),
    ("Minimum", {}, [(2, 4), (2, 4)]),
    ("Concatenate", {}, [(2, 3), (2, 5)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 1, 4), (2, 2, 4)]),
    ("Dot", {"axes": 1}, [(2, 4), (2, 4)]),
    ("Dot", {"axes": -1, "normalize": True}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": (1, 2)}, [(2, 3, 4), (2, 5, 3)]),
    ("Dot", {"axes": (1, 1)}, [(2, 4), (2, 4, 3)]),
    ("Dot", {"axes": 2}, [(2, 3, 4, 5), (2, 5, 4)]),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _inputs(shapes):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype("float32") for s in shapes]


@pytest.mark.parametrize(("name", "kwargs", "shapes"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shapes):
    cls = getattr(layers, name)
    run_layer_test(
        cls,
        kwargs,
        shapes,
        expected_output_shape=cls(**kwargs).compute_output_shape(shapes),
        expected_num_trainable_weights=0,
        run_training=False,  # nothing to fit
    )


@pytest.mark.parametrize(("name", "kwargs", "shapes"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shapes):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shapes))
    unknown_batch = [(None, *s[1:]) for s in shapes]
    assert ours.compute_output_shape(unknown_batch) == tuple(
        theirs.compute_output_shape(unknown_batch)
    )
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key


# --------------------------------------------------------------------------- values


def test_values_match_numpy():
    a, b, c = _inputs([(2, 3), (2, 3), (2, 3)])
    np.testing.assert_allclose(ops.convert_to_numpy(layers.Add()([a, b, c])), a + b + c, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.Subtract()([a, b])), a - b, atol=1e-6)
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Multiply()([a, b, c])), a * b * c, atol=1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Average()([a, b, c])), (a + b + c) / 3, atol=1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Maximum()([a, b, c])), np.maximum(np.maximum(a, b), c)
    )
    np.testing.assert_allclose(ops.convert_to_numpy(layers.Minimum()([a, b])), np.minimum(a, b))
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Concatenate(axis=0)([a, b])), np.concatenate([a, b])
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Dot(1)([a, b])), (a * b).sum(1, keepdims=True), atol=1e-6
    )


def test_dot_normalize_gives_cosine_similarity():
    a, b = _inputs([(3, 4), (3, 4)])
    y = ops.convert_to_numpy(layers.Dot(axes=1, normalize=True)([a, b]))
    cosine = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(y[:, 0], cosine, atol=1e-6)


def test_functional_forms_in_a_graph():
    x, y = layers.Input(shape=(4,)), layers.Input(shape=(4,))
    assert layers.add([x, y]).shape == (None, 4)
    assert layers.subtract([x, y]).shape == (None, 4)
    assert layers.multiply([x, y]).shape == (None, 4)
    assert layers.average([x, y]).shape == (None, 4)
    assert layers.maximum([x, y]).shape == (None, 4)
    assert layers.minimum([x, y]).shape == (None, 4)
    assert layers.concatenate([x, y]).shape == (None, 8)
    assert layers.dot([x, y], axes=1).shape == (None, 1)


def test_unknown_sizes_in_symbolic_shapes():
    x, y = layers.Input(shape=(None, 4)), layers.Input(shape=(3, 4))
    assert layers.Add()([x, y]).shape == (None, 3, 4)
    assert layers.Concatenate(axis=1)([x, y]).shape == (None, None, 4)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("layer", "shapes", "match"),
    [
        (layers.Add(), [(2, 3), (2, 4)], r"incompatible shapes \[\(2, 3\), \(2, 4\)\]"),
        (layers.Subtract(), [(2, 3), (2, 3), (2, 3)], "exactly 2 inputs"),
        (layers.Maximum(), [(2, 3), (3, 3)], "different batch sizes"),
        (layers.Concatenate(), [(2, 3, 4), (2, 5, 4)], "matching shapes except"),
        (layers.Concatenate(), [(2, 3), (2, 3, 1)], "same rank"),
        (layers.Concatenate(axis=3), [(2, 3), (2, 3)], "out of range"),
        (layers.Dot(1), [(2, 3), (2, 4)], "contracted axes differ"),
        (layers.Dot(0), [(2, 3), (2, 3)], "non-batch"),
        (layers.Dot(1), [(2, 3), (2, 3), (2, 3)], "exactly 2"),
    ],
)
def test_bad_shapes_name_layer_and_shapes(layer, shapes, match):
    with pytest.raises(ValueError, match=match) as info:
        layer([np.zeros(s, "float32") for s in shapes])
    assert layer.name in str(info.value)


def test_single_tensor_is_rejected():
    for layer in (layers.Add(), layers.Concatenate(), layers.Dot(1)):
        with pytest.raises(ValueError, match="list of"):
            layer(np.zeros((2, 3), "float32"))


def test_symbolic_mismatch():
    layer = layers.Multiply()
    with pytest.raises(ValueError, match=layer.name):
        layer([layers.Input(shape=(3,)), layers.Input(shape=(5,))])


@pytest.mark.parametrize(
    ("make", "error"),
    [(lambda: layers.Dot((1, 2, 3)), ValueError), (lambda: layers.Dot("1"), TypeError)],
)
def test_bad_dot_axes(make, error):
    with pytest.raises(error, match="axes"):
        make()
