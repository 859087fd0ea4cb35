"""nn functions of the backend contract on pytensor.

PyTensor 3 has no convolution or pooling ops for batches of multi-channel
images, so both are built here from primitives that work on either path:
each kernel (or window) offset is a strided slice of the padded input; conv
stacks the slices into patches and contracts them with the kernel in one
tensordot, pooling reduces over them. Gradients come from those primitives.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytensor.tensor as pt

from lamina import config as _config
from lamina.backend.pytensor import numpy as lnp
from lamina.backend.pytensor.core import (
    _eager,
    _is_symbolic,
    _unwrap,
    cast,
    convert_to_tensor,
)
from lamina.backend.pytensor.core import shape as core_shape


def _xp(x):
    return pt if _is_symbolic(x) else np


def _dtype(x) -> str:
    return x.dtype if _is_symbolic(x) else x.dtype.name


def _float(x):
    x = convert_to_tensor(x)
    return x if _dtype(x).startswith("float") else cast(x, _config.floatx())


def _out(x):
    return x if _is_symbolic(x) else _eager(x)


# --------------------------------------------------------------------------- activations


def relu(x):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        # A gradient of 0 at 0, as the other engines give.
        return pt.switch(pt.gt(x, 0), x, pt.zeros_like(x))
    return lnp.maximum(x, 0)


def relu6(x):
    return lnp.clip(convert_to_tensor(x), 0, 6)


def sigmoid(x):
    x = _float(x)
    if _is_symbolic(x):
        return pt.sigmoid(x)
    # exp of -|x| never overflows.
    e = np.exp(-np.abs(x))
    return _eager(np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype))


def tanh(x):
    return lnp.tanh(x)


def softplus(x):
    x = _float(x)
    if _is_symbolic(x):
        # PyTensor's own op differentiates to sigmoid(x) everywhere, 0 included.
        return pt.softplus(x)
    xp = _xp(x)
    return _out(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))


def softsign(x):
    x = _float(x)
    return _out(x / (1 + _xp(x).abs(x)))


def silu(x):
    x = _float(x)
    return lnp.multiply(x, sigmoid(x))


def log_sigmoid(x):
    return lnp.negative(softplus(lnp.negative(_float(x))))


def hard_sigmoid(x):
    # Keras 3's definition, relu6(x + 3) / 6.
    x = _float(x)
    return lnp.divide(relu6(lnp.add(x, 3.0)), 6.0)


def elu(x, alpha=1.0):
    x = _float(x)
    xp = _xp(x)
    return _out(xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))).astype(_dtype(x)))


def selu(x):
    scale, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    return lnp.multiply(elu(x, alpha), scale)


def gelu(x, approximate=True):
    x = _float(x)
    xp = _xp(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        out = 0.5 * x * (1 + xp.tanh(inner))
    else:
        out = 0.5 * x * (1 + lnp.erf(x / math.sqrt(2)))
    return _out(out.astype(_dtype(x)))


def leaky_relu(x, negative_slope=0.2):
    x = _float(x)
    return _out(_xp(x).where(x >= 0, x, x * negative_slope).astype(_dtype(x)))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def softmax(x, axis=-1):
    x = _float(x)
    xp = _xp(x)
    axis = _axis(axis)
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return _out(e / xp.sum(e, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    x = _float(x)
    xp = _xp(x)
    axis = _axis(axis)
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return _out(shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True)))


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = convert_to_tensor(x)
    dtype = dtype or _config.floatx()
    classes = np.arange(int(num_classes), dtype=_dtype(x))
    xp = _xp(x)
    out = xp.equal(x[..., None], classes).astype(dtype)
    if axis != -1:
        out = xp.moveaxis(out, -1, axis)
    return _out(out)


# --------------------------------------------------------------------------- convolution


def _tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"`{name}` needs {n} values for {n} spatial dims; got {value}.")
    return value


def _padding(padding: str) -> str:
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; got {padding!r}.")
    return value


def _static_spatial(x, spatial: int, what: str) -> tuple:
    dims = tuple(x.type.shape[1 : 1 + spatial]) if _is_symbolic(x) else x.shape[1 : 1 + spatial]
    if None in dims:
        raise NotImplementedError(
            f"{what} on the PyTensor engine needs the spatial dims of its input to be known "
            f"while tracing; got {dims}. Give the model's Input a full shape."
        )
    return dims


def _to_channels_last(x, data_format):
    if data_format == "channels_last":
        return x
    ndim = x.ndim
    return lnp.transpose(x, (0, *range(2, ndim), 1))


def _from_channels_last(x, data_format):
    if data_format == "channels_last":
        return x
    ndim = x.ndim
    return lnp.transpose(x, (0, ndim - 1, *range(1, ndim - 1)))


def _pads(sizes, windows, strides, dilations, padding):
    """Output sizes and (before, after) padding per spatial dim, as TensorFlow computes them."""
    outs, pads = [], []
    for n, k, s, d in zip(sizes, windows, strides, dilations):
        extent = (k - 1) * d + 1
        if padding == "valid":
            out = max((n - extent) // s + 1, 0)
            pads.append((0, 0))
        else:
            out = -(-n // s)
            total = max((out - 1) * s + extent - n, 0)
            pads.append((total // 2, total - total // 2))
        outs.append(out)
    return outs, pads


def _pad_spatial(x, pads, value):
    if not any(a or b for a, b in pads):
        return x
    width = [(0, 0), *pads, (0, 0)]
    if _is_symbolic(x):
        return pt.pad(x, width, mode="constant", constant_values=value)
    return _eager(np.pad(x, width, mode="constant", constant_values=value))


def _patches(x, windows, strides, dilations, outs):
    """The slices of channels-last `x` under each window offset, in row-major offset order."""
    slices = []
    for offset in itertools.product(*[range(k) for k in windows]):
        index = [slice(None)]
        for o, s, d, n in zip(offset, strides, dilations, outs):
            start = o * d
            index.append(slice(start, start + (n - 1) * s + 1, s))
        slices.append(x[tuple(index)])
    return slices


def _prepare(inputs, kernel, strides, padding, data_format, dilation_rate, what):
    kernel = _float(kernel)
    inputs = cast(convert_to_tensor(inputs), _dtype(kernel))
    spatial = kernel.ndim - 2
    if inputs.ndim != spatial + 2:
        raise ValueError(
            f"{what} expects inputs of rank {spatial + 2} (batch, {spatial} spatial dims, "
            f"channels) for a kernel with {spatial} spatial dims; got rank {inputs.ndim}."
        )
    data_format = _config.standardize_data_format(data_format)
    x = _to_channels_last(inputs, data_format)
    sizes = _static_spatial(x, spatial, what)
    windows = tuple(int(k) for k in _static_shape(kernel)[:spatial])
    strides = _tuple(strides, spatial, "strides")
    dilations = _tuple(dilation_rate, spatial, "dilation_rate")
    outs, pads = _pads(sizes, windows, strides, dilations, _padding(padding))
    x = _pad_spatial(x, pads, 0)
    patches = _patches(x, windows, strides, dilations, outs)
    return kernel, patches, windows, data_format


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel, patches, windows, data_format = _prepare(
        inputs, kernel, strides, padding, data_format, dilation_rate, "conv"
    )
    # patches: (batch, *out, offsets, in); kernel: (offsets, in, out).
    stacked = lnp.stack(patches, axis=-2)
    flat_kernel = lnp.reshape(kernel, (math.prod(windows), *_static_shape(kernel)[-2:]))
    out = lnp.tensordot(stacked, flat_kernel, axes=[[-2, -1], [0, 1]])
    return _from_channels_last(out, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel, patches, windows, data_format = _prepare(
        inputs, kernel, strides, padding, data_format, dilation_rate, "depthwise_conv"
    )
    channels, multiplier = _static_shape(kernel)[-2:]
    flat_kernel = lnp.reshape(kernel, (math.prod(windows), channels, multiplier))
    # Each input channel c gives output channels c * multiplier + m.
    total = None
    for i, patch in enumerate(patches):
        term = lnp.multiply(lnp.expand_dims(patch, -1), flat_kernel[i])
        total = term if total is None else lnp.add(total, term)
    shape = core_shape(total)
    out = lnp.reshape(total, (*shape[:-2], channels * multiplier))
    return _from_channels_last(out, data_format)


# --------------------------------------------------------------------------- pooling


def _pool_windows(x, pool_size, strides, data_format):
    x = convert_to_tensor(x)
    spatial = x.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"pooling expects inputs of rank 3, 4 or 5; got rank {x.ndim}.")
    data_format = _config.standardize_data_format(data_format)
    window = _tuple(pool_size, spatial, "pool_size")
    strides = window if strides is None else _tuple(strides, spatial, "strides")
    return x, _to_channels_last(x, data_format), window, strides, data_format


def _reduce_patches(patches, reducer):
    result = patches[0]
    for patch in patches[1:]:
        result = reducer(result, patch)
    return result


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, x_last, window, strides, data_format = _pool_windows(
        inputs, pool_size, strides, data_format
    )
    spatial = len(window)
    sizes = _static_spatial(x_last, spatial, "max_pool")
    outs, pads = _pads(sizes, window, strides, (1,) * spatial, _padding(padding))
    dtype = _dtype(x)
    low = -np.inf if dtype.startswith("float") else np.iinfo(dtype).min
    padded = _pad_spatial(x_last, pads, low)
    patches = _patches(padded, window, strides, (1,) * spatial, outs)
    return _from_channels_last(_reduce_patches(patches, lnp.maximum), data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x, x_last, window, strides, data_format = _pool_windows(
        inputs, pool_size, strides, data_format
    )
    spatial = len(window)
    sizes = _static_spatial(x_last, spatial, "average_pool")
    padding = _padding(padding)
    outs, pads = _pads(sizes, window, strides, (1,) * spatial, padding)
    padded = _pad_spatial(x_last, pads, 0)
    total = _reduce_patches(_patches(padded, window, strides, (1,) * spatial, outs), lnp.add)
    if padding == "valid":
        return _from_channels_last(lnp.divide(total, math.prod(window)), data_format)
    # Average over the real cells only, as Keras and TensorFlow do: the counts
    # depend on static sizes alone, so NumPy computes them once.
    ones = np.pad(np.ones((1, *sizes, 1), _dtype(x)), [(0, 0), *pads, (0, 0)])
    counts = _reduce_patches(_patches(ones, window, strides, (1,) * spatial, outs), np.add)
    return _from_channels_last(lnp.divide(total, _eager(counts)), data_format)


# --------------------------------------------------------------------------- normalization


def _axes(axes):
    if axes is None:
        return None
    return (axes,) if isinstance(axes, int) else tuple(axes)


def moments(x, axes, keepdims=False):
    x = _float(x)
    in_dtype = _dtype(x)
    # Half-precision sums lose too much; compute in float32 as Keras does.
    if in_dtype == "float16":
        x = cast(x, "float32")
    axes = _axes(axes)
    mean = lnp.mean(x, axis=axes, keepdims=True)
    variance = lnp.mean(lnp.square(lnp.subtract(x, mean)), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = lnp.squeeze(mean, axis=axes)
    return cast(mean, in_dtype), cast(variance, in_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float(x)
    dtype = _dtype(x)
    # The statistics are vectors along `axis`; give them x's rank to broadcast.
    shape = [1] * x.ndim
    shape[axis] = -1

    def along_axis(v):
        return lnp.reshape(cast(v, dtype), shape)

    inv = lnp.divide(1.0, lnp.sqrt(lnp.add(along_axis(variance), epsilon)))
    if scale is not None:
        inv = lnp.multiply(inv, along_axis(scale))
    y = lnp.multiply(lnp.subtract(x, along_axis(mean)), inv)
    return y if offset is None else lnp.add(y, along_axis(offset))


# --------------------------------------------------------------------------- cross-entropies


def _static_shape(x) -> tuple:
    return tuple(x.type.shape) if _is_symbolic(x) else x.shape


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def _check_same_shape(target, output):
    if not _compatible(_static_shape(target), _static_shape(output)):
        raise ValueError(
            "`target` and `output` must have the same shape; got target shape "
            f"{_static_shape(target)} and output shape {_static_shape(output)}."
        )


def _clip_probabilities(output):
    eps = _config.epsilon()
    return lnp.clip(output, eps, 1.0 - eps)


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return log_softmax(output, axis=axis)
    # Keras rescales so the probabilities sum to one before clipping.
    output = lnp.divide(output, lnp.sum(output, axis=axis, keepdims=True))
    return lnp.log(_clip_probabilities(output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = cast(_unwrap(target), _dtype(output))
    _check_same_shape(target, output)
    log_prob = _log_probabilities(output, from_logits, axis)
    return lnp.negative(lnp.sum(lnp.multiply(target, log_prob), axis=axis))


def _sparse_target(target, output, axis: int):
    target = convert_to_tensor(target)
    if not _dtype(target).startswith(("int", "uint")):
        target = cast(target, "int32")
    shape = _static_shape(target)
    # Keras accepts ids with a trailing singleton dim, shaped (batch, ..., 1).
    if target.ndim == output.ndim and shape[-1] == 1:
        target = lnp.squeeze(target, axis=-1)
    out_shape = _static_shape(output)
    expected = out_shape[:axis] + out_shape[axis + 1 :]
    if not _compatible(_static_shape(target), expected):
        raise ValueError(
            "`target` must hold one class id per output row: expected shape "
            f"{expected} for output shape {out_shape} and axis {axis}; got {_static_shape(target)}."
        )
    return target


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    axis = axis % output.ndim
    target = _sparse_target(target, output, axis)
    log_prob = _log_probabilities(output, from_logits, axis)
    # One-hot rather than a gather: out-of-range ids give 0, as on TensorFlow.
    classes = _static_shape(output)[axis]
    mask = one_hot(target, classes, axis=axis, dtype=_dtype(output))
    return lnp.negative(lnp.sum(lnp.multiply(mask, log_prob), axis=axis))


def binary_crossentropy(target, output, from_logits=False):
    output = _float(output)
    target = cast(_unwrap(target), _dtype(output))
    _check_same_shape(target, output)
    if from_logits:
        if _is_symbolic(output) or _is_symbolic(target):
            # softplus(x) - x * t: its gradient is sigmoid(x) - t everywhere, where the
            # max/abs form below would have a kink at 0.
            return lnp.subtract(softplus(output), lnp.multiply(output, target))
        # The stable form of sigmoid cross-entropy, as tf.nn computes it.
        positive = lnp.maximum(output, 0.0)
        return lnp.add(
            lnp.subtract(positive, lnp.multiply(output, target)),
            lnp.log1p(lnp.exp(lnp.negative(lnp.abs(output)))),
        )
    output = _clip_probabilities(output)
    return lnp.negative(
        lnp.add(
            lnp.multiply(target, lnp.log(output)),
            lnp.multiply(lnp.subtract(1.0, target), lnp.log(lnp.subtract(1.0, output))),
        )
    )
