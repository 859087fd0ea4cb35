"""BatchNormalization and LayerNormalization."""

import warnings

import numpy as np
import pytest

from lamina import layers, ops
from lamina.backend._variable import StatelessScope
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

TRAINING = True

# (class name, kwargs, input shape with batch, trainable weights, non-trainable weights)
CASES = [
    ("BatchNormalization", {}, (4, 3), 2, 2),
    ("BatchNormalization", {"axis": 1}, (4, 3, 5, 5), 2, 2),  # channels_first images
    ("BatchNormalization", {"axis": -1, "momentum": 0.9}, (4, 5, 5, 3), 2, 2),  # channels_last
    ("BatchNormalization", {"center": False, "epsilon": 1e-5}, (4, 6, 3), 1, 2),
    ("BatchNormalization", {"scale": False, "axis": 1}, (4, 2, 3), 1, 2),
    ("LayerNormalization", {}, (4, 5), 2, 0),
    ("LayerNormalization", {"axis": [1, 2], "epsilon": 1e-5}, (3, 4, 5), 2, 0),
    ("LayerNormalization", {"axis": 1, "center": False}, (3, 4, 5), 1, 0),
    ("LayerNormalization", {"rms_scaling": True}, (3, 6), 1, 0),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]
# One short fit per layer class keeps the JAX run fast (each fit compiles a step).
FIT_IDS = {"BatchNormalization-2", "LayerNormalization-6"}


def _inputs(shape, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 2.0 + 0.5).astype("float32")


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in layer.weights])


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable", "non_trainable"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, trainable, non_trainable, request):
    cls = getattr(layers, name)
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=non_trainable,
        run_training=request.node.callspec.id in FIT_IDS,
    )


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable", "non_trainable"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, trainable, non_trainable, training):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    if name == "LayerNormalization" and training:
        pytest.skip("LayerNormalization has no training mode")
    if (
        name == "LayerNormalization"
        and kwargs.get("axis") == 1
        and keras.backend.backend() == "torch"
    ):
        pytest.skip("Keras 3's torch LayerNormalization rejects a non-last single axis")
    x = _inputs(shape)
    ours = getattr(layers, name)(**kwargs)
    ours(x)
    _randomize(ours)
    with warnings.catch_warnings():
        # Keras warns that its rms_scaling is deprecated; lamina keeps the same numerics.
        warnings.filterwarnings("ignore", message=".*rms_scaling.*")
        theirs = getattr(keras.layers, name)(**kwargs)
        call_kwargs = {"training": True} if training else None
        assert_keras_parity(ours, theirs, x, call_kwargs=call_kwargs)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    # Keras received our weights after our call, then made its own: one more step
    # here must leave both with the same moving statistics.
    if training:
        ours(x, training=True)
    for a, b in zip(ours.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), ops.convert_to_numpy(b), atol=1e-5, err_msg=a.name)
    ignored = {"name", "dtype", "renorm", "renorm_clipping", "renorm_momentum"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored and key != "axis":  # Keras lists axes after building
            assert ours_config[key] == value, key


# --------------------------------------------------------------------------- batch norm


def test_batch_norm_training_uses_batch_statistics_and_updates_moving_ones():
    x = _inputs((16, 3))
    layer = layers.BatchNormalization(momentum=0.8)
    y = ops.convert_to_numpy(layer(x, training=True))
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(y, expected, atol=1e-5)
    gamma, beta, mean, var = layer.get_weights()
    np.testing.assert_allclose(mean, 0.2 * x.mean(0), atol=1e-6)
    np.testing.assert_allclose(var, 0.8 + 0.2 * x.var(0), atol=1e-5)
    # Inference uses the moving statistics and changes nothing.
    y = ops.convert_to_numpy(layer(x, training=False))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2], mean)


def test_batch_norm_not_trainable_runs_in_inference_mode():
    x = _inputs((8, 3))
    layer = layers.BatchNormalization()
    layer.build(x.shape)
    layer.trainable = False
    y = ops.convert_to_numpy(layer(x, training=True))
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), atol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2], np.zeros(3))
    assert len(layer.trainable_weights) == 0 and len(layer.non_trainable_weights) == 4


