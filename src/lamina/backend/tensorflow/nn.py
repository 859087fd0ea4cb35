"""nn functions of the backend contract on tensorflow."""

from __future__ import annotations

import warnings

import numpy as np
import tensorflow as tf

from lamina import config as _config

# Keras 3's SELU constants (Klambauer et al., 2017).
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


# --------------------------------------------------------------------------- helpers


def _tensor(x, dtype=None):
    """Convert locally so this module does not depend on core's conversion."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x if dtype is None else tf.cast(x, dtype)
    if dtype is None:
        array = np.asarray(x)
        # The contract: Python floats and float64 data become floatx.
        dtype = _config.floatx() if array.dtype == np.float64 else array.dtype
        x = array
    return tf.convert_to_tensor(x, dtype=dtype)


def _float_tensor(x):
    x = _tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, _config.floatx())


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


def _tf_format(rank: int) -> str:
    return {3: "NWC", 4: "NHWC", 5: "NDHWC"}[rank]


def _check_rank(x, spatial: int, what: str):
    if x.shape.rank != spatial + 2:
        raise ValueError(
            f"{what} expects inputs of rank {spatial + 2} (batch, {spatial} spatial dims, "
            f"channels) for a kernel with {spatial} spatial dims; got shape {x.shape}."
        )


# TensorFlow's CPU kernels only take channels-last layouts, so channels_first
# inputs are transposed around the op (XLA and grappler fold the transposes).
def _to_channels_last(x, data_format: str):
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0, *range(2, rank), 1])


def _from_channels_last(x, data_format: str):
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1, *range(1, rank - 1)])


def _same_pads(size, window: int, stride: int) -> list:
    """TensorFlow's 'same' padding for one spatial dim: the extra cell goes after."""
    out = -(-size // stride)
    total = (out - 1) * stride + window - size
    total = max(total, 0) if isinstance(total, int) else tf.maximum(total, 0)
    return [total // 2, total - total // 2]


def _strided_dilated(op, x, window, strides, dilation, padding):
    """Run a channels-last windowed `op(x, strides, padding)` for any strides and dilation.

    tf.nn.convolution refuses strides > 1 together with dilation > 1, so that
    case pads explicitly, runs with stride 1 and keeps every stride-th output:
    the same cells the strided op would compute.
    """
    if max(strides) == 1 or max(dilation) == 1:
        return op(x, strides, padding)
    if padding == "SAME":
        # Static sizes keep the output's static shape; unknown ones stay dynamic.
        sizes = [x.shape[i + 1] or tf.shape(x)[i + 1] for i in range(len(strides))]
        pads = [
            _same_pads(n, (w - 1) * d + 1, s)
            for n, w, s, d in zip(sizes, window, strides, dilation, strict=True)
        ]
        x = tf.pad(x, [[0, 0], *pads, [0, 0]])
    y = op(x, (1,) * len(strides), "VALID")
    return y[(slice(None), *(slice(None, None, s) for s in strides), slice(None))]


# --------------------------------------------------------------------------- activations


def relu(x):
    return tf.nn.relu(_tensor(x))


def relu6(x):
    return tf.nn.relu6(_tensor(x))


def sigmoid(x):
    return tf.nn.sigmoid(_float_tensor(x))


def tanh(x):
    return tf.nn.tanh(_float_tensor(x))


def softplus(x):
    return tf.nn.softplus(_float_tensor(x))


def softsign(x):
    return tf.nn.softsign(_float_tensor(x))


def silu(x):
    return tf.nn.silu(_float_tensor(x))


def log_sigmoid(x):
    return tf.math.log_sigmoid(_float_tensor(x))


def hard_sigmoid(x):
    x = _float_tensor(x)
    return tf.nn.relu6(x + 3.0) / 6.0


def elu(x, alpha=1.0):
    x = _float_tensor(x)
    # tf.nn.elu has no alpha; expm1 keeps precision near zero.
    return tf.where(x > 0, x, tf.cast(alpha, x.dtype) * tf.math.expm1(x))


def selu(x):
    x = _float_tensor(x)
    return _SELU_SCALE * tf.where(x > 0, x, _SELU_ALPHA * tf.math.expm1(x))


def gelu(x, approximate=True):
    return tf.nn.gelu(_float_tensor(x), approximate=approximate)


def leaky_relu(x, negative_slope=0.2):
    return tf.nn.leaky_relu(_float_tensor(x), alpha=negative_slope)


def _reduce_axis(axis):
    return list(axis) if isinstance(axis, (tuple, list)) else axis


def softmax(x, axis=-1):
    x = _float_tensor(x)
    if isinstance(axis, int):
        return tf.nn.softmax(x, axis=axis)
    # tf.nn.softmax takes one axis only; normalise over several through logsumexp.
    return tf.exp(x - tf.reduce_logsumexp(x, axis=_reduce_axis(axis), keepdims=True))


def log_softmax(x, axis=-1):
    x = _float_tensor(x)
    if isinstance(axis, int):
        return tf.nn.log_softmax(x, axis=axis)
    return x - tf.reduce_logsumexp(x, axis=_reduce_axis(axis), keepdims=True)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = _tensor(x)
    if not x.dtype.is_integer:
        x = tf.cast(x, tf.int32)
    rank = x.shape.rank + 1
    # tf.one_hot accepts -1 or a non-negative axis only.
    axis = axis if axis == -1 else axis % rank
    return tf.one_hot(x, int(num_classes), axis=axis, dtype=dtype or _config.floatx())


# --------------------------------------------------------------------------- convolution


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = _tensor(kernel)
    inputs = _tensor(inputs, kernel.dtype)
    spatial = kernel.shape.rank - 2
    _check_rank(inputs, spatial, "conv")
    data_format = _config.standardize_data_format(data_format)
    strides = _tuple(strides, spatial, "strides")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate")

    def op(x, s, p):
        return tf.nn.convolution(x, kernel, strides=s, padding=p, dilations=dilation)

    x = _to_channels_last(inputs, data_format)
    y = _strided_dilated(op, x, kernel.shape[:spatial], strides, dilation, _padding(padding))
    return _from_channels_last(y, data_format)


def _depthwise_as_dense(kernel):
    """A full conv kernel equal to a depthwise one: block-diagonal over channels.

    TensorFlow has no 3-D depthwise conv, nor a grouped 3-D one on CPU; this
    kernel gives output channel c * multiplier + m from input channel c alone.
    """
    *window, channels, multiplier = kernel.shape
    eye = tf.eye(channels, dtype=kernel.dtype)
    dense = kernel[..., :, None, :] * eye[:, :, None]  # (*window, in, in, mult)
    return tf.reshape(dense, [*window, channels, channels * multiplier])


def _depthwise_op(kernel, dilation):
    """A channels-last `op(x, strides, padding)` computing the depthwise conv."""
    spatial = kernel.shape.rank - 2
    if spatial == 2:
        return lambda x, s, p: tf.nn.depthwise_conv2d(
            x, kernel, strides=(1, *s, 1), padding=p, dilations=dilation
        )
    if spatial == 1:
        # A 1-D depthwise conv is a 2-D one over a height of 1.
        return lambda x, s, p: tf.nn.depthwise_conv2d(
            x[:, None], kernel[None], strides=(1, 1, *s, 1), padding=p, dilations=(1, *dilation)
        )[:, 0]
    dense = _depthwise_as_dense(kernel)
    return lambda x, s, p: tf.nn.convolution(x, dense, strides=s, padding=p, dilations=dilation)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = _tensor(kernel)
    inputs = _tensor(inputs, kernel.dtype)
    spatial = kernel.shape.rank - 2
    _check_rank(inputs, spatial, "depthwise_conv")
    data_format = _config.standardize_data_format(data_format)
    strides = _tuple(strides, spatial, "strides")
    dilation = _tuple(dilation_rate, spatial, "dilation_rate")

    op = _depthwise_op(kernel, dilation)
    x = _to_channels_last(inputs, data_format)
    y = _strided_dilated(op, x, kernel.shape[:spatial], strides, dilation, _padding(padding))
    return _from_channels_last(y, data_format)


# --------------------------------------------------------------------------- pooling


def _pool(pool_fn, inputs, pool_size, strides, padding, data_format):
    x = _tensor(inputs)
    spatial = x.shape.rank - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"pooling expects inputs of rank 3, 4 or 5; got shape {x.shape}.")
    data_format = _config.standardize_data_format(data_format)
    window = _tuple(pool_size, spatial, "pool_size")
    strides = window if strides is None else _tuple(strides, spatial, "strides")
    x = _to_channels_last(x, data_format)
    y = pool_fn(x, window, strides, _padding(padding), data_format=_tf_format(x.shape.rank))
    return _from_channels_last(y, data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool(tf.nn.max_pool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    # tf.nn.avg_pool already averages over the valid (unpadded) cells only.
    return _pool(tf.nn.avg_pool, inputs, pool_size, strides, padding, data_format)


# --------------------------------------------------------------------------- normalization


def _axes(axes, rank: int) -> list:
    if axes is None:
        return list(range(rank))
    return [axes] if isinstance(axes, int) else list(axes)


def moments(x, axes, keepdims=False):
    x = _float_tensor(x)
    in_dtype = x.dtype
    # Half-precision sums lose too much; compute in float32 as Keras does.
    if in_dtype in (tf.float16, tf.bfloat16):
        x = tf.cast(x, tf.float32)
    axes = _axes(axes, x.shape.rank)
    mean = tf.reduce_mean(x, axis=axes, keepdims=True)
    variance = tf.reduce_mean(tf.square(x - mean), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = tf.squeeze(mean, axis=axes)
    return tf.cast(mean, in_dtype), tf.cast(variance, in_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float_tensor(x)
    # The statistics are vectors along `axis`; give them x's rank to broadcast.
    shape = [1] * x.shape.rank
    shape[axis] = -1

    def along_axis(v):
        return tf.reshape(_tensor(v, x.dtype), shape)

    inv = tf.math.rsqrt(along_axis(variance) + tf.cast(epsilon, x.dtype))
    if scale is not None:
        inv = inv * along_axis(scale)
    y = (x - along_axis(mean)) * inv
    return y if offset is None else y + along_axis(offset)


# --------------------------------------------------------------------------- cross-entropies


def _check_same_shape(target, output):
    if not target.shape.is_compatible_with(output.shape):
        raise ValueError(
            "`target` and `output` must have the same shape; got target shape "
            f"{target.shape} and output shape {output.shape}."
        )


def _logits_behind(output, from_logits, op_type, fn_name, axis=None):
    """The logits a softmax or sigmoid output came from, as Keras on TensorFlow uses them.

    A cross-entropy of probabilities clips them to [epsilon, 1 - epsilon] and
    takes their log; from the logits it is exact and cheaper. lamina's
    activations keep their logits on the output (`_keras_logits`, Keras's
    name), and inside a compiled function a Softmax or Sigmoid op gives its
    input. For a softmax the loss's axis must be the softmax's.
    """
    rank = output.shape.rank
    logits = getattr(output, "_keras_logits", None)
    if logits is not None:
        if axis is not None:
            softmax_axis = getattr(output, "_keras_logits_axis", -1)
            if not isinstance(softmax_axis, int) or softmax_axis % rank != axis % rank:
                logits = None
    else:
        try:
            op = output.op  # graph tensors only; eager tensors have no op
        except AttributeError:
            op = None
        if op is not None and op.type == op_type and len(op.inputs) == 1:
            if axis is None or axis % rank == rank - 1:
                logits = op.inputs[0]
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(
            f"`{fn_name}` got from_logits=True, but its `output` came from a "
            f"{op_type.lower()}, so it holds probabilities, not logits; the loss uses the "
            f"{op_type.lower()}'s logits. Drop the activation or set from_logits=False.",
            stacklevel=3,
        )
    return _float_tensor(logits), True


def _clip_probabilities(output):
    eps = _config.epsilon()
    return tf.clip_by_value(output, tf.cast(eps, output.dtype), tf.cast(1.0 - eps, output.dtype))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    output, from_logits = _logits_behind(
        output, from_logits, "Softmax", "categorical_crossentropy", axis
    )
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    # Keras rescales so the probabilities sum to one before clipping.
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    return -tf.reduce_sum(target * tf.math.log(_clip_probabilities(output)), axis=axis)


def _sparse_target(target, output, axis: int):
    target = _tensor(target)
    if not target.dtype.is_integer:
        target = tf.cast(target, tf.int32)
    # Keras accepts ids with a trailing singleton dim, shaped (batch, ..., 1).
    if target.shape.rank == output.shape.rank and target.shape[-1] == 1:
        target = tf.squeeze(target, axis=-1)
    expected = output.shape[:axis].concatenate(output.shape[axis + 1 :])
    if not target.shape.is_compatible_with(expected):
        raise ValueError(
            "`target` must hold one class id per output row: expected shape "
            f"{expected} for output shape {output.shape} and axis {axis}; got {target.shape}."
        )
    return target


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    axis = axis % output.shape.rank
    target = _sparse_target(target, output, axis)
    output, from_logits = _logits_behind(
        output, from_logits, "Softmax", "sparse_categorical_crossentropy", axis
    )
    if from_logits:
        log_prob = tf.nn.log_softmax(output, axis=axis)
    else:
        output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
        log_prob = tf.math.log(_clip_probabilities(output))
    # One-hot rather than a gather: out-of-range ids give 0 on every engine
    # instead of a CPU-only error.
    depth = output.shape[axis] if output.shape[axis] is not None else tf.shape(output)[axis]
    mask = tf.one_hot(target, depth, axis=axis, dtype=output.dtype)
    return -tf.reduce_sum(mask * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    output = _float_tensor(output)
    target = _tensor(target, output.dtype)
    _check_same_shape(target, output)
    output, from_logits = _logits_behind(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clip_probabilities(output)
    return -(target * tf.math.log(output) + (1.0 - target) * tf.math.log(1.0 - output))
