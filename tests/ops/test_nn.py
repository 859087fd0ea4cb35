"""lamina.ops.nn against NumPy references, on the engine this process runs.

Shape-rule tests come first and are kept apart from value tests. Tolerances
are stated per table: float32 element-wise ops agree to about 1e-6, sums over
windows (conv, pooling, cross-entropies) to about 1e-5 relative.
"""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina import config, ops
from lamina.backend import engine

F32 = {"rtol": 1e-5, "atol": 1e-6}
SUMS = {"rtol": 1e-4, "atol": 1e-5}

NN_CONTRACT = (
    "relu relu6 sigmoid tanh softplus softsign silu log_sigmoid hard_sigmoid elu selu gelu "
    "leaky_relu softmax log_softmax one_hot conv depthwise_conv max_pool average_pool moments "
    "batch_normalization categorical_crossentropy sparse_categorical_crossentropy "
    "binary_crossentropy"
).split()


def _np(x):
    return ops.convert_to_numpy(x)


def _randn(*shape):
    return np.random.randn(*shape).astype("float32")


# --------------------------------------------------------------------------- NumPy references


def _erf(x):
    return np.vectorize(math.erf)(x).astype(x.dtype)


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_gelu(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


def _np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))


ACTIVATIONS = {
    "relu": (lambda x: ops.relu(x), lambda x: np.maximum(x, 0)),
    "relu6": (lambda x: ops.relu6(x), lambda x: np.clip(x, 0, 6)),
    "sigmoid": (lambda x: ops.sigmoid(x), _np_sigmoid),
    "tanh": (lambda x: ops.tanh(x), np.tanh),
    "softplus": (lambda x: ops.softplus(x), lambda x: np.logaddexp(0, x)),
    "softsign": (lambda x: ops.softsign(x), lambda x: x / (1 + np.abs(x))),
    "silu": (lambda x: ops.silu(x), lambda x: x * _np_sigmoid(x)),
    "log_sigmoid": (lambda x: ops.log_sigmoid(x), lambda x: -np.logaddexp(0, -x)),
    "hard_sigmoid": (lambda x: ops.hard_sigmoid(x), lambda x: np.clip(x + 3, 0, 6) / 6),
    "elu": (lambda x: ops.elu(x), _np_elu),
    "elu_alpha": (lambda x: ops.elu(x, alpha=0.5), lambda x: _np_elu(x, 0.5)),
    "selu": (
        lambda x: ops.selu(x),
        lambda x: 1.0507009873554805 * _np_elu(x, 1.6732632423543772),
    ),
    "gelu": (lambda x: ops.gelu(x), _np_gelu),
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False), lambda x: _np_gelu(x, False)),
    "leaky_relu": (lambda x: ops.leaky_relu(x), lambda x: np.where(x > 0, x, 0.2 * x)),
    "leaky_relu_slope": (
        lambda x: ops.leaky_relu(x, negative_slope=0.01),
        lambda x: np.where(x > 0, x, 0.01 * x),
    ),
    "softmax": (lambda x: ops.softmax(x), _np_softmax),
    "softmax_axis0": (lambda x: ops.softmax(x, axis=0), lambda x: _np_softmax(x, 0)),
    "softmax_axes": (
        lambda x: ops.softmax(x, axis=(0, 1)),
        lambda x: _np_softmax(x.reshape(-1)).reshape(x.shape),
    ),
    "log_softmax": (lambda x: ops.log_softmax(x), lambda x: np.log(_np_softmax(x))),
    "log_softmax_axis0": (
        lambda x: ops.log_softmax(x, axis=0),
        lambda x: np.log(_np_softmax(x, 0)),
    ),
}


