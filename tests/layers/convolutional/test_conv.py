"""Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D: shapes, config, fit, Keras parity."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# (lamina class name, constructor kwargs, channels_last input shape with batch)
CASES = [
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (2, 9, 3)),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same"}, (2, 9, 3)),
    (
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
        (2, 9, 3),
    ),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "groups": 2, "padding": "causal"}, (2, 9, 6)),
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (2, 7, 6, 3)),
    (
        "Conv2D",
        {"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same"},
        (2, 7, 6, 3),
    ),
    (
        "Conv2D",
        {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "activation": "relu"},
        (2, 7, 7, 3),
    ),
    ("Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3, "use_bias": False}, (2, 6, 6, 3)),
    (
        "Conv3D",
        {"filters": 3, "kernel_size": 2, "strides": (1, 2, 2), "padding": "same"},
        (2, 4, 5, 5, 2),
    ),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, (2, 9, 3)),
    (
        "DepthwiseConv2D",
        {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same"},
        (2, 7, 6, 3),
    ),
    (
        "DepthwiseConv2D",
        {"kernel_size": 2, "dilation_rate": 2, "activation": "tanh"},
        (2, 6, 6, 2),
    ),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "padding": "same"}, (2, 9, 3)),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}, (2, 7, 6, 3)),
    (
        "SeparableConv2D",
        {"filters": 2, "kernel_size": 2, "strides": 2, "use_bias": False},
        (2, 6, 6, 3),
    ),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]
# The short fit (a compile per case, the slow part) runs once per class, on its
# first case, in channels_last; the other cases vary arguments that the shape,
# config and parity checks cover in both formats.
FIT_CASES = {name: kwargs for name, kwargs, _ in reversed(CASES)}


def _fits(name, kwargs, data_format):
    return FIT_CASES[name] is kwargs and data_format == "channels_last"


def _in_format(shape, data_format):
    if data_format == "channels_last":
        return tuple(shape)
    return (shape[0], shape[-1], *shape[1:-1])


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, data_format):
    cls = getattr(layers, name)
    kwargs_in, kwargs = kwargs, {**kwargs, "data_format": data_format}
    input_shape = _in_format(shape, data_format)
    expected = cls(**kwargs).compute_output_shape(input_shape)
    n_weights = 3 if name.startswith("Separable") else 2
    if not kwargs.get("use_bias", True):
        n_weights -= 1
    run_layer_test(
        cls,
        kwargs,
        input_shape,
        expected_output_shape=expected,
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        run_training=_fits(name, kwargs_in, data_format),
    )


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, data_format):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    kwargs = {**kwargs, "data_format": data_format}
    ours = getattr(layers, name)(**kwargs)
    # Keras's weights are overwritten with ours; constant initial values spare
    # JAX a compile of its random generator for every kernel shape.
    initializers = {
        "Conv": ["kernel_initializer"],
        "Depthwise": ["depthwise_initializer"],
        "Separable": ["depthwise_initializer", "pointwise_initializer"],
    }[next(p for p in ("Conv", "Depthwise", "Separable") if name.startswith(p))]
    theirs = getattr(keras.layers, name)(**kwargs, **dict.fromkeys(initializers, "zeros"))
    x = _inputs(_in_format(shape, data_format))
    assert_keras_parity(ours, theirs, x)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert ours.compute_output_shape((None, *x.shape[1:])) == theirs.compute_output_shape(
        (None, *x.shape[1:])
    )
    theirs_config = theirs.get_config()
    ours_config = ours.get_config()
    assert set(ours_config) == set(theirs_config)
    for key in ("kernel_size", "strides", "dilation_rate", "padding", "data_format"):
        if key in theirs_config:
            assert ours_config[key] == theirs_config[key], key


# --------------------------------------------------------------------------- values


def _numpy_conv2d(x, kernel, bias):
    """Valid, stride-1 2-D cross-correlation, channels_last."""
    kh, kw = kernel.shape[:2]
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]), "float64")
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i : i + kh, j : j + kw, :]
            out[:, i, j] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out + bias


def test_conv2d_matches_numpy():
    layer = layers.Conv2D(3, (2, 3), bias_initializer="ones", data_format="channels_last")
    x = _inputs((2, 5, 6, 4))
    y = ops.convert_to_numpy(layer(x))
    expected = _numpy_conv2d(x, layer.kernel.numpy(), layer.bias.numpy())
    np.testing.assert_allclose(y, expected, atol=1e-5, rtol=1e-5)


def test_conv2d_channels_first_matches_channels_last():
    last = layers.Conv2D(3, 3, strides=2, padding="same", data_format="channels_last")
    first = layers.Conv2D(3, 3, strides=2, padding="same", data_format="channels_first")
    x = _inputs((2, 7, 6, 4))
    y_last = ops.convert_to_numpy(last(x))
    first(np.moveaxis(x, -1, 1))
    first.set_weights(last.get_weights())
    y_first = ops.convert_to_numpy(first(np.moveaxis(x, -1, 1)))
    np.testing.assert_allclose(np.moveaxis(y_first, 1, -1), y_last, atol=1e-5, rtol=1e-5)


def test_causal_conv1d_ignores_the_future():
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    x = _inputs((1, 12, 2))
    y = ops.convert_to_numpy(layer(x))
    changed = x.copy()
    changed[:, 7:] += 10.0
    y_changed = ops.convert_to_numpy(layer(changed))
    assert y.shape == (1, 12, 2)
    np.testing.assert_allclose(y[:, :7], y_changed[:, :7], atol=1e-6)
    assert not np.allclose(y[:, 7:], y_changed[:, 7:])


def test_grouped_conv_keeps_groups_apart():
    layer = layers.Conv2D(4, 1, groups=2, use_bias=False)
    x = _inputs((1, 3, 3, 4))
    y = ops.convert_to_numpy(layer(x))
    changed = x.copy()
    changed[..., 2:] += 5.0  # the second group's channels only
    y_changed = ops.convert_to_numpy(layer(changed))
    np.testing.assert_allclose(y[..., :2], y_changed[..., :2], atol=1e-6)


def test_depthwise_output_channel_order():
    layer = layers.DepthwiseConv2D(1, depth_multiplier=2, use_bias=False)
    x = _inputs((1, 2, 2, 3))
    y = ops.convert_to_numpy(layer(x))
    kernel = layer.kernel.numpy()[0, 0]  # (channels, multiplier)
    expected = (x[..., :, None] * kernel).reshape(1, 2, 2, 6)
    np.testing.assert_allclose(y, expected, atol=1e-6)


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    ("layer", "input_shape", "expected"),
    [
        (
            layers.Conv2D(5, 3, data_format="channels_last"),
            (None, 28, None, 1),
            (None, 26, None, 5),
        ),
        (layers.Conv2D(5, 3, data_format="channels_first"), (None, 1, 28, 28), (None, 5, 26, 26)),
        (layers.Conv2D(5, 3, strides=2, padding="same"), (8, 7, 7, 3), (8, 4, 4, 5)),
        (layers.Conv1D(2, 4, padding="causal", strides=3), (None, 10, 3), (None, 4, 2)),
        (
            layers.Conv3D(2, 2, dilation_rate=2, data_format="channels_first"),
            (1, 3, 5, 6, 7),
            (1, 2, 3, 4, 5),
        ),
        (layers.DepthwiseConv2D(3, depth_multiplier=3), (None, 5, 5, 2), (None, 3, 3, 6)),
        (layers.SeparableConv1D(7, 3, data_format="channels_first"), (None, 2, 9), (None, 7, 7)),
    ],
)
def test_compute_output_shape(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected


def test_symbolic_call_uses_compute_output_shape():
    x = layers.Input(shape=(None, 10, 3))
    y = layers.Conv2D(4, 3, padding="same")(x)
    assert tuple(y.shape) == (None, None, 10, 4)


# --------------------------------------------------------------------------- errors


def test_channels_first_data_to_channels_last_model_names_image_data_format():
    layer = layers.Conv2D(8, 3, data_format="channels_last")
    layer(np.zeros((2, 28, 28, 1), "float32"))
    with pytest.raises(InputShapeError, match="image_data_format") as info:
        layer(np.zeros((2, 1, 28, 28), "float32"))
    message = str(info.value)
    assert layer.name in message and "(2, 1, 28, 28)" in message and "channels_first" in message


def test_channels_swap_hint_on_symbolic_input():
    layer = layers.Conv2D(8, 3, data_format="channels_last")
    layer.build((None, 28, 28, 1))
    with pytest.raises(InputShapeError, match="image_data_format"):
        layer(layers.Input(shape=(1, 28, 28)))


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (layers.Conv2D(2, 3), (2, 8, 3)),
        (layers.Conv2D(2, 3), (2, 8, 8, 8, 3)),
        (layers.Conv1D(2, 3), (2, 8, 8, 3)),
        (layers.DepthwiseConv2D(3), (2, 8, 3)),
        (layers.SeparableConv2D(2, 3), (8, 8)),
    ],
)
def test_wrong_rank_names_layer_and_shape(layer, shape):
    with pytest.raises(InputShapeError, match=f"expected rank {layer.rank + 2}") as info:
        layer(np.zeros(shape, "float32"))
    assert layer.name in str(info.value) and str(shape) in str(info.value)


def test_wrong_rank_symbolic():
    layer = layers.Conv3D(2, 3)
    with pytest.raises(InputShapeError, match=layer.name):
        layer(layers.Input(shape=(8, 8, 3)))


def test_channel_count_mismatch_after_build():
    layer = layers.Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(InputShapeError, match=r"axis -1 to have size 3, got 4"):
        layer(np.zeros((1, 5, 5, 4), "float32"))


def test_input_too_small_for_kernel():
    with pytest.raises(ValueError, match="too small"):
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), "float32"))


def test_unknown_channels_rejected():
    with pytest.raises(ValueError, match="channel dimension"):
        layers.Conv2D(2, 3).build((None, 5, 5, None))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Conv2D(2, 3, padding="causal"), "padding"),
        (lambda: layers.Conv2D(3, 3, groups=2), "divisible"),
        (lambda: layers.Conv2D(0, 3), "filters"),
        (lambda: layers.Conv2D(2, (3, 3, 3)), "kernel_size"),
        (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.Conv1D(2, 3, data_format="nchw"), "data_format"),
        (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
        (lambda: layers.SeparableConv2D(2, 0), "kernel_size"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError, match="divisible by groups=2"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), "float32"))


def test_aliases():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
