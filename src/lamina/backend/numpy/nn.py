"""nn functions of the backend contract on NumPy.

Convolution and pooling work on windows: `_patches` copies every window of
the (padded, channels-last) input into its own axes, an autograd primitive
whose gradient adds each window's gradient back where it came from. A conv
is then a tensordot of the patches with the kernel, a max pool a max over
the window axes.
"""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive
from autograd.tracer import getval

from lamina import config as _config
from lamina.backend.numpy import numpy as _np
from lamina.backend.numpy._primitives import first_max
from lamina.backend.numpy._primitives import select as _select
from lamina.backend.numpy.core import (
    _cast_value,
    _floatx,
    _is_float,
    _np_dtype,
    convert_to_tensor,
)

# --------------------------------------------------------------------------- helpers


def _tensor(x, dtype=None):
    return convert_to_tensor(x, dtype)


def _float_tensor(x):
    x = convert_to_tensor(x)
    return x if _is_float(x) else _cast_value(x, _floatx())


def _quiet(fn):
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    run.__wrapped__ = fn
    return run


def _tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"`{name}` needs {n} values for {n} spatial dims; got {value}.")
    return value


def _padding(padding: str) -> str:
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; got {padding!r}.")
    return value


def _check_rank(x, spatial: int, what: str):
    if x.ndim != spatial + 2:
        raise ValueError(
            f"{what} expects inputs of rank {spatial + 2} (batch, {spatial} spatial dims, "
            f"channels) for a kernel with {spatial} spatial dims; got shape {x.shape}."
        )


def _to_channels_last(x, data_format: str):
    if data_format == "channels_last":
        return x
    return anp.transpose(x, (0, *range(2, x.ndim), 1))


def _from_channels_last(x, data_format: str):
    if data_format == "channels_last":
        return x
    return anp.transpose(x, (0, x.ndim - 1, *range(1, x.ndim - 1)))


