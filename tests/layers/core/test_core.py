"""Dense, Activation, Embedding, Lambda, Identity and operators on symbolic tensors."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

TRAINING = True

# (class name, constructor kwargs, input shape with batch, trainable weights, input dtype)
CASES = [
    ("Dense", {"units": 4}, (3, 5), 2, "float32"),
    ("Dense", {"units": 3, "activation": "relu", "use_bias": False}, (2, 4, 5), 1, "float32"),
    (
        "Dense",
        {"units": 2, "kernel_initializer": "ones", "bias_initializer": "ones"},
        (2, 3, 4, 5),
        2,
        "float32",
    ),
    ("Activation", {"activation": "tanh"}, (3, 5), 0, "float32"),
    ("Activation", {"activation": "softmax"}, (2, 3, 4), 0, "float32"),
    ("Embedding", {"input_dim": 7, "output_dim": 3}, (2, 5), 1, "int32"),
    ("Embedding", {"input_dim": 5, "output_dim": 2, "mask_zero": True}, (2, 3, 4), 1, "int32"),
    ("Identity", {}, (3, 4), 0, "float32"),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]
# One short fit per layer class keeps the JAX run fast (each fit compiles a step).
FIT_IDS = {"Dense-1", "Embedding-6"}


def _inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if "int" in dtype:
        return rng.integers(0, 4, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable", "dtype"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, trainable, dtype, request):
    cls = getattr(layers, name)
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=cls(**kwargs).compute_output_shape(shape),
        input_dtype=dtype,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=0,
        run_training=request.node.callspec.id in FIT_IDS,
    )


def _assert_config_matches(ours, theirs):
    ignored = {"name", "dtype", "quantization_config"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable", "dtype"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, trainable, dtype):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape, dtype))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    unknown_batch = (None, *shape[1:])
    assert ours.compute_output_shape(unknown_batch) == tuple(
        theirs.compute_output_shape(unknown_batch)
    )
    _assert_config_matches(ours, theirs)


# --------------------------------------------------------------------------- values


def test_dense_matches_numpy_on_3d_inputs():
    x = _inputs((2, 3, 4), "float32")
    layer = layers.Dense(5, activation="relu")
    y = ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), atol=1e-5)


def test_dense_regularizers():
    layer = layers.Dense(2, kernel_regularizer="l2", bias_regularizer="l1")
    layer(np.ones((4, 3), "float32"))
    assert len(layer.losses) == 2
    assert "activity_regularizer" not in layer.get_config()
    config = layers.Dense(2, activity_regularizer="l1").get_config()
    assert config["activity_regularizer"]["class_name"] == "L1"


def test_embedding_looks_up_rows():
    layer = layers.Embedding(6, 3)
    indices = np.array([[0, 5], [2, 2]])
    y = ops.convert_to_numpy(layer(indices))
    table = layer.get_weights()[0]
    np.testing.assert_array_equal(y, table[indices])
    # Float indices (e.g. from a float dataset) are cast to ints, not autocast to floats.
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(indices.astype("float32"))), table[indices]
    )


def test_embedding_compute_mask():
    layer = layers.Embedding(5, 2, mask_zero=True)
    mask = layer.compute_mask(np.array([[0, 1, 2, 0]]))
    np.testing.assert_array_equal(ops.convert_to_numpy(mask), [[False, True, True, False]])
    assert layers.Embedding(5, 2).compute_mask(np.array([[0, 1]])) is None


def test_lambda_applies_function_with_arguments():
    layer = layers.Lambda(lambda x, power: ops.power(x, power), arguments={"power": 3})
    y = layer(np.array([[1.0, 2.0]], "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(y), [[1.0, 8.0]])
    symbolic = layer(layers.Input(shape=(2,)))
    assert symbolic.shape == (None, 2)


def test_lambda_output_shape_and_config_round_trip():
    layer = layers.Lambda(ops.square, output_shape=(4,))
    assert layer(layers.Input(shape=(4,))).shape == (None, 4)
    config = layer.get_config()
    assert config["function"] == "square" and config["output_shape"] == (4,)
    clone = layers.Lambda.from_config(config)
    np.testing.assert_allclose(ops.convert_to_numpy(clone(np.array([[3.0]], "float32"))), [[9.0]])


def test_lambda_run_layer_test():
    run_layer_test(
        layers.Lambda,
        {"function": ops.square},
        (2, 3),
        expected_output_shape=(2, 3),
        run_training=False,
    )


def test_lambda_never_loads_code():
    config = layers.Lambda(lambda x: x).get_config()
    assert config["function"] == "<lambda>"
    with pytest.raises(ValueError, match="never loads code"):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="serialized code"):
        layers.Lambda.from_config(
            {"function": {"class_name": "__lambda__", "config": {"code": "AAAA"}}}
        )
    restored = layers.Lambda.from_config(config, custom_objects={"<lambda>": ops.negative})
    np.testing.assert_allclose(
        ops.convert_to_numpy(restored(np.ones((1, 1), "float32"))), [[-1.0]]
    )


def test_symbolic_operators_build_layers():
    x = layers.Input(shape=(3,))
    y = layers.Input(shape=(3,))
    for result, expected in [
        (x + 1, (None, 3)),
        (2.0 * x, (None, 3)),
        (x * y, (None, 3)),
        (1.0 - x, (None, 3)),
        (-x, (None, 3)),
        (x[:, :2], (None, 2)),
        (x / y, (None, 3)),
    ]:
        assert result.shape == expected
    a = np.array([[1.0, 2.0, 3.0]], "float32")

    def run(node, value):  # the node's op, with `value` where its call took a tensor
        args = [value if isinstance(arg, type(x)) else arg for arg in node.args]
        return ops.convert_to_numpy(node.layer(*args))

    np.testing.assert_allclose(run((1.0 - x)._node, a), 1.0 - a)
    np.testing.assert_allclose(run((x * y)._node, a), a * a)
    np.testing.assert_allclose(run(x[:, 1:]._node, a), a[:, 1:])


def test_symbolic_operators_in_a_functional_model():
    from lamina.models import Model

    x, y = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    outputs = (x * y + 1.0) / 2.0 - x[:, :1]
    model = Model([x, y], outputs)
    a = _inputs((4, 3), "float32")
    b = _inputs((4, 3), "float32", seed=1)
    expected = (a * b + 1.0) / 2.0 - a[:, :1]
    np.testing.assert_allclose(ops.convert_to_numpy(model([a, b])), expected, atol=1e-6)


def test_activity_regularizer_adds_a_loss():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l1")
    layer(np.ones((4, 3), "float32"))
    assert len(layer.losses) == 1
    # l1(0.01) of outputs that are all 3.0, averaged over the batch of 4.
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer.losses[0]), 0.01 * 3.0 * 8 / 4, rtol=1e-6
    )


def test_each_top_level_call_replaces_the_activity_losses():
    # As in Keras: `losses` holds the last call's, not every call's.
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l1")
    layer(np.ones((4, 3), "float32"))
    layer(np.full((4, 3), 2.0, "float32"))
    assert len(layer.losses) == 1
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer.losses[0]), 0.01 * 6.0 * 8 / 4, rtol=1e-6
    )
    from lamina.models import Sequential

    model = Sequential(
        [
            layers.Input(shape=(3,)),
            layers.Dense(2, activity_regularizer="l1"),
            layers.Dense(2, activity_regularizer="l2"),
        ]
    )
    for _ in range(3):
        model(np.ones((4, 3), "float32"))
    assert len(model.losses) == 2


def test_small_model_of_these_layers_fits():
    from lamina.models import Sequential

    model = Sequential(
        [
            layers.Input(shape=(4, 2)),
            layers.Flatten(),
            layers.Dense(8, activation="relu"),
            layers.Dropout(0.2, seed=0),
            layers.Dense(3),
            layers.Reshape((3, 1)),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = _inputs((16, 4, 2), "float32")
    y = np.zeros((16, 3, 1), "float32")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    # Evaluation runs without dropout, so the comparison is free of its noise.
    assert model.evaluate(x, y, verbose=0) < before


# --------------------------------------------------------------------------- errors


def test_dense_wrong_last_axis_names_layer_and_shapes():
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), "float32"))
    with pytest.raises(InputShapeError, match="size 3") as info:
        layer(np.zeros((1, 4), "float32"))
    assert layer.name in str(info.value) and "(1, 4)" in str(info.value)


def test_dense_rejects_rank_1():
    with pytest.raises(InputShapeError, match="rank >= 2"):
        layers.Dense(2)(np.zeros((3,), "float32"))


def test_dense_symbolic_mismatch():
    layer = layers.Dense(2)
    layer(layers.Input(shape=(3,)))
    with pytest.raises(InputShapeError, match=layer.name):
        layer(layers.Input(shape=(5,)))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Dense(0), "units"),
        (lambda: layers.Dense(2.5), "units"),
        (lambda: layers.Embedding(0, 2), "input_dim"),
        (lambda: layers.Activation("no_such_activation"), "no_such_activation"),
        (lambda: layers.Dense(2, kernel_initializer="nope"), "nope"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_lambda_needs_callable():
    with pytest.raises(TypeError, match="callable"):
        layers.Lambda(3)
