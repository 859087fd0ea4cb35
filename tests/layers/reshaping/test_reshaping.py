"""Flatten, Reshape, Permute, RepeatVector, ZeroPadding, UpSampling, Cropping."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# Layers without a data format: (class name, kwargs, input shape with batch).
PLAIN_CASES = [
    ("Reshape", {"target_shape": (4, 3)}, (2, 12)),
    ("Reshape", {"target_shape": (-1, 2)}, (2, 3, 4)),
    ("Reshape", {"target_shape": (6,)}, (3, 2, 3)),
    ("Permute", {"dims": (2, 1)}, (2, 3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
    ("RepeatVector", {"n": 3}, (2, 5)),
    ("UpSampling1D", {}, (2, 3, 4)),
    ("UpSampling1D", {"size": 3}, (2, 3, 4)),
    ("Cropping1D", {}, (2, 5, 3)),
    ("Cropping1D", {"cropping": (2, 0)}, (2, 5, 3)),
]
PLAIN_IDS = [f"{c[0]}-{i}" for i, c in enumerate(PLAIN_CASES)]

# Layers with a data format: (class name, kwargs, channels_last input shape with batch).
FORMAT_CASES = [
    ("Flatten", {}, (2, 3, 4)),
    ("Flatten", {}, (2, 3, 4, 5)),
    ("ZeroPadding1D", {}, (2, 4, 3)),
    ("ZeroPadding1D", {"padding": (2, 0)}, (2, 4, 3)),
    ("ZeroPadding2D", {}, (2, 4, 3, 2)),
    ("ZeroPadding2D", {"padding": (2, 1)}, (2, 4, 3, 2)),
    ("ZeroPadding2D", {"padding": ((1, 0), (0, 2))}, (2, 4, 3, 2)),
    ("UpSampling2D", {}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": (3, 2), "interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("UpSampling2D", {"size": 2, "interpolation": "bilinear"}, (2, 5, 1, 3)),
    ("Cropping2D", {"cropping": 1}, (2, 5, 4, 3)),
    ("Cropping2D", {"cropping": ((1, 0), (0, 2))}, (2, 5, 4, 3)),
]
FORMAT_IDS = [f"{c[0]}-{i}" for i, c in enumerate(FORMAT_CASES)]


def _in_format(shape, data_format):
    if data_format == "channels_last" or len(shape) < 3:
        return tuple(shape)
    return (shape[0], shape[-1], *shape[1:-1])


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _check(cls, kwargs, shape):
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=cls(**kwargs).compute_output_shape(shape),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        run_training=False,  # nothing to fit in a weightless layer
    )


def _parity(name, kwargs, shape):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape))
    unknown_batch = (None, *shape[1:])
    assert ours.compute_output_shape(unknown_batch) == tuple(
        theirs.compute_output_shape(unknown_batch)
    )
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key


@pytest.mark.parametrize(("name", "kwargs", "shape"), PLAIN_CASES, ids=PLAIN_IDS)
def test_layer_behaviour(name, kwargs, shape):
    _check(getattr(layers, name), kwargs, shape)


@pytest.mark.parametrize(("name", "kwargs", "shape"), PLAIN_CASES, ids=PLAIN_IDS)
def test_keras_parity(name, kwargs, shape):
    _parity(name, kwargs, shape)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), FORMAT_CASES, ids=FORMAT_IDS)
def test_layer_behaviour_formats(name, kwargs, shape, data_format):
    _check(
        getattr(layers, name),
        {**kwargs, "data_format": data_format},
        _in_format(shape, data_format),
    )


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), FORMAT_CASES, ids=FORMAT_IDS)
def test_keras_parity_formats(name, kwargs, shape, data_format):
    _parity(name, {**kwargs, "data_format": data_format}, _in_format(shape, data_format))


# --------------------------------------------------------------------------- values


def test_flatten_channels_first_orders_features_like_channels_last():
    x = _inputs((2, 3, 4, 5))
    last = ops.convert_to_numpy(layers.Flatten(data_format="channels_last")(x))
    first = ops.convert_to_numpy(
        layers.Flatten(data_format="channels_first")(np.moveaxis(x, -1, 1))
    )
    np.testing.assert_array_equal(last, first)
    np.testing.assert_array_equal(last, x.reshape(2, -1))


def test_reshape_infers_minus_one_symbolically():
    y = layers.Reshape((-1, 4))(layers.Input(shape=(3, 8)))
    assert y.shape == (None, 6, 4)
    y = layers.Reshape((-1, 4))(layers.Input(shape=(None, 8)))
    assert y.shape == (None, None, 4)


def test_upsampling_and_padding_match_numpy():
    x = _inputs((1, 2, 3, 1))
    up = ops.convert_to_numpy(layers.UpSampling2D((2, 3), data_format="channels_last")(x))
    np.testing.assert_array_equal(up, x.repeat(2, axis=1).repeat(3, axis=2))
    padded = ops.convert_to_numpy(
        layers.ZeroPadding2D(((1, 0), (0, 2)), data_format="channels_last")(x)
    )
    np.testing.assert_array_equal(padded, np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))))
    cropped = ops.convert_to_numpy(
        layers.Cropping2D(((1, 0), (1, 1)), data_format="channels_last")(x)
    )
    np.testing.assert_array_equal(cropped, x[:, 1:, 1:2, :])


def test_bilinear_upsampling_keeps_constant_images():
    x = np.full((1, 3, 3, 2), 7.0, "float32")
    y = ops.convert_to_numpy(
        layers.UpSampling2D(3, interpolation="bilinear", data_format="channels_last")(x)
    )
    np.testing.assert_allclose(y, np.full((1, 9, 9, 2), 7.0), atol=1e-6)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (layers.RepeatVector(2), (2, 3, 4)),
        (layers.Permute((2, 1)), (2, 3)),
        (layers.ZeroPadding2D(), (2, 3, 4)),
        (layers.UpSampling1D(), (2, 3, 4, 5)),
        (layers.Cropping2D(), (2, 3, 4)),
    ],
)
def test_wrong_rank_names_layer_and_shape(layer, shape):
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.zeros(shape, "float32"))
    assert layer.name in str(info.value) and str(shape) in str(info.value)


def test_reshape_wrong_size_names_layer_and_shapes():
    layer = layers.Reshape((5, 2))
    with pytest.raises(ValueError, match="cannot reshape") as info:
        layer(np.zeros((2, 12), "float32"))
    assert (
        layer.name in str(info.value)
        and "(2, 12)" in str(info.value)
        and "(5, 2)" in str(info.value)
    )
    with pytest.raises(ValueError, match=layer.name):
        layer(layers.Input(shape=(3, 3)))


def test_cropping_too_much():
    with pytest.raises(ValueError, match="removes"):
        layers.Cropping1D((2, 3))(np.zeros((1, 5, 2), "float32"))
    with pytest.raises(ValueError, match="removes"):
        layers.Cropping2D(((2, 2), (0, 0)), data_format="channels_last")(
            np.zeros((1, 4, 4, 1), "float32")
        )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Reshape((-1, -1)), "target_shape"),
        (lambda: layers.Permute((1, 3)), "dims"),
        (lambda: layers.RepeatVector(0), "n"),
        (lambda: layers.ZeroPadding1D((1, 2, 3)), "padding"),
        (lambda: layers.ZeroPadding2D((1, 2, 3)), "padding"),
        (lambda: layers.UpSampling2D(interpolation="lanczos7"), "interpolation"),
        (lambda: layers.UpSampling2D((0, 2)), "size"),
        (lambda: layers.Cropping2D(-1), "cropping"),
        (lambda: layers.Flatten(data_format="NHWC"), "data_format"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
