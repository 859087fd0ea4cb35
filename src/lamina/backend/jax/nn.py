"""nn functions of the backend contract on jax."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from lamina import config as _config

# --------------------------------------------------------------------------- helpers


def _tensor(x, dtype=None):
    """Convert locally so this module does not depend on core's conversion."""
    if isinstance(x, jax.Array):
        return x if dtype is None else x.astype(dtype)
    if dtype is None:
        x = np.asarray(x)
        # The contract: Python floats and float64 data become floatx. Other
        # dtypes are left to jax, which narrows int64 to int32 silently when
        # x64 is off (naming int64 explicitly would warn).
        if x.dtype == np.float64:
            dtype = _config.floatx()
    return jnp.asarray(x, dtype=dtype)


def _float_tensor(x):
    x = _tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(_config.floatx())


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
    return value.upper()


def _check_rank(x, spatial: int, what: str):
    if x.ndim != spatial + 2:
        raise ValueError(
            f"{what} expects inputs of rank {spatial + 2} (batch, {spatial} spatial dims, "
            f"channels) for a kernel with {spatial} spatial dims; got shape {x.shape}."
        )


_SPATIAL_LETTERS = {1: "W", 2: "HW", 3: "DHW"}


def _dimension_numbers(spatial: int, data_format: str) -> tuple:
    letters = _SPATIAL_LETTERS[spatial]
    lhs = f"N{letters}C" if data_format == "channels_last" else f"NC{letters}"
    # Kernels are (*spatial, in, out) whatever the data format.
    return (lhs, f"{letters}IO", lhs)


def _conv(inputs, kernel, strides, padding, data_format, dilation_rate, groups: int):
    spatial = kernel.ndim - 2
    return lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=_tuple(strides, spatial, "strides"),
        padding=_padding(padding),
        rhs_dilation=_tuple(dilation_rate, spatial, "dilation_rate"),
        dimension_numbers=_dimension_numbers(spatial, data_format),
        feature_group_count=groups,
    )


# --------------------------------------------------------------------------- activations


def relu(x):
    return jax.nn.relu(_tensor(x))


def relu6(x):
    return jax.nn.relu6(_tensor(x))


def sigmoid(x):
    return jax.nn.sigmoid(_float_tensor(x))


def tanh(x):
    return jnp.tanh(_float_tensor(x))


def softplus(x):
    return jax.nn.softplus(_float_tensor(x))


def softsign(x):
    return jax.nn.soft_sign(_float_tensor(x))


def silu(x):
    return jax.nn.silu(_float_tensor(x))


def log_sigmoid(x):
    return jax.nn.log_sigmoid(_float_tensor(x))


def hard_sigmoid(x):
    # Keras 3's definition, relu6(x + 3) / 6.
    return jax.nn.hard_sigmoid(_float_tensor(x))


def elu(x, alpha=1.0):
    return jax.nn.elu(_float_tensor(x), alpha=alpha)


def selu(x):
    return jax.nn.selu(_float_tensor(x))


def gelu(x, approximate=True):
    return jax.nn.gelu(_float_tensor(x), approximate=approximate)


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(_float_tensor(x), negative_slope=negative_slope)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def softmax(x, axis=-1):
    return jax.nn.softmax(_float_tensor(x), axis=_axis(axis))


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_float_tensor(x), axis=_axis(axis))


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = _tensor(x)
    return jax.nn.one_hot(x, int(num_classes), axis=axis, dtype=dtype or _config.floatx())


# --------------------------------------------------------------------------- convolution


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = _tensor(kernel)
    inputs = _tensor(inputs, kernel.dtype)
    _check_rank(inputs, kernel.ndim - 2, "conv")
    data_format = _config.standardize_data_format(data_format)
    return _conv(inputs, kernel, strides, padding, data_format, dilation_rate, groups=1)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = _tensor(kernel)
    inputs = _tensor(inputs, kernel.dtype)
    _check_rank(inputs, kernel.ndim - 2, "depthwise_conv")
    data_format = _config.standardize_data_format(data_format)
    # A depthwise conv is a grouped conv with one group per input channel;
    # flattening (in, multiplier) orders output channels c * multiplier + m.
    *window, channels, multiplier = kernel.shape
    grouped = kernel.reshape(*window, 1, channels * multiplier)
    return _conv(inputs, grouped, strides, padding, data_format, dilation_rate, groups=channels)


# --------------------------------------------------------------------------- pooling


def _window(x, pool_size, strides, data_format):
    """Full-rank window and strides for lax.reduce_window."""
    spatial = x.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"pooling expects inputs of rank 3, 4 or 5; got shape {x.shape}.")
    window = _tuple(pool_size, spatial, "pool_size")
    strides = window if strides is None else _tuple(strides, spatial, "strides")
    if data_format == "channels_last":
        return (1, *window, 1), (1, *strides, 1)
    return (1, 1, *window), (1, 1, *strides)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = _tensor(inputs)
    data_format = _config.standardize_data_format(data_format)
    window, strides = _window(x, pool_size, strides, data_format)
    # A concrete NumPy init value: JAX only differentiates reduce_window(max) when it
    # can see the init is the identity of max.
    init = np.array(
        -np.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min, x.dtype
    )
    padding = _padding(padding)
    if window == strides and jnp.issubdtype(x.dtype, jnp.floating):
        return _tiled_max_pool(x, window, padding, init)
    return lax.reduce_window(x, init, lax.max, window, strides, padding)


