"""Conv1DTranspose/2D/3D: shapes, config, fit, Keras parity, a NumPy check."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# (class name, constructor kwargs, channels_last input shape with batch)
CASES = [
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 4)),
    (
        "Conv1DTranspose",
        {"filters": 3, "kernel_size": 3, "strides": 3, "padding": "same"},
        (2, 5, 4),
    ),
    (
        "Conv1DTranspose",
        {"filters": 2, "kernel_size": 1, "strides": 3, "output_padding": 1},
        (2, 5, 4),
    ),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2}, (2, 5, 4)),
    (
        "Conv2DTranspose",
        {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 4, 5, 2),
    ),
    (
        "Conv2DTranspose",
        {"filters": 2, "kernel_size": (2, 3), "strides": (2, 1), "output_padding": (1, 0)},
        (2, 4, 5, 2),
    ),
    (
        "Conv2DTranspose",
        {"filters": 2, "kernel_size": 3, "use_bias": False, "activation": "relu"},
        (2, 4, 5, 2),
    ),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2}, (1, 3, 4, 2, 2)),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]
# One fit per class, on its first case, in channels_last (see test_conv.py).
FIT_CASES = {name: kwargs for name, kwargs, _ in reversed(CASES)}


def _in_format(shape, data_format):
    if data_format == "channels_last":
        return tuple(shape)
    return (shape[0], shape[-1], *shape[1:-1])


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, data_format):
    cls = getattr(layers, name)
    kwargs_in, kwargs = kwargs, {**kwargs, "data_format": data_format}
    input_shape = _in_format(shape, data_format)
    run_layer_test(
        cls,
        kwargs,
        input_shape,
        expected_output_shape=cls(**kwargs).compute_output_shape(input_shape),
        expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
        expected_num_non_trainable_weights=0,
        run_training=FIT_CASES[name] is kwargs_in and data_format == "channels_last",
    )


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, data_format):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    kwargs = {**kwargs, "data_format": data_format}
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs, kernel_initializer="zeros")
    x = np.random.default_rng(0).standard_normal(_in_format(shape, data_format)).astype("float32")
    assert_keras_parity(ours, theirs, x)
    unknown_batch = (None, *x.shape[1:])
    assert ours.compute_output_shape(unknown_batch) == tuple(
        theirs.compute_output_shape(unknown_batch)
    )
    assert ours.get_config().keys() == theirs.get_config().keys()
    for key in ("kernel_size", "strides", "padding", "output_padding", "dilation_rate"):
        assert ours.get_config()[key] == theirs.get_config()[key], key


def test_conv1d_transpose_matches_numpy():
    # Each input step i adds x[i] @ kernel[j].T to output step i * stride + j.
    layer = layers.Conv1DTranspose(3, 4, strides=2, use_bias=False)
    x = np.random.default_rng(1).standard_normal((2, 5, 2)).astype("float32")
    y = ops.convert_to_numpy(layer(x))
    kernel = layer.kernel.numpy()  # (k, filters, in)
    expected = np.zeros((2, (5 - 1) * 2 + 4, 3))
    for i in range(5):
        for j in range(4):
            expected[:, i * 2 + j] += x[:, i] @ kernel[j].T
    np.testing.assert_allclose(y, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("layer", "input_shape", "expected"),
    [
        (
            layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
            (None, 7, None, 2),
            (None, 14, None, 4),
        ),
        (
            layers.Conv2DTranspose(4, 3, strides=2, data_format="channels_first"),
            (1, 2, 7, 5),
            (1, 4, 15, 11),
        ),
        (
            layers.Conv1DTranspose(2, 3, strides=2, padding="same", output_padding=0),
            (1, 5, 3),
            (1, 9, 2),
        ),
        (layers.Conv3DTranspose(1, 2, dilation_rate=2), (1, 3, 3, 3, 1), (1, 5, 5, 5, 1)),
    ],
)
def test_compute_output_shape(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected


def test_symbolic_upsampling():
    y = layers.Conv2DTranspose(4, 3, strides=2, padding="same")(layers.Input(shape=(7, 7, 2)))
    assert tuple(y.shape) == (None, 14, 14, 4)


def test_channels_swap_hint():
    layer = layers.Conv2DTranspose(2, 3, data_format="channels_last")
    layer.build((None, 8, 8, 1))
    with pytest.raises(InputShapeError, match="image_data_format"):
        layer(np.zeros((1, 1, 8, 8), "float32"))


def test_wrong_rank():
    layer = layers.Conv1DTranspose(2, 3)
    with pytest.raises(InputShapeError, match="expected rank 3") as info:
        layer(np.zeros((1, 4, 4, 2), "float32"))
    assert layer.name in str(info.value)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2), "output_padding"),
        (lambda: layers.Conv2DTranspose(2, 3, padding="causal"), "padding"),
        (lambda: layers.Conv1DTranspose(2, 3, strides=2, dilation_rate=2), "dilation_rate"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