def _pad_same(x, window, strides, dilation, padding: str, value=0):
    """Pad the spatial dims of channels-last `x` as TensorFlow's 'same' padding does."""
    if padding == "valid":
        return x
    widths = [(0, 0)]
    for size, k, s, d in zip(x.shape[1:-1], window, strides, dilation, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        widths.append((total // 2, total - total // 2))
    widths.append((0, 0))
    if all(w == (0, 0) for w in widths):
        return x
    return anp.pad(x, widths, mode="constant", constant_values=np.asarray(value, x.dtype))


def _out_sizes(shape, window, strides, dilation) -> tuple:
    return tuple(
        max((n - (k - 1) * d - 1) // s + 1, 0)
        for n, k, s, d in zip(shape, window, strides, dilation, strict=True)
    )


def _window_index(offset, out, strides, dilation) -> tuple:
    """The cells of the input that window position `offset` reads, for every output cell."""
    spatial = tuple(
        slice(o * d, o * d + (n - 1) * s + 1, s) if n else slice(0, 0)
        for o, n, s, d in zip(offset, out, strides, dilation, strict=True)
    )
    return (slice(None), *spatial, slice(None))


@primitive
def _patches(x, window, strides, dilation):
    """(N, *spatial, C) -> (N, *out, *window, C): every window of x, copied out."""
    spatial = len(window)
    out = _out_sizes(x.shape[1:-1], window, strides, dilation)
    result = np.empty((x.shape[0], *out, *window, x.shape[-1]), x.dtype)
    lead = (slice(None),) * (1 + spatial)
    for offset in np.ndindex(*window):
        result[(*lead, *offset)] = x[_window_index(offset, out, strides, dilation)]
    return result


def _patches_vjp(ans, x, window, strides, dilation):
    spatial = len(window)
    out = ans.shape[1 : 1 + spatial]
    lead = (slice(None),) * (1 + spatial)

    def vjp(g):
        grad = np.zeros(x.shape, g.dtype)
        for offset in np.ndindex(*window):
            # Within one offset the cells are distinct, so += adds each once.
            grad[_window_index(offset, out, strides, dilation)] += g[(*lead, *offset)]
        return grad

    return vjp


defvjp(_patches, _patches_vjp)


def _flat_windows(patches, spatial: int):
    """(N, *out, *window, C) -> (N, *out, W, C) with W the window's cell count."""
    shape = patches.shape
    window_cells = math.prod(shape[1 + spatial : 1 + 2 * spatial])
    return anp.reshape(patches, (*shape[: 1 + spatial], window_cells, shape[-1]))


# --------------------------------------------------------------------------- activations


def relu(x):
    x = _tensor(x)
    return _select(x > 0, x, np.zeros((), x.dtype))


def relu6(x):
    x = _tensor(x)
    return _select(x > 0, _select(x < 6, x, np.full((), 6, x.dtype)), np.zeros((), x.dtype))


@_quiet
def sigmoid(x):
    x = _float_tensor(x)
    # exp of -|x| never overflows; both branches are then exact.
    e = anp.exp(-anp.abs(x))
    return _select(x >= 0, 1 / (1 + e), e / (1 + e))


@_quiet
def tanh(x):
    return anp.tanh(_float_tensor(x))


@_quiet
def softplus(x):
    x = _float_tensor(x)
    return anp.logaddexp(np.zeros((), x.dtype), x)


def softsign(x):
    x = _float_tensor(x)
    return x / (1 + anp.abs(x))


def silu(x):
    x = _float_tensor(x)
    return x * sigmoid(x)


@_quiet
def log_sigmoid(x):
    x = _float_tensor(x)
    return -anp.logaddexp(np.zeros((), x.dtype), -x)


def hard_sigmoid(x):
    # Keras 3's definition, relu6(x + 3) / 6.
    x = _float_tensor(x)
    return relu6(x + 3) / 6


@_quiet
def elu(x, alpha=1.0):
    x = _float_tensor(x)
    # expm1 only of the non-positive part, so the unused branch cannot overflow.
    negative = _select(x > 0, np.zeros((), x.dtype), x)
    return _select(x > 0, x, alpha * anp.expm1(negative))


def selu(x):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


@_quiet
def gelu(x, approximate=True):
    x = _float_tensor(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + anp.tanh(inner))
    return 0.5 * x * (1 + _np.erf(x / math.sqrt(2)))


def leaky_relu(x, negative_slope=0.2):
    x = _float_tensor(x)
    return _select(x >= 0, x, negative_slope * x)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@_quiet
def softmax(x, axis=-1):
    x = _float_tensor(x)
    axis = _axis(axis)
    # The shift is a constant: it changes no value and no gradient.
    shift = np.max(getval(x), axis=axis, keepdims=True)
    e = anp.exp(x - np.where(np.isfinite(shift), shift, 0))
    return e / anp.sum(e, axis=axis, keepdims=True)


@_quiet
def log_softmax(x, axis=-1):
    x = _float_tensor(x)
    axis = _axis(axis)
    shift = np.max(getval(x), axis=axis, keepdims=True)
    shifted = x - np.where(np.isfinite(shift), shift, 0)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=axis, keepdims=True))


def one_hot(x, num_classes, axis=-1, dtype=None):
    ids = np.asarray(getval(_tensor(x)))
    dtype = _floatx() if dtype is None else _np_dtype(dtype)
    # Out-of-range and negative ids give all-zero rows, as on the other engines.
    out = (ids[..., None] == np.arange(int(num_classes))).astype(dtype)
    return out if axis in (-1, out.ndim - 1) else np.moveaxis(out, -1, axis)


# --------------------------------------------------------------------------- convolution


def _conv_setup(inputs, kernel, strides, padding, data_format, dilation_rate, what):
    kernel = _tensor(kernel)
    inputs = _tensor(inputs, kernel.dtype)
    spatial = kernel.ndim - 2
    _check_rank(inputs, spatial, what)
    data_format = _config.standardize_data_format(data_format)
    strides = _tuple(strides, spatial, "strides")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate")
    padding = _padding(padding)
    window = tuple(kernel.shape[:spatial])
    x = _to_channels_last(inputs, data_format)
    x = _pad_same(x, window, strides, dilation, padding)
    return _patches(x, window, strides, dilation), kernel, spatial, data_format


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    patches, kernel, spatial, data_format = _conv_setup(
        inputs, kernel, strides, padding, data_format, dilation_rate, "conv"
    )
    # Sum over (*window, in_channels) of the patches and of the kernel.
    out = anp.tensordot(patches, kernel, axes=spatial + 1)
    return _from_channels_last(out, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    patches, kernel, spatial, data_format = _conv_setup(
        inputs, kernel, strides, padding, data_format, dilation_rate, "depthwise_conv"
    )
    *window, channels, multiplier = kernel.shape
    out_shape = patches.shape[1 : 1 + spatial]
    flat = _flat_windows(patches, spatial)
    flat = anp.reshape(flat, (flat.shape[0], -1, *flat.shape[-2:]))
    weights = anp.reshape(kernel, (math.prod(window), channels, multiplier))
    out = anp.einsum("nowc,wcm->nocm", flat, weights)
    # Output channels are ordered c * multiplier + m, as on the other engines.
    out = anp.reshape(out, (out.shape[0], *out_shape, channels * multiplier))
    return _from_channels_last(out, data_format)


# --------------------------------------------------------------------------- pooling


def _pool_setup(inputs, pool_size, strides, data_format):
    x = _tensor(inputs)
    spatial = x.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"pooling expects inputs of rank 3, 4 or 5; got shape {x.shape}.")
    data_format = _config.standardize_data_format(data_format)
    window = _tuple(pool_size, spatial, "pool_size")
    strides = window if strides is None else _tuple(strides, spatial, "strides")
    return _to_channels_last(x, data_format), spatial, window, strides, data_format


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, spatial, window, strides, data_format = _pool_setup(inputs, pool_size, strides, data_format)
    ones = (1,) * spatial
    lowest = -np.inf if _is_float(x) else np.iinfo(x.dtype).min
    x = _pad_same(x, window, strides, ones, _padding(padding), value=lowest)
    windows = _flat_windows(_patches(x, window, strides, ones), spatial)
    return _from_channels_last(first_max(windows, -2), data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, spatial, window, strides, data_format = _pool_setup(inputs, pool_size, strides, data_format)
    ones = (1,) * spatial
    padding = _padding(padding)
    padded = _pad_same(x, window, strides, ones, padding)
    total = anp.sum(_flat_windows(_patches(padded, window, strides, ones), spatial), axis=-2)
    if padding == "valid":
        return _from_channels_last(total / math.prod(window), data_format)
    # Average over the real cells only, as Keras and TensorFlow do: count them
    # by pooling ones shaped like one (batch, channel) slice of x.
    cells = _pad_same(np.ones((1, *x.shape[1:-1], 1), x.dtype), window, strides, ones, padding)
    counts = np.sum(_flat_windows(_patches(cells, window, strides, ones), spatial), axis=-2)
    return _from_channels_last(total / counts, data_format)


# --------------------------------------------------------------------------- normalization


def _axes(axes) -> tuple | None:
    if axes is None:
        return None
    return (axes,) if isinstance(axes, int) else tuple(axes)


def moments(x, axes, keepdims=False):
    x = _float_tensor(x)
    in_dtype = x.dtype
    # Half-precision sums lose too much; compute in float32 as Keras does.
    if in_dtype.itemsize < 4:
        x = _cast_value(x, np.dtype("float32"))
    axes = _axes(axes)
    mean = anp.mean(x, axis=axes, keepdims=True)
    variance = anp.mean(anp.square(x - mean), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = anp.reshape(mean, np.shape(variance))
    return _cast_value(mean, in_dtype), _cast_value(variance, in_dtype)


@_quiet
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float_tensor(x)
    # The statistics are vectors along `axis`; give them x's rank to broadcast.
    shape = [1] * x.ndim
    shape[axis] = -1

    def along_axis(v):
        return anp.reshape(_tensor(v, x.dtype), shape)

    inv = 1 / anp.sqrt(along_axis(variance) + np.asarray(epsilon, x.dtype))
    if scale is not None:
        inv = inv * along_axis(scale)
    y = (x - along_axis(mean)) * inv
    return y if offset is None else y + along_axis(offset)


# --------------------------------------------------------------------------- cross-entropies


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def _check_same_shape(target, output):
    if not _compatible(tuple(target.shape), tuple(output.shape)):
        raise ValueError(
            "`target` and `output` must have the same shape; got target shape "
            f"{tuple(target.shape)} and output shape {tuple(output.shape)}."
        )


def _clip_probabilities(output):
    eps = _config.epsilon()
    low, high = np.asarray(eps, output.dtype), np.asarray(1.0 - eps, output.dtype)
    return _select(output < low, low, _select(output > high, high, output))


@_quiet
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        log_prob = log_softmax(output, axis=axis)
    else:
        # Keras rescales so the probabilities sum to one before clipping.
        output = output / anp.sum(output, axis=axis, keepdims=True)
        log_prob = anp.log(_clip_probabilities(output))
    return -anp.sum(target * log_prob, axis=axis)


def _sparse_target(target, output, axis: int):
    target = np.asarray(getval(_tensor(target)))
    if target.dtype.kind not in "iu":
        target = target.astype(np.int32)
    # Keras accepts ids with a trailing singleton dim, shaped (batch, ..., 1).
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = np.squeeze(target, axis=-1)
    expected = tuple(output.shape[:axis]) + tuple(output.shape[axis + 1 :])
    if not _compatible(target.shape, expected):
        raise ValueError(
            "`target` must hold one class id per output row: expected shape "
            f"{expected} for output shape {tuple(output.shape)} and axis {axis}; "
            f"got {target.shape}."
        )
    return target


@_quiet
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    axis = axis % output.ndim
    target = _sparse_target(target, output, axis)
    if from_logits:
        log_prob = log_softmax(output, axis=axis)
    else:
        output = output / anp.sum(output, axis=axis, keepdims=True)
        log_prob = anp.log(_clip_probabilities(output))
    # One-hot rather than a gather: out-of-range ids give 0, as on TensorFlow.
    mask = one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -anp.sum(mask * log_prob, axis=axis)


@_quiet
def binary_crossentropy(target, output, from_logits=False):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        # Written with log_sigmoid, which is stable and has the gradient
        # sigmoid(z) - target everywhere.
        return -(target * log_sigmoid(output) + (1.0 - target) * log_sigmoid(-output))
    output = _clip_probabilities(output)
    return -(target * anp.log(output) + (1.0 - target) * anp.log(1.0 - output))
