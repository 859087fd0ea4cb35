"""Dropout, SpatialDropout1D/2D, GaussianNoise, GaussianDropout."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# (class name, kwargs, input shape with batch)
CASES = [
    ("Dropout", {"rate": 0.5}, (4, 6)),
    ("Dropout", {"rate": 0.3, "noise_shape": (None, 1, 5), "seed": 3}, (2, 4, 5)),
    ("Dropout", {"rate": 0.0}, (4, 6)),
    ("SpatialDropout1D", {"rate": 0.5, "seed": 1}, (2, 4, 5)),
    ("GaussianNoise", {"stddev": 0.2, "seed": 2}, (4, 6)),
    ("GaussianDropout", {"rate": 0.4}, (4, 6)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _in_format(shape, data_format):
    return tuple(shape) if data_format == "channels_last" else (shape[0], shape[-1], *shape[1:-1])


def _parity(name, kwargs, shape):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    # Random draws differ between libraries; at inference both are the identity.
    assert_keras_parity(ours, theirs, _inputs(shape), call_kwargs={"training": False})
    ignored = {"name", "dtype", "trainable"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape):
    cls = getattr(layers, name)
    for training in (False, True):
        run_layer_test(
            cls,
            kwargs,
            shape,
            expected_output_shape=shape,
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            run_training=False,
            call_kwargs={"training": training},
        )


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape):
    _parity(name, kwargs, shape)


@pytest.mark.parametrize("data_format", FORMATS)
def test_spatial_dropout2d_behaviour_and_parity(data_format):
    shape = _in_format((2, 3, 4, 5), data_format)
    kwargs = {"rate": 0.5, "data_format": data_format, "seed": 4}
    run_layer_test(
        layers.SpatialDropout2D,
        kwargs,
        shape,
        expected_output_shape=shape,
        run_training=False,
        call_kwargs={"training": True},
    )
    _parity("SpatialDropout2D", kwargs, shape)
    # Each (sample, channel) feature map is dropped or kept as a whole.
    y = ops.convert_to_numpy(
        layers.SpatialDropout2D(**kwargs)(np.ones(shape, "float32"), training=True)
    )
    per_map = np.moveaxis(y, 1, -1) if data_format == "channels_first" else y
    per_map = per_map.reshape(2, -1, 5)
    assert np.all(per_map.min(axis=1) == per_map.max(axis=1))
    assert set(np.unique(per_map)) <= {0.0, 2.0}


# --------------------------------------------------------------------------- values


def test_dropout_statistics_and_scaling():
    layer = layers.Dropout(0.25, seed=0)
    x = np.ones((64, 64), "float32")
    y = ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.03
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)), x)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)  # inference by default


def test_dropout_masks_differ_between_calls_and_repeat_with_seed():
    x = np.ones((64, 64), "float32")
    layer = layers.Dropout(0.5, seed=7)
    first, second = (ops.convert_to_numpy(layer(x, training=True)) for _ in range(2))
    assert not np.array_equal(first, second)
    again = ops.convert_to_numpy(layers.Dropout(0.5, seed=7)(x, training=True))
    np.testing.assert_array_equal(first, again)


def test_dropout_noise_shape_broadcasts():
    y = ops.convert_to_numpy(
        layers.Dropout(0.5, noise_shape=(None, 1, None), seed=1)(
            np.ones((2, 4, 5), "float32"), training=True
        )
    )
    assert np.all(y == y[:, :1, :])


def test_spatial_dropout1d_drops_whole_channels():
    y = ops.convert_to_numpy(
        layers.SpatialDropout1D(0.5, seed=5)(np.ones((2, 4, 5), "float32"), training=True)
    )
    assert np.all(y == y[:, :1, :])


def test_gaussian_noise_and_dropout_statistics():
    x = np.ones((64, 64), "float32")
    noisy = ops.convert_to_numpy(layers.GaussianNoise(0.5, seed=0)(x, training=True)) - 1.0
    assert abs(noisy.mean()) < 0.03 and abs(noisy.std() - 0.5) < 0.03
    scaled = ops.convert_to_numpy(layers.GaussianDropout(0.2, seed=0)(x, training=True))
    assert abs(scaled.mean() - 1.0) < 0.03 and abs(scaled.std() - np.sqrt(0.2 / 0.8)) < 0.03


def test_dropout_in_a_symbolic_graph_with_unknown_batch():
    y = layers.Dropout(0.5, noise_shape=(None, 1))(layers.Input(shape=(3,)), training=True)
    assert y.shape == (None, 3)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Dropout(1.5), "rate"),
        (lambda: layers.Dropout(-0.1), "rate"),
        (lambda: layers.GaussianNoise(-1.0), "stddev"),
        (lambda: layers.GaussianDropout(2.0), "rate"),
        (lambda: layers.SpatialDropout2D(0.5, data_format="NHWC"), "data_format"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_noise_shape_rank_mismatch():
    layer = layers.Dropout(0.5, noise_shape=(None, 1))
    with pytest.raises(ValueError, match=layer.name):
        layer(np.ones((2, 3, 4), "float32"), training=True)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [(layers.SpatialDropout1D(0.5), (2, 3)), (layers.SpatialDropout2D(0.5), (2, 3, 4))],
)
def test_spatial_dropout_wrong_rank(layer, shape):
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.ones(shape, "float32"), training=True)
    assert layer.name in str(info.value)