def test_batch_norm_stateless_updates_become_new_state():
    x = _inputs((8, 3))
    layer = layers.BatchNormalization(momentum=0.5)
    layer.build(x.shape)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    _, new_values = layer.stateless_call(trainable, non_trainable, x, training=True)
    np.testing.assert_allclose(ops.convert_to_numpy(new_values[0]), 0.5 * x.mean(0), atol=1e-6)
    np.testing.assert_allclose(
        ops.convert_to_numpy(new_values[1]), 0.5 + 0.5 * x.var(0), atol=1e-5
    )
    # The variables themselves are untouched outside the scope.
    np.testing.assert_allclose(layer.moving_mean.numpy(), np.zeros(3))
    with StatelessScope(zip(layer.non_trainable_variables, new_values, strict=True)):
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer.moving_mean.value), 0.5 * x.mean(0), atol=1e-6
        )


def test_batch_norm_mask_uses_unmasked_steps():
    x = _inputs((2, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], dtype=bool)
    layer = layers.BatchNormalization(momentum=0.0)
    layer(x, training=True, mask=mask)
    kept = x[mask]
    np.testing.assert_allclose(layer.moving_mean.numpy(), kept.mean(0), atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), kept.var(0), atol=1e-4)


def test_batch_norm_over_several_axes():
    x = _inputs((6, 2, 3))
    layer = layers.BatchNormalization(axis=[1, 2], momentum=0.0)
    y = ops.convert_to_numpy(layer(x, training=True))
    assert layer.moving_mean.shape == (2, 3)
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), x.mean(0), atol=1e-6)


def test_batch_norm_symbolic_call_leaves_statistics_alone():
    layer = layers.BatchNormalization()
    y = layer(layers.Input(shape=(4, 3)), training=True)
    assert y.shape == (None, 4, 3)
    np.testing.assert_allclose(layer.moving_mean.numpy(), np.zeros(3))


def test_batch_norm_wrong_feature_size_names_layer_and_shapes():
    layer = layers.BatchNormalization()
    layer(np.zeros((2, 3), "float32"))
    with pytest.raises(InputShapeError, match="size 3") as info:
        layer(np.zeros((2, 4), "float32"))
    assert layer.name in str(info.value) and "(2, 4)" in str(info.value)


def test_batch_norm_channels_swap_hint():
    layer = layers.BatchNormalization(axis=-1)
    layer(np.zeros((1, 8, 8, 3), "float32"))
    with pytest.raises(InputShapeError, match="image_data_format"):
        layer(np.zeros((1, 3, 8, 8), "float32"))


# --------------------------------------------------------------------------- layer norm


def test_layer_norm_matches_numpy():
    x = _inputs((3, 4, 5))
    y = ops.convert_to_numpy(layers.LayerNormalization(axis=[1, 2])(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), atol=1e-5)


def test_layer_norm_same_in_training_and_inference():
    x = _inputs((3, 4))
    layer = layers.LayerNormalization()
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(x, training=True)), ops.convert_to_numpy(layer(x))
    )


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: layers.BatchNormalization(axis=3), (2, 3)),
        (lambda: layers.LayerNormalization(axis=-3), (2, 3)),
    ],
)
def test_axis_out_of_range(make, shape):
    layer = make()
    with pytest.raises(ValueError, match="out of range") as info:
        layer(np.zeros(shape, "float32"))
    assert layer.name in str(info.value)


def test_renorm_is_refused():
    with pytest.raises(NotImplementedError, match="renorm"):
        layers.BatchNormalization(renorm=True)


def test_batch_norm_fit_updates_moving_statistics():
    from lamina.models import Sequential

    layer = layers.BatchNormalization(momentum=0.5)
    model = Sequential([layers.Input(shape=(3,)), layer, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = _inputs((8, 3))
    model.fit(x, np.zeros((8, 1), "float32"), epochs=1, batch_size=8, verbose=0)
    # One step: moving = 0.5 * initial + 0.5 * batch statistic.
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * x.mean(0), atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.5 + 0.5 * x.var(0), atol=1e-5)