def _out_size(size, window, stride, dilation, padding):
    k_eff = (window - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    return (size - k_eff) // stride + 1


def _same_pads(size, k_eff, stride):
    total = max((-(-size // stride) - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def _windows(x, window, strides, dilation, padding, pad_value=0.0):
    """Yield (window offset, strided slice of x) for a channels-last x.

    Each slice holds, for every output position, the input cell under that
    window offset: an N-D sliding window built from plain slicing.
    """
    spatial = len(window)
    k_eff = [(w - 1) * d + 1 for w, d in zip(window, dilation, strict=True)]
    if padding == "same":
        pads = [_same_pads(x.shape[i + 1], k_eff[i], strides[i]) for i in range(spatial)]
        x = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=pad_value)
    outs = [(x.shape[i + 1] - k_eff[i]) // strides[i] + 1 for i in range(spatial)]
    for offset in np.ndindex(*window):
        index = tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, n, s in zip(offset, dilation, outs, strides, strict=True)
        )
        yield offset, x[(slice(None), *index, slice(None))]


def _np_conv(x, kernel, strides, padding, dilation):
    out = 0.0
    window = kernel.shape[:-2]
    for offset, patch in _windows(x, window, strides, dilation, padding):
        out = out + patch @ kernel[offset]
    return out


def _np_depthwise(x, kernel, strides, padding, dilation):
    out = 0.0
    window = kernel.shape[:-2]
    for offset, patch in _windows(x, window, strides, dilation, padding):
        out = out + (patch[..., :, None] * kernel[offset]).reshape(*patch.shape[:-1], -1)
    return out


def _np_max_pool(x, window, strides, padding):
    patches = [p for _, p in _windows(x, window, strides, (1,) * len(window), padding, -np.inf)]
    return np.max(patches, axis=0)


def _np_average_pool(x, window, strides, padding):
    ones = np.ones_like(x)
    dil = (1,) * len(window)
    total = sum(p for _, p in _windows(x, window, strides, dil, padding))
    count = sum(p for _, p in _windows(ones, window, strides, dil, padding))
    return total / count


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _to_last(x):
    return np.moveaxis(x, 1, -1)


def _clip(p):
    eps = config.epsilon()
    return np.clip(p, eps, 1 - eps)


# --------------------------------------------------------------------------- contract


def test_engine_exports_contract_names():
    missing = [name for name in NN_CONTRACT if not callable(getattr(engine.nn, name, None))]
    assert missing == []
    # Every backend function is a public op (others, like swish, are built from them).
    assert set(NN_CONTRACT) <= set(ops.nn.__all__)


def _public_signatures(engine_name: str) -> dict:
    """Public functions of an engine's nn module, read from its source.

    Parsing instead of importing keeps the other engine out of this process.
    """
    path = Path(lamina.__file__).parent / "backend" / engine_name / "nn.py"
    tree = ast.parse(path.read_text())
    return {
        node.name: ast.unparse(node.args)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def test_engines_share_signatures():
    tf_functions, jax_functions = _public_signatures("tensorflow"), _public_signatures("jax")
    assert tf_functions == jax_functions
    assert sorted(tf_functions) == sorted(NN_CONTRACT)


# --------------------------------------------------------------------------- shape rules

CONV_SHAPES = [
    # spatial sizes, window, strides, padding, dilation
    ((9,), (3,), (1,), "valid", (1,)),
    ((9,), (3,), (2,), "same", (1,)),
    ((10,), (2,), (3,), "valid", (2,)),
    ((7, 8), (3, 2), (1, 1), "same", (2, 1)),
    ((7, 8), (3, 3), (2, 3), "valid", (1, 1)),
    ((7, 8), (3, 3), (2, 2), "same", (2, 2)),
    ((5, 6, 4), (2, 3, 1), (1, 2, 1), "same", (1, 1, 1)),
    ((5, 6, 4), (2, 2, 2), (2, 1, 1), "valid", (1, 2, 1)),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("sizes, window, strides, padding, dilation", CONV_SHAPES)
def test_conv_shape_rule(sizes, window, strides, padding, dilation, data_format):
    cin, cout = 2, 3
    shape = (2, *sizes, cin) if data_format == "channels_last" else (2, cin, *sizes)
    out = ops.conv(
        np.zeros(shape, "float32"),
        np.zeros((*window, cin, cout), "float32"),
        strides,
        padding,
        data_format,
        dilation,
    )
    spatial = tuple(map(_out_size, sizes, window, strides, dilation, [padding] * len(sizes)))
    expected = (2, *spatial, cout) if data_format == "channels_last" else (2, cout, *spatial)
    assert tuple(out.shape) == expected


@pytest.mark.parametrize("sizes, window, strides, padding, dilation", CONV_SHAPES)
def test_depthwise_conv_shape_rule(sizes, window, strides, padding, dilation):
    out = ops.depthwise_conv(
        np.zeros((1, *sizes, 3), "float32"),
        np.zeros((*window, 3, 2), "float32"),
        strides,
        padding,
        "channels_last",
        dilation,
    )
    spatial = tuple(map(_out_size, sizes, window, strides, dilation, [padding] * len(sizes)))
    assert tuple(out.shape) == (1, *spatial, 6)


POOL_SHAPES = [
    # spatial sizes, pool_size, strides, padding
    ((9,), 2, None, "valid"),
    ((9,), 3, 2, "same"),
    ((7, 8), (2, 3), None, "same"),
    ((7, 8), 3, (2, 1), "valid"),
    ((5, 6, 4), 2, None, "valid"),
    ((5, 6, 4), (3, 2, 2), 2, "same"),
]


@pytest.mark.parametrize("pool", ["max_pool", "average_pool"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("sizes, pool_size, strides, padding", POOL_SHAPES)
def test_pool_shape_rule(sizes, pool_size, strides, padding, data_format, pool):
    shape = (2, *sizes, 3) if data_format == "channels_last" else (2, 3, *sizes)
    out = getattr(ops, pool)(np.zeros(shape, "float32"), pool_size, strides, padding, data_format)
    n = len(sizes)
    window = (pool_size,) * n if isinstance(pool_size, int) else pool_size
    strides = (
        window if strides is None else (strides,) * n if isinstance(strides, int) else strides
    )
    spatial = tuple(map(_out_size, sizes, window, strides, (1,) * n, [padding] * n))
    expected = (2, *spatial, 3) if data_format == "channels_last" else (2, 3, *spatial)
    assert tuple(out.shape) == expected


@pytest.mark.parametrize(
    "axes, keepdims, expected",
    [
        (0, False, (3, 4)),
        ((0, 2), False, (3,)),
        ((0, 2), True, (1, 3, 1)),
        (None, False, ()),
        (-1, True, (2, 3, 1)),
    ],
)
def test_moments_shape_rule(axes, keepdims, expected):
    mean, var = ops.moments(np.ones((2, 3, 4), "float32"), axes, keepdims=keepdims)
    assert tuple(mean.shape) == expected
    assert tuple(var.shape) == expected


@pytest.mark.parametrize(
    "shape, axis, expected",
    [((4,), -1, (4, 5)), ((2, 3), -1, (2, 3, 5)), ((2, 3), 0, (5, 2, 3)), ((2, 3), 1, (2, 5, 3))],
)
def test_one_hot_shape_rule(shape, axis, expected):
    out = ops.one_hot(np.zeros(shape, "int32"), 5, axis=axis)
    assert tuple(out.shape) == expected


@pytest.mark.parametrize(
    "out_shape, target_shape, axis, expected",
    [
        ((4, 5), (4,), -1, (4,)),
        ((4, 5), (4, 1), -1, (4,)),
        ((2, 3, 5), (2, 3), -1, (2, 3)),
        ((2, 5, 3), (2, 3), 1, (2, 3)),
    ],
)
def test_sparse_crossentropy_shape_rule(out_shape, target_shape, axis, expected):
    out = ops.sparse_categorical_crossentropy(
        np.zeros(target_shape, "int32"), np.ones(out_shape, "float32"), axis=axis
    )
    assert tuple(out.shape) == expected


def test_categorical_and_binary_crossentropy_shape_rule():
    p = np.full((2, 3, 4), 0.25, "float32")
    assert tuple(ops.categorical_crossentropy(p, p).shape) == (2, 3)
    assert tuple(ops.categorical_crossentropy(p, p, axis=1).shape) == (2, 4)
    assert tuple(ops.binary_crossentropy(p, p).shape) == (2, 3, 4)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ops.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4))),
        lambda: ops.binary_crossentropy(np.ones((2, 3)), np.ones((3, 2))),
        lambda: ops.sparse_categorical_crossentropy(np.zeros((3,), "int32"), np.ones((2, 4))),
        lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 3, 2, 1))),
        lambda: ops.conv(np.ones((1, 5, 2)), np.ones((3, 2, 1)), padding="full"),
        lambda: ops.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 1)), strides=(1, 1, 1)),
        lambda: ops.max_pool(np.ones((1, 5, 2)), 2, data_format="channels_middle"),
    ],
    ids=["cce", "bce", "sparse", "conv-rank", "padding", "strides-len", "data-format"],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values(name):
    op, reference = ACTIVATIONS[name]
    x = np.concatenate([np.linspace(-8, 8, 33, dtype="float32"), _randn(15)]).reshape(6, 8)
    out = _np(op(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference(x), **F32)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_activation_keeps_float_dtype(name, dtype):
    op, reference = ACTIVATIONS[name]
    x = np.linspace(-4, 4, 12).reshape(3, 4).astype(dtype)
    out = _np(op(x))
    assert out.dtype == np.dtype(dtype)
    # float16 has 11 significant bits: about 3 decimal digits.
    np.testing.assert_allclose(out.astype("float32"), reference(x.astype("float32")), atol=1e-2)


def test_activation_of_python_list_gives_floatx():
    out = _np(ops.sigmoid([0.0, 1.0]))
    assert out.dtype == np.dtype(config.floatx())
    np.testing.assert_allclose(out, [0.5, _np_sigmoid(1.0)], **F32)


@pytest.mark.parametrize(
    "shape, num_classes, axis, dtype",
    [
        ((6,), 4, -1, None),
        ((2, 3), 5, -1, "int32"),
        ((2, 3), 4, 0, "float32"),
        ((2, 3), 3, 1, None),
    ],
)
def test_one_hot_values(shape, num_classes, axis, dtype):
    x = np.random.randint(-1, num_classes + 1, size=shape).astype("int32")
    out = _np(ops.one_hot(x, num_classes, axis=axis, dtype=dtype))
    # Out-of-range ids (-1 and num_classes) give all-zero rows.
    expected = np.moveaxis((x[..., None] == np.arange(num_classes)), -1, axis)
    assert out.dtype == np.dtype(dtype or config.floatx())
    np.testing.assert_array_equal(out, expected.astype(out.dtype))


def test_int64_class_ids_are_accepted():
    # NumPy's default integers are int64, which JAX without x64 narrows.
    ids = np.array([0, 2, 1])
    np.testing.assert_array_equal(_np(ops.one_hot(ids, 3)), np.eye(3, dtype="float32")[ids])
    out = ops.sparse_categorical_crossentropy(ids, np.full((3, 3), 1 / 3, "float32"))
    np.testing.assert_allclose(_np(out), np.full(3, np.log(3.0)), **F32)


# --------------------------------------------------------------------------- convolution

CONV_VALUES = [
    # spatial sizes, window, strides, padding, dilation
    ((11,), (3,), (1,), "valid", (1,)),
    ((11,), (4,), (2,), "same", (1,)),
    ((11,), (3,), (1,), "same", (2,)),
    ((12,), (3,), (2,), "same", (3,)),
    ((7, 8), (3, 3), (1, 1), "valid", (1, 1)),
    ((7, 8), (2, 3), (2, 1), "same", (1, 1)),
    ((9, 8), (3, 2), (1, 1), "same", (2, 3)),
    ((9, 9), (3, 3), (2, 2), "valid", (2, 2)),
    ((9, 10), (3, 2), (2, 3), "same", (2, 2)),
    ((5, 6, 5), (2, 3, 2), (1, 2, 1), "same", (1, 1, 1)),
    ((6, 6, 6), (2, 2, 2), (2, 2, 1), "valid", (2, 1, 2)),
    ((6, 7, 5), (3, 2, 2), (2, 2, 2), "same", (2, 2, 1)),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("sizes, window, strides, padding, dilation", CONV_VALUES)
def test_conv_values(sizes, window, strides, padding, dilation, data_format):
    x = _randn(2, *sizes, 3)
    kernel = _randn(*window, 3, 4)
    expected = _np_conv(x, kernel, strides, padding, dilation)
    if data_format == "channels_first":
        out = _to_last(
            _np(ops.conv(_to_first(x), kernel, strides, padding, data_format, dilation))
        )
    else:
        out = _np(ops.conv(x, kernel, strides, padding, data_format, dilation))
    np.testing.assert_allclose(out, expected, **SUMS)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("sizes, window, strides, padding, dilation", CONV_VALUES)
def test_depthwise_conv_values(sizes, window, strides, padding, dilation, data_format):
    x = _randn(2, *sizes, 3)
    kernel = _randn(*window, 3, 2)
    expected = _np_depthwise(x, kernel, strides, padding, dilation)
    args = (kernel, strides, padding, data_format, dilation)
    if data_format == "channels_first":
        out = _to_last(_np(ops.depthwise_conv(_to_first(x), *args)))
    else:
        out = _np(ops.depthwise_conv(x, *args))
    np.testing.assert_allclose(out, expected, **SUMS)


def test_conv_uses_configured_data_format():
    x, kernel = _randn(1, 6, 5, 2), _randn(3, 3, 2, 3)
    expected = _np_conv(x, kernel, (1, 1), "valid", (1, 1))
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        out = _to_last(_np(ops.conv(_to_first(x), kernel)))
    finally:
        config.set_image_data_format(previous)
    np.testing.assert_allclose(out, expected, **SUMS)


def test_conv_scalar_arguments_and_dtype():
    x, kernel = _randn(1, 6, 5, 2), _randn(3, 3, 2, 3)
    out = _np(ops.conv(x, kernel, strides=2, padding="same", dilation_rate=1))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, _np_conv(x, kernel, (2, 2), "same", (1, 1)), **SUMS)


# --------------------------------------------------------------------------- pooling

POOL_VALUES = [
    # spatial sizes, pool_size, strides, padding
    ((10,), 2, None, "valid"),
    ((10,), 3, 2, "same"),
    ((9,), 4, 3, "same"),
    ((7, 8), 2, None, "valid"),
    ((7, 8), (3, 2), (2, 2), "same"),
    ((7, 7), 3, 1, "same"),
    ((5, 6, 5), 2, None, "valid"),
    ((5, 6, 5), (3, 2, 2), (2, 1, 2), "same"),
]


def _full(value, n):
    return (value,) * n if isinstance(value, int) else value


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("pool", ["max_pool", "average_pool"])
@pytest.mark.parametrize("sizes, pool_size, strides, padding", POOL_VALUES)
def test_pool_values(sizes, pool_size, strides, padding, pool, data_format):
    # Negative inputs make sure max pooling never picks a padded cell.
    x = _randn(2, *sizes, 3) - 5.0
    window = _full(pool_size, len(sizes))
    full_strides = window if strides is None else _full(strides, len(sizes))
    reference = _np_max_pool if pool == "max_pool" else _np_average_pool
    expected = reference(x, window, full_strides, padding)
    op = getattr(ops, pool)
    if data_format == "channels_first":
        out = _to_last(_np(op(_to_first(x), pool_size, strides, padding, data_format)))
    else:
        out = _np(op(x, pool_size, strides, padding, data_format))
    np.testing.assert_allclose(out, expected, **SUMS)


def test_same_average_pool_ignores_padding():
    # On ones, every window must average to exactly 1, borders included.
    out = _np(ops.average_pool(np.ones((1, 5, 5, 1), "float32"), 3, 2, "same"))
    np.testing.assert_array_equal(out, np.ones((1, 3, 3, 1), "float32"))


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize("axes", [0, (0, 1), (0, 2), -1, None])
@pytest.mark.parametrize("keepdims", [False, True])
def test_moments_values(axes, keepdims):
    x = _randn(4, 3, 5) * 3 + 2
    np_axes = axes if not isinstance(axes, list) else tuple(axes)
    mean, var = ops.moments(x, axes, keepdims=keepdims)
    np.testing.assert_allclose(_np(mean), x.mean(axis=np_axes, keepdims=keepdims), **SUMS)
    # Biased variance: divided by n, as np.var's default ddof=0.
    np.testing.assert_allclose(_np(var), x.var(axis=np_axes, keepdims=keepdims), **SUMS)


def test_moments_of_float16_are_computed_in_float32():
    # Their float16 sum, about 102900, overflows float16 (max 65504).
    x = (np.full((1024,), 100.0) + np.tile([0.0, 1.0], 512)).astype("float16")
    mean, var = ops.moments(x, 0)
    assert _np(mean).dtype == np.float16
    assert float(_np(mean)) == 100.5
    assert float(_np(var)) == pytest.approx(0.25, rel=1e-3)


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("with_affine", [False, True])
def test_batch_normalization_values(axis, with_affine):
    x = _randn(4, 3, 5) if axis == 1 else _randn(4, 5, 3)
    c = x.shape[axis]
    mean, var = _randn(c), np.abs(_randn(c)) + 0.5
    offset, scale = (_randn(c), _randn(c)) if with_affine else (None, None)
    shape = [1, 1, 1]
    shape[axis] = c
    expected = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + 1e-3)
    if with_affine:
        expected = expected * scale.reshape(shape) + offset.reshape(shape)
    out = ops.batch_normalization(x, mean, var, axis, offset=offset, scale=scale)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_batch_normalization_epsilon():
    x = _randn(3, 2)
    out = ops.batch_normalization(x, np.zeros(2), np.zeros(2), -1, epsilon=0.25)
    np.testing.assert_allclose(_np(out), x * 2.0, **F32)


