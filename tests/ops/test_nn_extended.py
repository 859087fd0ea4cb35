"""The nn ops beyond the core set (more activations, normalizations, block
rearrangements, multi-hot, separable convolution, dot-product attention)
against NumPy references, against Keras 3 on the same engine, and gradients.

Tolerances: float32 element-wise results agree with NumPy to rtol 1e-5 /
atol 1e-6 (F32); results that sum (normalizations, attention) to 1e-5 (SUMS);
gradients against central finite differences in float64 to 1e-3 (GRAD).
Shape-rule tests come after the value tests.
"""

import itertools

import numpy as np
import pytest

from lamina import backend, ops
from lamina.testing.layer_test import keras_module

F32 = {"rtol": 1e-5, "atol": 1e-6}
SUMS = {"rtol": 1e-5, "atol": 1e-5}
GRAD = {"rtol": 1e-3, "atol": 1e-3}
ENGINE = backend.backend()

_rng = np.random.RandomState(11)
X = (_rng.randn(3, 8) * 2).astype("float32")
IMAGES = _rng.randn(2, 4, 6, 8).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --------------------------------------------------------------------------- activations

ACTIVATIONS = [
    ("swish", lambda x: ops.swish(x), lambda x: x * _sigmoid(x)),
    ("hard_silu", lambda x: ops.hard_silu(x), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_swish", lambda x: ops.hard_swish(x), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_tanh", lambda x: ops.hard_tanh(x), lambda x: np.clip(x, -1, 1)),
    (
        "celu",
        lambda x: ops.celu(x, alpha=0.7),
        lambda x: np.maximum(x, 0) + 0.7 * np.expm1(np.minimum(x, 0) / 0.7),
    ),
    (
        "soft_shrink",
        lambda x: ops.soft_shrink(x, 0.8),
        lambda x: np.where(x > 0.8, x - 0.8, np.where(x < -0.8, x + 0.8, 0)),
    ),
    ("hard_shrink", lambda x: ops.hard_shrink(x), lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    ("tanh_shrink", lambda x: ops.tanh_shrink(x), lambda x: x - np.tanh(x)),
    ("squareplus", lambda x: ops.squareplus(x, 2), lambda x: (x + np.sqrt(x * x + 2)) / 2),
    (
        "sparse_plus",
        lambda x: ops.sparse_plus(x),
        lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    ),
    (
        "sparse_sigmoid",
        lambda x: ops.sparse_sigmoid(x),
        lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),
    ),
    ("threshold", lambda x: ops.threshold(x, 0.3, -2.0), lambda x: np.where(x > 0.3, x, -2.0)),
    (
        "glu",
        lambda x: ops.glu(x),
        lambda x: x[..., :4] * _sigmoid(x[..., 4:]),
    ),
]


