"""lamina.ops.nn: activations, convolution, pooling, normalization, cross-entropies.

Every op accepts the engine's tensors, NumPy arrays, Python scalars and lists,
and returns an engine tensor. Shape rules are given as `input -> output`.
"""

from __future__ import annotations

from lamina.backend import engine as _engine

__all__ = [
    "average_pool",
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "conv",
    "depthwise_conv",
    "elu",
    "gelu",
    "hard_sigmoid",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "max_pool",
    "moments",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "tanh",
]

# --------------------------------------------------------------------------- activations


def relu(x):
    """Rectified linear unit, `max(x, 0)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A tensor of x's shape and dtype.
    """
    return _engine.nn.relu(x)


def relu6(x):
    """Rectified linear unit capped at 6, `min(max(x, 0), 6)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A tensor of x's shape and dtype.
    """
    return _engine.nn.relu6(x)


def sigmoid(x):
    """Logistic sigmoid, `1 / (1 + exp(-x))`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.tanh(x)


def softplus(x):
    """Softplus, `log(1 + exp(x))`, element-wise, computed without overflow.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.softplus(x)


def softsign(x):
    """Softsign, `x / (1 + |x|)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.softsign(x)


def silu(x):
    """Sigmoid linear unit (swish), `x * sigmoid(x)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.silu(x)


def log_sigmoid(x):
    """Logarithm of the sigmoid, `-softplus(-x)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.log_sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid, `relu6(x + 3) / 6`, element-wise (Keras 3's definition).

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape, with values in [0, 1].
    """
    return _engine.nn.hard_sigmoid(x)


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`.

    Args:
        x: input tensor.
        alpha: scale of the negative part.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)` with Keras's constants
    `alpha = 1.67326324`, `scale = 1.05070098`.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.selu(x)


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit.

    Args:
        x: input tensor.
        approximate: True for the tanh approximation
            `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))`,
            False for the exact `0.5 * x * (1 + erf(x / sqrt(2)))`.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.gelu(x, approximate=approximate)


def leaky_relu(x, negative_slope: float = 0.2):
    """Leaky ReLU: `x` where `x > 0`, else `negative_slope * x`.

    Args:
        x: input tensor.
        negative_slope: slope of the negative part (Keras's default, 0.2).

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.leaky_relu(x, negative_slope=negative_slope)


def softmax(x, axis: int | tuple[int, ...] | None = -1):
    """Softmax, `exp(x) / sum(exp(x), axis)`, computed stably.

    Args:
        x: input tensor.
        axis: the axis or axes that sum to one; None for all of them.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.softmax(x, axis=axis)


def log_softmax(x, axis: int | tuple[int, ...] | None = -1):
    """Logarithm of the softmax, `x - logsumexp(x, axis)`.

    Args:
        x: input tensor.
        axis: the axis or axes normalised over; None for all of them.

    Returns:
        A float tensor of x's shape.
    """
    return _engine.nn.log_softmax(x, axis=axis)


def one_hot(x, num_classes: int, axis: int = -1, dtype: str | None = None):
    """One-hot encoding of integer class ids.

    Ids outside `[0, num_classes)` give an all-zero row.

    Args:
        x: integer tensor of class ids.
        num_classes: length of the new axis.
        axis: where the new axis goes in the output.
        dtype: output dtype; None means floatx.

    Returns:
        A tensor of rank `x.ndim + 1`: `x.shape` with `num_classes` inserted at
        `axis`, e.g. `(batch,) -> (batch, num_classes)`.
    """
    return _engine.nn.one_hot(x, num_classes, axis=axis, dtype=dtype)


# --------------------------------------------------------------------------- convolution


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1):
    """N-D convolution (N = 1, 2 or 3), as Keras's Conv1D/2D/3D layers compute it.

    Args:
        inputs: `(batch, *spatial, in)` for "channels_last" or
            `(batch, in, *spatial)` for "channels_first".
        kernel: `(*window, in, out)` whatever the data format.
        strides: an int or one int per spatial dim.
        padding: "valid" (no padding) or "same" (pad so that
            `out = ceil(size / stride)`; the odd extra cell goes at the end).
        data_format: "channels_last" or "channels_first"; None means the
            configured `image_data_format`.
        dilation_rate: an int or one int per spatial dim.

    Returns:
        `(batch, *out_spatial, out)` (or channels first), where for each
        spatial dim with `k_eff = (window - 1) * dilation + 1`:
        "valid": `out = floor((size - k_eff) / stride) + 1`;
        "same": `out = ceil(size / stride)`.
    """
    return _engine.nn.conv(inputs, kernel, strides, padding, data_format, dilation_rate)


def depthwise_conv(
    inputs, kernel, strides=1, padding: str = "valid", data_format=None, dilation_rate=1
):
    """Depthwise N-D convolution: each input channel convolved with its own filters.

    Args:
        inputs: `(batch, *spatial, in)` or `(batch, in, *spatial)`.
        kernel: `(*window, in, multiplier)`.
        strides, padding, data_format, dilation_rate: as for `conv`.

    Returns:
        Spatial dims as for `conv`, with `in * multiplier` channels; output
        channel `c * multiplier + m` comes from input channel `c` and filter `m`.
    """
    return _engine.nn.depthwise_conv(inputs, kernel, strides, padding, data_format, dilation_rate)


# --------------------------------------------------------------------------- pooling


def max_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """N-D max pooling (N = 1, 2 or 3); padded cells never win.

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`.
        pool_size: an int or one int per spatial dim.
        strides: an int, one int per spatial dim, or None for `pool_size`.
        padding: "valid" or "same".
        data_format: "channels_last", "channels_first", or None for the
            configured `image_data_format`.

    Returns:
        Channels unchanged; each spatial dim follows `conv`'s rule with
        `k_eff = pool_size`.
    """
    return _engine.nn.max_pool(inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """N-D average pooling (N = 1, 2 or 3).

    With "same" padding each window averages over its real cells only, not the
    padding, as Keras does.

    Args:
        inputs, pool_size, strides, padding, data_format: as for `max_pool`.

    Returns:
        The shape `max_pool` gives.
    """
    return _engine.nn.average_pool(inputs, pool_size, strides, padding, data_format)


# --------------------------------------------------------------------------- normalization


def moments(x, axes, keepdims: bool = False):
    """Mean and biased variance (divided by n, not n - 1) over `axes`.

    float16 and bfloat16 inputs are reduced in float32 and cast back.

    Args:
        x: input tensor.
        axes: an int, a tuple of ints, or None for all axes.
        keepdims: keep the reduced axes with size 1.

    Returns:
        `(mean, variance)`, each of x's shape without `axes` (or with them as
        1 when `keepdims`).
    """
    return _engine.nn.moments(x, axes, keepdims=keepdims)


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None, epsilon=1e-3):
    """Normalize `x` along `axis`: `(x - mean) / sqrt(variance + epsilon) * scale + offset`.

    Args:
        x: input tensor.
        mean, variance: vectors of length `x.shape[axis]`.
        axis: the features axis the statistics run along.
        offset, scale: optional vectors of length `x.shape[axis]`
            (beta and gamma).
        epsilon: added to the variance before the square root.

    Returns:
        A tensor of x's shape.
    """
    return _engine.nn.batch_normalization(x, mean, variance, axis, offset, scale, epsilon)


# --------------------------------------------------------------------------- cross-entropies


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between one-hot (or soft) targets and class scores.

    With `from_logits=False` the output is first divided by its sum over `axis`,
    then clipped to `[epsilon, 1 - epsilon]` (`lamina.config.epsilon()`), as
    Keras does; with `from_logits=True` it goes through a stable log-softmax.

    Args:
        target: class probabilities, the shape of `output`.
        output: probabilities, or logits when `from_logits`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    Returns:
        The loss per example: `output.shape` without `axis`.
    """
    return _engine.nn.categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1):
    """Cross-entropy between integer class ids and class scores.

    Probabilities are treated as in `categorical_crossentropy`. Ids outside
    `[0, classes)` contribute a loss of 0.

    Args:
        target: integer class ids, `output.shape` without `axis` (a trailing
            dim of size 1 is accepted too).
        output: probabilities, or logits when `from_logits`.
        from_logits: whether `output` holds logits.
        axis: the class axis.

    Returns:
        The loss per example: `output.shape` without `axis`.
    """
    return _engine.nn.sparse_categorical_crossentropy(target, output, from_logits, axis)


def binary_crossentropy(target, output, from_logits: bool = False):
    """Element-wise binary cross-entropy.

    With `from_logits=False` the output is clipped to `[epsilon, 1 - epsilon]`;
    with `from_logits=True` the stable sigmoid cross-entropy
    `max(x, 0) - x * t + log(1 + exp(-|x|))` is used.

    Args:
        target: targets in [0, 1], the shape of `output`.
        output: probabilities, or logits when `from_logits`.
        from_logits: whether `output` holds logits.

    Returns:
        A tensor of output's shape (no reduction).
    """
    return _engine.nn.binary_crossentropy(target, output, from_logits)


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