def _tiled_max_pool(x, window, padding, init):
    """Max pooling over non-overlapping windows (pool size == strides).

    The windows tile the input, so a reshape splits each pooled dim into
    (blocks, window) and a plain reduction takes the max. XLA's gradient of
    reduce_window(max) is a select-and-scatter, several times slower on CPU
    than the elementwise mask this gradient is.
    """
    pads, shape, axes = [], [], []
    for size, w in zip(x.shape, window, strict=True):
        blocks = size // w if padding == "VALID" else -(-size // w)
        extra = blocks * w - size
        # VALID drops the cells past the last whole window (a negative pad);
        # SAME pads as TensorFlow does, the odd cell after.
        pads.append((extra // 2, extra - extra // 2, 0) if padding == "SAME" else (0, extra, 0))
        shape.extend([blocks, w] if w > 1 else [size])
        if w > 1:
            axes.append(len(shape) - 1)
    x = lax.pad(x, init, pads)
    return _first_max(x.reshape(shape), tuple(axes))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _first_max(x, axes):
    return jnp.max(x, axis=axes)


@_first_max.defjvp
def _first_max_jvp(axes, primals, tangents):
    # The tangent of the first maximum in each window (in row-major window
    # order), as reduce_window's select-and-scatter and the other engines
    # route it; jnp.max's own rule would split it among ties.
    (x,), (dx,) = primals, tangents
    out = jnp.max(x, axis=axes)
    position = sum(
        lax.broadcasted_iota(jnp.int32, x.shape, axis)
        * math.prod(x.shape[a] for a in axes[i + 1 :])
        for i, axis in enumerate(axes)
    )
    candidates = jnp.where(x == jnp.expand_dims(out, axes), position, jnp.iinfo(jnp.int32).max)
    first = position == jnp.min(candidates, axis=axes, keepdims=True)
    return out, jnp.sum(jnp.where(first, dx, jnp.zeros_like(dx)), axis=axes)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = _tensor(inputs)
    data_format = _config.standardize_data_format(data_format)
    window, strides = _window(x, pool_size, strides, data_format)
    padding = _padding(padding)
    zero = jnp.array(0, x.dtype)
    total = lax.reduce_window(x, zero, lax.add, window, strides, padding)
    if padding == "VALID":
        return total / math.prod(window)
    # Average over the real cells only, as Keras and TensorFlow do: count
    # them by pooling ones shaped like one (batch, channel) slice of x.
    ones_shape = [
        n if w > 1 or s > 1 else 1 for n, w, s in zip(x.shape, window, strides, strict=True)
    ]
    counts = lax.reduce_window(
        jnp.ones(ones_shape, x.dtype), zero, lax.add, window, strides, padding
    )
    return total / counts


# --------------------------------------------------------------------------- normalization


def _axes(axes) -> tuple | None:
    if axes is None:
        return None
    return (axes,) if isinstance(axes, int) else tuple(axes)


def moments(x, axes, keepdims=False):
    x = _float_tensor(x)
    in_dtype = x.dtype
    # Half-precision sums lose too much; compute in float32 as Keras does.
    if in_dtype in (jnp.float16, jnp.bfloat16):
        x = x.astype(jnp.float32)
    axes = _axes(axes)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = jnp.squeeze(mean, axis=axes)
    return mean.astype(in_dtype), variance.astype(in_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float_tensor(x)
    # The statistics are vectors along `axis`; give them x's rank to broadcast.
    shape = [1] * x.ndim
    shape[axis] = -1

    def along_axis(v):
        return jnp.reshape(_tensor(v, x.dtype), shape)

    inv = lax.rsqrt(along_axis(variance) + jnp.asarray(epsilon, x.dtype))
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
    if not _compatible(target.shape, output.shape):
        raise ValueError(
            "`target` and `output` must have the same shape; got target shape "
            f"{target.shape} and output shape {output.shape}."
        )


def _clip_probabilities(output):
    eps = _config.epsilon()
    return jnp.clip(output, jnp.asarray(eps, output.dtype), jnp.asarray(1.0 - eps, output.dtype))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        # Keras rescales so the probabilities sum to one before clipping.
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probabilities(output))
    return -jnp.sum(target * log_prob, axis=axis)


def _sparse_target(target, output, axis: int):
    target = _tensor(target)
    if not jnp.issubdtype(target.dtype, jnp.integer):
        target = target.astype(jnp.int32)
    # Keras accepts ids with a trailing singleton dim, shaped (batch, ..., 1).
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    expected = output.shape[:axis] + output.shape[axis + 1 :]
    if not _compatible(target.shape, expected):
        raise ValueError(
            "`target` must hold one class id per output row: expected shape "
            f"{expected} for output shape {output.shape} and axis {axis}; got {target.shape}."
        )
    return target


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    axis = axis % output.ndim
    target = _sparse_target(target, output, axis)
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probabilities(output))
    # One-hot rather than a gather: out-of-range ids give 0, as on TensorFlow.
    mask = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -jnp.sum(mask * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        # Written with log_sigmoid, which is stable and has the right gradient
        # (sigmoid(z) - target) everywhere; the max/abs form has kinks at z == 0.
        return -(
            target * jax.nn.log_sigmoid(output) + (1.0 - target) * jax.nn.log_sigmoid(-output)
        )
    output = _clip_probabilities(output)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))