@pytest.mark.parametrize("name, op, reference", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values(name, op, reference):
    out = op(X)
    assert ops.dtype(out) == "float32"
    np.testing.assert_allclose(_np(out), reference(X.astype("float64")), **F32)


def test_activations_of_integers_are_floats():
    assert ops.dtype(ops.hard_tanh(np.array([-3, 0, 2], "int32"))) == "float32"
    np.testing.assert_allclose(_np(ops.squareplus(np.array([0, 3]))), [1.0, 3.3027756], **F32)


def test_glu_needs_an_even_axis():
    with pytest.raises(ValueError, match="even"):
        ops.glu(np.ones((2, 3), "float32"))


def test_celu_refuses_zero_alpha():
    with pytest.raises(ValueError, match="alpha"):
        ops.celu(X, alpha=0.0)


# --------------------------------------------------------------------------- adaptive pooling


def _np_adaptive_pool(x, sizes, reduce):
    """Channels-last adaptive pooling by its definition, one output cell at a time."""
    out = np.zeros((x.shape[0], *sizes, x.shape[-1]))
    for cell in np.ndindex(*sizes):
        window = tuple(
            slice((i * n) // m, -((-(i + 1) * n) // m))
            for i, n, m in zip(cell, x.shape[1:-1], sizes)
        )
        region = x[(slice(None), *window)]
        out[(slice(None), *cell)] = reduce(region.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return out


ADAPTIVE_CASES = [
    ((2, 10, 3), (4,), "channels_last"),
    ((2, 7, 9, 2), (3, 5), "channels_first"),
    ((1, 3, 5, 4, 2), (5, 2, 4), "channels_last"),
]


@pytest.mark.parametrize("shape, sizes, data_format", ADAPTIVE_CASES)
@pytest.mark.parametrize("mode", ["average", "max"])
def test_adaptive_pool(shape, sizes, data_format, mode):
    x = _rng.randn(*shape).astype("float32")
    op = ops.adaptive_average_pool if mode == "average" else ops.adaptive_max_pool
    expected = _np_adaptive_pool(
        x.astype("float64"), sizes, np.mean if mode == "average" else np.max
    )
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    np.testing.assert_allclose(_np(op(x, sizes, data_format)), expected, **SUMS)


def test_adaptive_pool_errors():
    with pytest.raises(ValueError, match="output_size"):
        ops.adaptive_max_pool(IMAGES, (2, 2, 2))
    with pytest.raises(ValueError, match="spatial"):
        ops.adaptive_average_pool(X, 2)


# --------------------------------------------------------------------------- unfold and fold

UNFOLD_CASES = [((3, 2), (1, 2), (1, 0), (2, 1)), (3, 2, 1, 2)]


def _np_unfold(x, kernel, dilation, padding, stride):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    x = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    rows = (x.shape[2] - (kh - 1) * dh - 1) // sh + 1
    cols = (x.shape[3] - (kw - 1) * dw - 1) // sw + 1
    columns = []
    for r in range(rows):
        for c in range(cols):
            block = x[
                :,
                :,
                r * sh : r * sh + (kh - 1) * dh + 1 : dh,
                c * sw : c * sw + (kw - 1) * dw + 1 : dw,
            ]
            columns.append(block.reshape(x.shape[0], -1))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("args", UNFOLD_CASES)
def test_unfold_and_fold(args):
    x = _rng.randn(2, 3, 7, 6).astype("float32")
    patches = ops.unfold(x, *args)
    np.testing.assert_array_equal(_np(patches), _np_unfold(x, *args))
    # fold is unfold's adjoint: <unfold(x), y> = <x, fold(y)>.
    y = _rng.randn(*_np(patches).shape).astype("float32")
    folded = _np(ops.fold(y, (7, 6), *args))
    np.testing.assert_allclose(np.sum(_np(patches) * y), np.sum(x * folded), rtol=1e-4)


def test_unfold_gradient_is_fold():
    x = _rng.randn(1, 2, 5, 5).astype("float32")
    weights = _rng.randn(1, 2 * 9, 9).astype("float32")
    grad = _grad(lambda t: ops.multiply(ops.unfold(t, 3, padding=1, stride=2), weights), x)
    np.testing.assert_allclose(grad, _np(ops.fold(weights, 5, 3, padding=1, stride=2)), **SUMS)


def test_fold_errors():
    with pytest.raises(ValueError, match="fold: x must be"):
        ops.fold(np.zeros((1, 7, 4), "float32"), 4, 2, stride=2)
    with pytest.raises(ValueError, match="does not fit"):
        ops.unfold(np.zeros((1, 1, 2, 2), "float32"), 3)


# --------------------------------------------------------------------------- normalization and metrics


@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize(order):
    x = X.copy()
    x[1] = 0.0  # a zero vector stays zero
    out = _np(ops.normalize(x, axis=-1, order=order))
    norm = np.sum(np.abs(x.astype("float64")) ** order, axis=-1, keepdims=True) ** (1 / order)
    np.testing.assert_allclose(out, x / np.maximum(norm, 1e-7), **SUMS)


def test_normalize_refuses_a_bad_order():
    with pytest.raises(ValueError, match="order"):
        ops.normalize(X, order=0)


def test_psnr():
    a = _rng.rand(2, 5, 5, 3).astype("float32")
    b = _rng.rand(2, 5, 5, 3).astype("float32")
    mse = np.mean((a.astype("float64") - b) ** 2)
    expected = 20 * np.log10(255.0) - 10 * np.log10(mse)
    np.testing.assert_allclose(_np(ops.psnr(a, b, 255.0)), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="same shape"):
        ops.psnr(a, b[:1], 1.0)


def _np_layer_norm(x, gamma, beta, axes, epsilon):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * gamma + beta


def test_layer_normalization_last_axis():
    gamma = _rng.rand(8).astype("float32")
    beta = _rng.randn(8).astype("float32")
    out = ops.layer_normalization(X, gamma, beta, epsilon=1e-3)
    expected = _np_layer_norm(X.astype("float64"), gamma, beta, -1, 1e-3)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_layer_normalization_several_axes():
    gamma = _rng.rand(6, 8).astype("float32")
    out = ops.layer_normalization(IMAGES, gamma, None, axis=[2, 3])
    expected = _np_layer_norm(IMAGES.astype("float64"), gamma, 0.0, (2, 3), 1e-7)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_layer_normalization_rms_scaling():
    gamma = _rng.rand(8).astype("float32")
    out = ops.layer_normalization(X, gamma, axis=-1, epsilon=1e-3, rms_scaling=True)
    x = X.astype("float64")
    expected = x / np.sqrt(x.var(axis=-1, keepdims=True) + 1e-3) * gamma
    np.testing.assert_allclose(_np(out), expected, **SUMS)
    with pytest.raises(TypeError, match="unexpected"):
        ops.layer_normalization(X, unknown=True)


def test_layer_normalization_keeps_half_precision():
    out = ops.layer_normalization(X.astype("float16"))
    assert ops.dtype(out) == "float16"
    expected = _np_layer_norm(X.astype("float64"), 1.0, 0.0, -1, 1e-7)
    np.testing.assert_allclose(_np(out).astype("float64"), expected, atol=3e-3)


def test_rms_normalization():
    scale = _rng.rand(8).astype("float32")
    out = ops.rms_normalization(X, scale, epsilon=1e-4)
    x = X.astype("float64")
    expected = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + 1e-4) * scale
    np.testing.assert_allclose(_np(out), expected, **SUMS)


# --------------------------------------------------------------------------- rearranging and encoding


def _np_depth_to_space(x, k):
    b, h, w, c = x.shape
    out = np.zeros((b, h * k, w * k, c // (k * k)), x.dtype)
    for i in range(h * k):
        for j in range(w * k):
            channel = ((i % k) * k + (j % k)) * (c // (k * k))
            out[:, i, j] = x[:, i // k, j // k, channel : channel + c // (k * k)]
    return out


def test_depth_to_space_channels_last():
    out = _np(ops.depth_to_space(IMAGES, 2))
    np.testing.assert_array_equal(out, _np_depth_to_space(IMAGES, 2))


def test_depth_to_space_channels_first():
    # Channels first, the output channel is the slow index (PyTorch's pixel shuffle).
    first = np.transpose(IMAGES, (0, 3, 1, 2))  # (2, 8, 4, 6)
    out = _np(ops.depth_to_space(first, 2, data_format="channels_first"))
    expected = np.zeros((2, 2, 8, 12), "float32")
    for d in range(2):
        for i in range(8):
            for j in range(12):
                expected[:, d, i, j] = first[:, d * 4 + (i % 2) * 2 + (j % 2), i // 2, j // 2]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_space_to_depth_inverts_depth_to_space(data_format):
    x = IMAGES if data_format == "channels_last" else np.transpose(IMAGES, (0, 3, 1, 2))
    deep = ops.space_to_depth(ops.depth_to_space(x, 2, data_format), 2, data_format)
    np.testing.assert_array_equal(_np(deep), x)


def test_block_size_errors():
    with pytest.raises(ValueError, match="divisible"):
        ops.depth_to_space(IMAGES, 3)
    with pytest.raises(ValueError, match="divisible"):
        ops.space_to_depth(IMAGES, 4)
    with pytest.raises(ValueError, match="4-D"):
        ops.space_to_depth(X, 2)


def test_multi_hot():
    out = ops.multi_hot(np.array([[0, 2, 2], [1, 3, 0]]), 4)
    np.testing.assert_array_equal(_np(out), [[1, 0, 1, 0], [1, 1, 0, 1]])
    assert ops.dtype(out) == "float32"
    np.testing.assert_array_equal(
        _np(ops.multi_hot(np.array([1, 1]), 3, dtype="int32")), [0, 1, 0]
    )
    np.testing.assert_array_equal(_np(ops.multi_hot(np.array([[2]]), num_tokens=3)), [[0, 0, 1]])
    with pytest.raises(ValueError, match="num_classes"):
        ops.multi_hot(np.array([1]))


# --------------------------------------------------------------------------- separable conv and attention


def test_separable_conv_is_depthwise_then_pointwise():
    x = _rng.randn(2, 7, 7, 3).astype("float32")
    depthwise = _rng.randn(3, 3, 3, 2).astype("float32")
    pointwise = _rng.randn(1, 1, 6, 4).astype("float32")
    out = ops.separable_conv(x, depthwise, pointwise, strides=2, padding="same")
    expected = ops.conv(ops.depthwise_conv(x, depthwise, 2, "same"), pointwise)
    assert tuple(ops.shape(out)) == (2, 4, 4, 4)
    np.testing.assert_allclose(_np(out), _np(expected), **SUMS)


def _np_conv_transpose_1d(x, kernel, stride, dilation):
    """'valid' transposed convolution by its definition: each input adds a scaled kernel."""
    batch, size, _ = x.shape
    window, out_channels, _ = kernel.shape
    extent = (window - 1) * dilation + 1
    out = np.zeros((batch, (size - 1) * stride + max(extent, stride), out_channels))
    for i in range(size):
        for k in range(window):
            out[:, i * stride + k * dilation] += x[:, i] @ kernel[k].T
    return out


@pytest.mark.parametrize("stride, dilation", [(1, 1), (2, 1), (3, 2), (4, 1)])
def test_conv_transpose_by_definition(stride, dilation):
    x = _rng.randn(2, 5, 3).astype("float32")
    kernel = _rng.randn(3, 4, 3).astype("float32")
    out = ops.conv_transpose(x, kernel, stride, dilation_rate=dilation)
    expected = _np_conv_transpose_1d(x.astype("float64"), kernel, stride, dilation)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_conv_transpose_errors():
    with pytest.raises(ValueError, match="padding"):
        ops.conv_transpose(IMAGES, np.ones((2, 2, 3, 8), "float32"), padding="causal")
    with pytest.raises(ValueError, match="strides"):
        ops.conv_transpose(IMAGES, np.ones((2, 2, 3, 8), "float32"), strides=(1, 2, 3))


def _np_attention(q, k, v, bias=None, mask=None, scale=None, causal=False):
    q, k, v = (t.astype("float64") for t in (q, k, v))
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask
    if causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -1e30)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", probs, v)


Q = _rng.randn(2, 5, 4, 3).astype("float32")
K = _rng.randn(2, 6, 2, 3).astype("float32")
V = _rng.randn(2, 6, 2, 5).astype("float32")


def test_dot_product_attention_grouped_heads():
    out = ops.dot_product_attention(Q, K, V)
    assert tuple(ops.shape(out)) == (2, 5, 4, 5)
    np.testing.assert_allclose(_np(out), _np_attention(Q, K, V), **SUMS)


def test_dot_product_attention_bias_mask_scale():
    bias = _rng.randn(1, 4, 5, 6).astype("float32")
    mask = _rng.rand(2, 1, 5, 6) > 0.3
    mask[..., 0] = True
    out = ops.dot_product_attention(Q, K, V, bias=bias, mask=mask, scale=0.3)
    np.testing.assert_allclose(_np(out), _np_attention(Q, K, V, bias, mask, 0.3), **SUMS)


def test_dot_product_attention_causal():
    out = ops.dot_product_attention(Q, K[:, :5], V[:, :5], is_causal=True)
    expected = _np_attention(Q, K[:, :5], V[:, :5], causal=True)
    np.testing.assert_allclose(_np(out), expected, **SUMS)


def test_dot_product_attention_errors():
    with pytest.raises(ValueError, match="4-D"):
        ops.dot_product_attention(Q[0], K[0], V[0])
    with pytest.raises(ValueError, match="multiple"):
        ops.dot_product_attention(Q[:, :, :3], K, V)
    with pytest.raises(ValueError, match="flash"):
        ops.dot_product_attention(Q, K, V, flash_attention=True)


def _np_ctc_loss(labels, logits, frames, blank):
    """-log of the summed probability of every path that collapses to `labels`."""
    logits = logits[:frames].astype("float64")
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    total = 0.0
    for path in itertools.product(range(logits.shape[-1]), repeat=frames):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == list(labels):
            total += np.prod(probs[np.arange(frames), path])
    return -np.log(total)


CTC_LOGITS = _rng.randn(3, 5, 3).astype("float32")
CTC_TARGET = np.array([[1, 1, 0], [2, 0, 0], [1, 2, 0]], "int32")
CTC_TARGET_LENGTH = np.array([2, 1, 2], "int32")
CTC_OUTPUT_LENGTH = np.array([5, 3, 4], "int32")


@pytest.mark.parametrize("blank", [2])
def test_ctc_loss_by_enumerating_paths(blank):
    target = CTC_TARGET if blank == 0 else np.where(CTC_TARGET == 2, 0, CTC_TARGET)
    out = ops.ctc_loss(target, CTC_LOGITS, CTC_TARGET_LENGTH, CTC_OUTPUT_LENGTH, mask_index=blank)
    expected = [
        _np_ctc_loss(target[b, : CTC_TARGET_LENGTH[b]], CTC_LOGITS[b], CTC_OUTPUT_LENGTH[b], blank)
        for b in range(3)
    ]
    np.testing.assert_allclose(_np(out), expected, **SUMS)


# --------------------------------------------------------------------------- gradients


def _grad(fn, x):
    grad_fn = ops.value_and_grad(lambda params: ops.sum(fn(params[0])))
    return _np(grad_fn([ops.convert_to_tensor(x)])[1][0])


def _finite_diff(fn, x, step=1e-3):
    x = x.astype("float64")
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += step
        down[idx] -= step
        g[idx] = (np.sum(fn(up)) - np.sum(fn(down))) / (2 * step)
    return g


GRADIENTS = [
    (
        "celu",
        lambda x: ops.celu(x, 0.5),
        lambda x: np.maximum(x, 0) + 0.5 * np.expm1(np.minimum(x, 0) / 0.5),
    ),
    ("glu", lambda x: ops.glu(x), lambda x: x[..., :4] * _sigmoid(x[..., 4:])),
    ("squareplus", lambda x: ops.squareplus(x), lambda x: (x + np.sqrt(x * x + 4)) / 2),
    (
        "adaptive_average_pool",
        lambda x: ops.multiply(
            ops.adaptive_average_pool(ops.expand_dims(x, -1), 3), [[[1.0], [2.0], [3.0]]]
        ),
        lambda x: (
            np.array([x[:, 0:3].mean(1), x[:, 2:6].mean(1), x[:, 5:8].mean(1)]).T[..., None]
            * [[[1.0], [2.0], [3.0]]]
        ),
    ),
    (
        "adaptive_max_pool",
        lambda x: ops.multiply(
            ops.adaptive_max_pool(ops.expand_dims(x, -1), 3), [[[1.0], [2.0], [3.0]]]
        ),
        lambda x: (
            np.array([x[:, 0:3].max(1), x[:, 2:6].max(1), x[:, 5:8].max(1)]).T[..., None]
            * [[[1.0], [2.0], [3.0]]]
        ),
    ),
    (
        "layer_normalization",
        lambda x: ops.multiply(ops.layer_normalization(x), np.arange(8, dtype="float32")),
        lambda x: _np_layer_norm(x, 1.0, 0.0, -1, 1e-7) * np.arange(8),
    ),
    (
        "normalize",
        lambda x: ops.multiply(ops.normalize(x), np.arange(8, dtype="float32")),
        lambda x: x / np.sqrt(np.sum(x * x, -1, keepdims=True)) * np.arange(8),
    ),
]


@pytest.mark.parametrize("name, op, reference", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients(name, op, reference):
    x = _rng.randn(2, 8).astype("float32")
    np.testing.assert_allclose(_grad(op, x), _finite_diff(reference, x), **GRAD)


def test_ctc_loss_gradient():
    def reference(x):
        return _np_ctc_loss([1, 1], x.reshape(4, 3), 4, 0)

    x = CTC_LOGITS[0, :4]

    def op(logits):
        return ops.ctc_loss(CTC_TARGET[:1, :2], ops.expand_dims(logits, 0), [2], [4])

    np.testing.assert_allclose(
        _grad(op, x), _finite_diff(reference, x.ravel()).reshape(4, 3), **GRAD
    )


def test_attention_gradient():
    q = _rng.randn(1, 3, 2, 2).astype("float32")

    def reference(x):
        return _np_attention(x, K[:1, :4, :1], V[:1, :4, :1], causal=False) * np.arange(5)

    def op(x):
        out = ops.dot_product_attention(x, K[:1, :4, :1], V[:1, :4, :1])
        return ops.multiply(out, np.arange(5, dtype="float32"))

    q = _rng.randn(1, 3, 2, 3).astype("float32")
    np.testing.assert_allclose(_grad(op, q), _finite_diff(reference, q), **GRAD)


# --------------------------------------------------------------------------- against Keras 3


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


KERAS_CASES = [
    ("swish", (X,), {}),
    ("hard_silu", (X,), {}),
    ("hard_tanh", (X,), {}),
    ("celu", (X,), {"alpha": 0.6}),
    ("glu", (X,), {}),
    ("soft_shrink", (X,), {"threshold": 0.7}),
    ("hard_shrink", (X,), {}),
    ("tanh_shrink", (X,), {}),
    ("squareplus", (X,), {"b": 3}),
    ("sparse_plus", (X,), {}),
    ("sparse_sigmoid", (X,), {}),
    ("threshold", (X, 0.5, 1.0), {}),
    ("normalize", (X,), {"order": 3}),
    ("normalize", (X,), {}),
    ("psnr", (X, X[::-1], 4.0), {}),
    ("layer_normalization", (IMAGES, np.arange(8, dtype="float32")), {"epsilon": 1e-3}),
    ("rms_normalization", (IMAGES, np.arange(8, dtype="float32")), {}),
    ("depth_to_space", (IMAGES, 2), {}),
    ("depth_to_space", (IMAGES, 2), {"data_format": "channels_first"}),
    ("space_to_depth", (IMAGES, 2), {"data_format": "channels_first"}),
    ("multi_hot", (np.array([[0, 2], [1, 1]]), 3), {}),
    ("dot_product_attention", (Q[:, :, :2], K, V[..., :3]), {"is_causal": True}),
]


@pytest.mark.parametrize("name, args, kwargs", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(keras, name, args, kwargs):
    if ENGINE == "tensorflow" and kwargs.get("data_format") == "channels_first":
        pytest.skip(
            "Keras 3 on TensorFlow orders channels-first blocks as in channels last; its other "
            "backends, and lamina on every engine, as PyTorch's pixel shuffle"
        )
    ours = getattr(ops, name)(*args, **kwargs)
    theirs = getattr(keras.ops, name)(*args, **kwargs)
    theirs = keras.ops.convert_to_numpy(theirs)
    assert _np(ours).shape == theirs.shape
    np.testing.assert_allclose(_np(ours), theirs, **SUMS)


def test_separable_conv_matches_keras(keras):
    x = _rng.randn(1, 6, 6, 2).astype("float32")
    depthwise = _rng.randn(3, 3, 2, 2).astype("float32")
    pointwise = _rng.randn(1, 1, 4, 3).astype("float32")
    ours = ops.separable_conv(x, depthwise, pointwise, padding="same", dilation_rate=2)
    theirs = keras.ops.separable_conv(x, depthwise, pointwise, padding="same", dilation_rate=2)
    np.testing.assert_allclose(_np(ours), keras.ops.convert_to_numpy(theirs), **SUMS)


def test_ctc_loss_matches_keras(keras):
    args = (CTC_TARGET, CTC_LOGITS, CTC_TARGET_LENGTH, CTC_OUTPUT_LENGTH)
    theirs = keras.ops.convert_to_numpy(keras.ops.ctc_loss(*args))
    np.testing.assert_allclose(_np(ops.ctc_loss(*args)), theirs, **SUMS)


@pytest.mark.parametrize("name", ["adaptive_average_pool", "adaptive_max_pool"])
def test_adaptive_pool_matches_keras(keras, name):
    x = _rng.randn(2, 3, 9, 5).astype("float32")
    ours = getattr(ops, name)(x, (4, 2), "channels_first")
    theirs = keras.ops.convert_to_numpy(getattr(keras.ops, name)(x, (4, 2), "channels_first"))
    np.testing.assert_allclose(_np(ours), theirs, **SUMS)


@pytest.mark.parametrize("args", UNFOLD_CASES)
def test_unfold_and_fold_match_keras(keras, args):
    x = _rng.randn(2, 3, 7, 6).astype("float32")
    theirs = keras.ops.unfold(keras.ops.convert_to_tensor(x), *args)
    np.testing.assert_array_equal(_np(ops.unfold(x, *args)), keras.ops.convert_to_numpy(theirs))
    ours = ops.fold(ops.unfold(x, *args), (7, 6), *args)
    theirs = keras.ops.fold(theirs, (7, 6), *args)
    np.testing.assert_allclose(_np(ours), keras.ops.convert_to_numpy(theirs), **SUMS)


CONV_TRANSPOSE_CASES = [
    ((1, 5, 5, 2), (3, 3, 4, 2), 2, "same", None, 1, "channels_last"),
    ((2, 6, 3), (3, 5, 3), 3, "valid", 1, 1, "channels_last"),
    ((1, 2, 4, 4), (2, 2, 3, 2), 2, "valid", None, 1, "channels_first"),
    ((1, 5, 5, 2), (3, 3, 4, 2), 1, "same", None, 2, "channels_last"),
    ((1, 3, 3, 3, 1), (2, 2, 2, 2, 1), 2, "same", 1, 1, "channels_last"),
]


@pytest.mark.parametrize("case", CONV_TRANSPOSE_CASES)
def test_conv_transpose_matches_keras(keras, case):
    shape, kernel_shape, strides, padding, output_padding, dilation, data_format = case
    x = _rng.randn(*shape).astype("float32")
    kernel = _rng.randn(*kernel_shape).astype("float32")
    args = (strides, padding, output_padding, data_format, dilation)
    ours = ops.conv_transpose(x, kernel, *args)
    theirs = keras.ops.convert_to_numpy(keras.ops.conv_transpose(x, kernel, *args))
    assert _np(ours).shape == theirs.shape
    np.testing.assert_allclose(_np(ours), theirs, **SUMS)


# --------------------------------------------------------------------------- shape rules

SHAPES = [
    (lambda: ops.glu(np.zeros((2, 6, 3), "float32"), axis=1), (2, 3, 3)),
    (lambda: ops.depth_to_space(np.zeros((1, 2, 3, 18), "float32"), 3), (1, 6, 9, 2)),
    (lambda: ops.space_to_depth(np.zeros((1, 4, 6, 2), "float32"), 2), (1, 2, 3, 8)),
    (lambda: ops.multi_hot(np.zeros((5, 3), "int32"), 7), (5, 7)),
    (lambda: ops.normalize(np.float32(3.0)), (1,)),
    (lambda: ops.ctc_loss(np.ones((4, 2)), np.zeros((4, 6, 3)), [1] * 4, [6] * 4), (4,)),
    (
        lambda: ops.conv_transpose(
            np.zeros((1, 4, 5, 2), "float32"), np.zeros((3, 3, 6, 2), "float32"), 2, "same"
        ),
        (1, 8, 10, 6),
    ),
    (lambda: ops.psnr(X, X + 1, 1.0), ()),
    (
        lambda: ops.separable_conv(
            np.zeros((1, 3, 9, 9), "float32"),
            np.zeros((3, 3, 3, 2), "float32"),
            np.zeros((1, 1, 6, 5), "float32"),
            data_format="channels_first",
        ),
        (1, 5, 7, 7),
    ),
]


@pytest.mark.parametrize("make, shape", SHAPES)
def test_shapes(make, shape):
    assert tuple(ops.shape(make())) == shape