# --------------------------------------------------------------------------- cross-entropies


def _np_cce(target, output, axis=-1):
    output = output / output.sum(axis=axis, keepdims=True)
    return -(target * np.log(_clip(output))).sum(axis=axis)


def _np_cce_logits(target, logits, axis=-1):
    return -(target * np.log(_np_softmax(logits.astype("float64"), axis))).sum(axis=axis)


def _probabilities(*shape, axis=-1):
    p = _np_softmax(_randn(*shape) * 2, axis).astype("float32")
    # Exact 0 and 1 exercise the clipping to [epsilon, 1 - epsilon].
    p.flat[0] = 0.0
    return p


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_crossentropy_values(axis, from_logits):
    target = _np_softmax(_randn(4, 5, 3), axis).astype("float32")
    if from_logits:
        output = _randn(4, 5, 3) * 3
        expected = _np_cce_logits(target, output, axis)
    else:
        output = _probabilities(4, 5, 3, axis=axis) * 2.0  # unnormalized on purpose
        expected = _np_cce(target, output, axis)
    out = ops.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_categorical_crossentropy_of_a_certain_wrong_guess_is_minus_log_epsilon():
    out = ops.categorical_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])
    np.testing.assert_allclose(_np(out), [-np.log(config.epsilon())], rtol=1e-5)


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("trailing_one", [False, True])
def test_sparse_categorical_crossentropy_values(axis, from_logits, trailing_one):
    classes = 5
    shape = (4, 3, classes) if axis == -1 else (4, classes, 3)
    ids = np.random.randint(0, classes, size=(4, 3))
    target = np.moveaxis(np.eye(classes, dtype="float32")[ids], -1, axis)
    output = _randn(*shape) * 3 if from_logits else _probabilities(*shape, axis=axis)
    reference = _np_cce_logits if from_logits else _np_cce
    expected = reference(target, output, axis)
    sparse = ids[..., None] if trailing_one and axis == -1 else ids
    out = ops.sparse_categorical_crossentropy(
        sparse.astype("int32"), output, from_logits=from_logits, axis=axis
    )
    np.testing.assert_allclose(_np(out), expected, **SUMS)


@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy_values(from_logits):
    target = np.random.rand(4, 6).astype("float32")
    target[0, :2] = [0.0, 1.0]
    if from_logits:
        output = _randn(4, 6) * 10  # large logits test the stable form
        x = output.astype("float64")
        expected = np.maximum(x, 0) - x * target + np.log1p(np.exp(-np.abs(x)))
    else:
        output = np.random.rand(4, 6).astype("float32")
        output[0, :2] = [1.0, 0.0]
        # Clip and subtract in float32 like the engines: 1 - (1 - epsilon) is
        # then 1.19e-7, not 1e-7.
        p = _clip(output)
        expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    out = ops.binary_crossentropy(target, output, from_logits=from_logits)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_crossentropy_follows_configured_epsilon():
    previous = config.epsilon()
    config.set_epsilon(1e-3)
    try:
        out = _np(ops.binary_crossentropy([1.0], [0.0]))
    finally:
        config.set_epsilon(previous)
    np.testing.assert_allclose(out, [-np.log(1e-3)], rtol=1e-5)
