"""GroupNormalization and RMSNormalization."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

# (class name, kwargs, input shape with batch, trainable weights)
CASES = [
    ("GroupNormalization", {"groups": 2}, (3, 4, 6), 2),
    ("GroupNormalization", {"groups": -1, "epsilon": 1e-5}, (2, 3, 3, 4), 2),
    ("GroupNormalization", {"groups": 3, "axis": 1}, (2, 6, 3, 3), 2),  # channels_first
    ("GroupNormalization", {"groups": 1, "center": False}, (4, 5), 1),
    ("GroupNormalization", {"groups": 2, "scale": False}, (2, 3, 2, 2, 4), 1),
    ("RMSNormalization", {}, (4, 5), 1),
    ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, (3, 4, 5), 1),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]
FIT_IDS = {"GroupNormalization-1", "RMSNormalization-6"}


def _inputs(shape, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 2.0 + 0.5).astype("float32")


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in layer.weights])


def _group_norm_reference(x, groups, axis, gamma, beta, epsilon):
    x = np.moveaxis(x, axis, -1)
    grouped = x.reshape(*x.shape[:-1], groups, x.shape[-1] // groups)
    axes = tuple(range(1, grouped.ndim - 2)) + (grouped.ndim - 1,)
    mean = grouped.mean(axis=axes, keepdims=True)
    var = grouped.var(axis=axes, keepdims=True)
    y = ((grouped - mean) / np.sqrt(var + epsilon)).reshape(x.shape) * gamma + beta
    return np.moveaxis(y, -1, axis)


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, trainable, request):
    run_layer_test(
        getattr(layers, name),
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=0,
        run_training=request.node.callspec.id in FIT_IDS,
    )


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, trainable):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    x = _inputs(shape)
    ours = getattr(layers, name)(**kwargs)
    ours(x)
    _randomize(ours)
    theirs = getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, x)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert ours.compute_output_shape((None, *shape[1:])) == tuple(
        theirs.compute_output_shape((None, *shape[1:]))
    )
    ignored = {"name", "dtype", "axis"}  # Keras lists RMSNormalization's axis after building
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() == theirs_config.keys()
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_group_norm_matches_numpy_in_both_formats(data_format):
    x = _inputs((2, 3, 4, 6))
    axis = -1
    if data_format == "channels_first":
        x, axis = np.moveaxis(x, -1, 1), 1
    layer = layers.GroupNormalization(groups=3, axis=axis, epsilon=1e-4)
    layer(x)
    _randomize(layer)
    gamma, beta = layer.get_weights()
    expected = _group_norm_reference(x, 3, axis, gamma, beta, 1e-4)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, atol=1e-5)


def test_rms_norm_matches_numpy():
    x = _inputs((3, 4, 5))
    layer = layers.RMSNormalization(axis=[1, 2], epsilon=1e-3)
    layer(x)
    _randomize(layer)
    (scale,) = layer.get_weights()
    expected = x / np.sqrt(np.mean(x**2, axis=(1, 2), keepdims=True) + 1e-3) * scale
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, atol=1e-5)
    # A single non-last axis: the scale broadcasts along that axis.
    layer = layers.RMSNormalization(axis=1)
    y = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(
        y, x / np.sqrt(np.mean(x**2, axis=1, keepdims=True) + 1e-6), atol=1e-5
    )
    assert layer.scale.shape == (4,)


def test_group_norm_minus_one_is_instance_norm_and_groups_resolve():
    x = _inputs((2, 5, 4))
    layer = layers.GroupNormalization(groups=-1, center=False, scale=False)
    y = ops.convert_to_numpy(layer(x))
    expected = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, atol=1e-5)
    assert layer.groups == 4 and layer.get_config()["groups"] == 4


def test_masks_pass_through():
    x = _inputs((2, 3, 4))
    mask = ops.convert_to_tensor(np.array([[1, 1, 0], [1, 1, 1]], bool))
    for layer in (layers.GroupNormalization(2), layers.RMSNormalization()):
        assert layer.supports_masking
        np.testing.assert_array_equal(
            ops.convert_to_numpy(layer.compute_mask(x, mask)), [[1, 1, 0], [1, 1, 1]]
        )


@pytest.mark.parametrize(
    ("make", "shape", "match"),
    [
        (lambda: layers.GroupNormalization(groups=4), (2, 6), "groups=4"),
        (lambda: layers.GroupNormalization(groups=8), (2, 6), "groups=8"),
        (lambda: layers.GroupNormalization(groups=2, axis=3), (2, 4), "axis=3"),
        (lambda: layers.RMSNormalization(axis=2), (2, 4), "axis=2"),
    ],
)
def test_bad_shapes_name_the_value(make, shape, match):
    layer = make()
    with pytest.raises(ValueError, match=match) as info:
        layer(np.zeros(shape, "float32"))
    assert layer.name in str(info.value)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.GroupNormalization(groups=0), "groups=0"),
        (lambda: layers.GroupNormalization(groups=2.0), "groups=2.0"),
        (lambda: layers.GroupNormalization(axis=[1, 2]), "axis"),
        (lambda: layers.RMSNormalization(axis="last"), "axis"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _model(K):
    inputs = K.Input((3, 4, 6))
    x = K.layers.GroupNormalization(groups=2)(inputs)
    x = K.layers.RMSNormalization()(x)
    return K.Model(inputs, K.layers.Dense(2)(x))


def test_trains_and_saves(tmp_path):
    model = _model(lamina)
    x = _inputs((4, 3, 4, 6))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, np.zeros((4, 3, 4, 2), "float32"), epochs=2, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "norms.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_files_move_both_ways_with_keras(tmp_path):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    x = _inputs((2, 3, 4, 6))
    ours = _model(lamina)
    _randomize(ours)
    ours.save(str(tmp_path / "ours.keras"))
    theirs = keras.saving.load_model(str(tmp_path / "ours.keras"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-5
    )
    theirs = _model(keras)
    theirs.set_weights([w * 1.1 for w in ours.get_weights()])
    theirs.save(str(tmp_path / "theirs.keras"))
    loaded = lamina.saving.load_model(str(tmp_path / "theirs.keras"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-5
    )
