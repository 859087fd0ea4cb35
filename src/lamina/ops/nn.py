"""lamina.ops.nn: activations, convolution, pooling, normalization, cross-entropies.

Every op accepts the engine's tensors, NumPy arrays, Python scalars and lists,
and returns an engine tensor. Shape rules are given as `input -> output`.
"""

from __future__ import annotations

import math

from lamina import config as _config
from lamina.backend import engine as _engine
from lamina.ops import core as _core
from lamina.ops import numpy as _n
from lamina.ops._ctc import ctc_loss as ctc_loss
from lamina.ops._nn_patches import adaptive_average_pool as adaptive_average_pool
from lamina.ops._nn_patches import adaptive_max_pool as adaptive_max_pool
from lamina.ops._nn_patches import depth_to_space as depth_to_space
from lamina.ops._nn_patches import fold as fold
from lamina.ops._nn_patches import space_to_depth as space_to_depth
from lamina.ops._nn_patches import unfold as unfold

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "conv",
    "conv_transpose",
    "ctc_loss",
    "depth_to_space",
    "depthwise_conv",
    "dot_product_attention",
    "elu",
    "fold",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "max_pool",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "psnr",
    "relu",
    "relu6",
    "rms_normalization",
    "selu",
    "separable_conv",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "space_to_depth",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
    "unfold",
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


# --------------------------------------------------------------------------- more activations
# Written from the ops above, so every engine differentiates them.


def _float(x):
    x = _core.convert_to_tensor(x)
    if _core.dtype(x).startswith("float"):
        return x
    return _core.cast(x, _config.floatx())


def swish(x):
    """Swish, `x * sigmoid(x)`, element-wise: the same function as `silu`.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.swish([0.0, 1.0])  # [0.0, 0.7310586]
    """
    return silu(x)


def hard_silu(x):
    """Hard SiLU (hard swish), `x * relu6(x + 3) / 6`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.hard_silu([-4.0, 0.0, 1.0])  # [0.0, 0.0, 0.6666667]
    """
    x = _float(x)
    return _n.multiply(x, hard_sigmoid(x))


def hard_swish(x):
    """Another name of `hard_silu`, `x * relu6(x + 3) / 6`.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.
    """
    return hard_silu(x)


def hard_tanh(x):
    """Hard tanh, `clip(x, -1, 1)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.hard_tanh([-2.0, 0.5, 3.0])  # [-1.0, 0.5, 1.0]
    """
    return _n.clip(_float(x), -1.0, 1.0)


def celu(x, alpha: float = 1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`.

    Args:
        x: input tensor.
        alpha: scale of the negative part; must not be 0.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.celu([-1.0, 2.0], alpha=2.0)  # [-0.7869387, 2.0]
    """
    if alpha == 0:
        raise ValueError("celu: alpha=0 divides by zero; use a nonzero alpha such as 1.0.")
    x = _float(x)
    negative = _n.expm1(_n.divide(_n.minimum(x, 0.0), alpha))
    return _n.add(_n.maximum(x, 0.0), _n.multiply(negative, alpha))


def glu(x, axis: int = -1):
    """Gated linear unit: `a * sigmoid(b)`, where `a` and `b` are the halves of `x` along `axis`.

    Args:
        x: input tensor; `x.shape[axis]` must be even.
        axis: the axis split in two.

    Returns:
        A float tensor of x's shape with `x.shape[axis] // 2` along `axis`.

    Example:
        >>> lamina.ops.glu([[1.0, 2.0, 0.0, 0.0]])  # [[0.5, 1.0]]
    """
    x = _float(x)
    size = _core.shape(x)[axis]
    if isinstance(size, int) and size % 2:
        raise ValueError(
            f"glu splits axis {axis} in two halves, so its size must be even; got "
            f"shape {tuple(_core.shape(x))}. Pad the features or choose another axis."
        )
    a, b = _n.split(x, 2, axis=axis)
    return _n.multiply(a, sigmoid(b))


def soft_shrink(x, threshold: float = 0.5):
    """Soft shrinkage: `x - threshold` above `threshold`, `x + threshold` below
    `-threshold`, 0 in between.

    Args:
        x: input tensor.
        threshold: the half-width of the band set to zero.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.soft_shrink([-1.0, 0.2, 1.0])  # [-0.5, 0.0, 0.5]
    """
    x = _float(x)
    shrunk = _n.where(_n.greater(x, threshold), _n.subtract(x, threshold), 0.0)
    return _n.where(_n.less(x, -threshold), _n.add(x, threshold), shrunk)


def hard_shrink(x, threshold: float = 0.5):
    """Hard shrinkage: `x` where `|x| > threshold`, else 0.

    Args:
        x: input tensor.
        threshold: values with magnitude up to this become 0.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.hard_shrink([-1.0, 0.2, 1.0])  # [-1.0, 0.0, 1.0]
    """
    x = _float(x)
    return _n.where(_n.greater(_n.abs(x), threshold), x, 0.0)


def tanh_shrink(x):
    """Tanh shrinkage, `x - tanh(x)`, element-wise.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.tanh_shrink([1.0])  # [0.23840582]
    """
    x = _float(x)
    return _n.subtract(x, _n.tanh(x))


def squareplus(x, b: float = 4):
    """Squareplus, `(x + sqrt(x**2 + b)) / 2`: a smooth ReLU without exponentials.

    Args:
        x: input tensor.
        b: smoothness near 0; must be >= 0.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.squareplus([0.0, 3.0])  # [1.0, 3.3027756]
    """
    if isinstance(b, (int, float)) and b < 0:
        raise ValueError(f"squareplus: b must be >= 0 (a negative b gives NaN); got b={b}.")
    x = _float(x)
    root = _n.sqrt(_n.add(_n.square(x), _core.cast(b, _core.dtype(x))))
    return _n.multiply(_n.add(x, root), 0.5)


def sparse_plus(x):
    """SparsePlus: 0 for `x <= -1`, `x` for `x >= 1`, `(x + 1)**2 / 4` in between.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.sparse_plus([-2.0, 0.0, 2.0])  # [0.0, 0.25, 2.0]
    """
    x = _float(x)
    middle = _n.multiply(_n.square(_n.add(x, 1.0)), 0.25)
    upper = _n.where(_n.greater_equal(x, 1.0), x, middle)
    return _n.where(_n.less_equal(x, -1.0), 0.0, upper)


def sparse_sigmoid(x):
    """Sparse sigmoid: 0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` in between.

    Args:
        x: input tensor.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.sparse_sigmoid([-2.0, 0.0, 2.0])  # [0.0, 0.5, 1.0]
    """
    x = _float(x)
    middle = _n.multiply(_n.add(x, 1.0), 0.5)
    upper = _n.where(_n.greater_equal(x, 1.0), 1.0, middle)
    return _n.where(_n.less_equal(x, -1.0), 0.0, upper)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`, element-wise.

    Args:
        x: input tensor.
        threshold: the value `x` must exceed to be kept.
        default_value: what replaces the other entries.

    Returns:
        A tensor of x's shape and dtype.

    Example:
        >>> lamina.ops.threshold([-1.0, 0.5, 2.0], 1.0, 0.0)  # [0.0, 0.0, 2.0]
    """
    x = _core.convert_to_tensor(x)
    default = _core.cast(default_value, _core.dtype(x))
    return _n.where(_n.greater(x, threshold), x, default)


# --------------------------------------------------------------------------- normalization and metrics


def normalize(x, axis: int = -1, order: int = 2, epsilon: float | None = None):
    """Divide `x` by its `order`-norm along `axis`.

    Args:
        x: input tensor.
        axis: the axis the norm runs along.
        order: the norm's order, an int >= 1 (2: Euclidean).
        epsilon: the smallest norm divided by, so zero vectors stay zero;
            None means `lamina.config.epsilon()`.

    Returns:
        A float tensor of x's shape (a scalar becomes a vector of length 1).

    Example:
        >>> lamina.ops.normalize([[3.0, 4.0]])  # [[0.6, 0.8]]
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"normalize: order must be an int >= 1, such as 2; got order={order!r}.")
    x = _float(x)
    if len(_core.shape(x)) == 0:
        x = _n.expand_dims(x, 0)
    if epsilon is None:
        epsilon = _config.epsilon()
    if order == 2:
        square_sum = _n.sum(_n.square(x), axis=axis, keepdims=True)
        return _n.multiply(x, _n.minimum(_rsqrt(square_sum), 1.0 / epsilon))
    norm = _n.power(_n.sum(_n.power(_n.abs(x), order), axis=axis, keepdims=True), 1.0 / order)
    return _n.divide(x, _n.maximum(norm, epsilon))


def _rsqrt(x):
    return _n.divide(1.0, _n.sqrt(x))


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in decibels: `20 log10(max_val) - 10 log10(mse)`.

    Args:
        x1, x2: tensors of the same shape (e.g. two images).
        max_val: the largest value a signal can take (1.0 or 255).

    Returns:
        A scalar float tensor; the mean squared error is taken over every element.

    Example:
        >>> lamina.ops.psnr([0.0, 1.0], [0.0, 0.9], 1.0)  # 23.010298
    """
    x1, x2 = _float(x1), _float(x2)
    if tuple(_core.shape(x1)) != tuple(_core.shape(x2)):
        raise ValueError(
            "psnr compares tensors of the same shape; got "
            f"x1.shape={tuple(_core.shape(x1))} and x2.shape={tuple(_core.shape(x2))}."
        )
    mse = _n.mean(_n.square(_n.subtract(x1, x2)))
    ln10 = math.log(10.0)
    peak = 20.0 * math.log10(max_val) if isinstance(max_val, (int, float)) else None
    if peak is None:
        peak = _n.multiply(_n.log(_core.cast(max_val, _core.dtype(x1))), 20.0 / ln10)
    return _n.subtract(peak, _n.multiply(_n.log(mse), 10.0 / ln10))


def _compute_dtype(x) -> str:
    """float32 for half precisions and integers; the dtype itself for float32 and float64."""
    return "float64" if _core.dtype(x) == "float64" else "float32"


def _broadcast_params(param, x, axes):
    """Reshape a per-feature parameter to broadcast against `x` over `axes`."""
    if param is None:
        return None
    param = _core.cast(param, _core.dtype(x))
    rank = len(_core.shape(x))
    if list(axes) == [rank - 1] or len(_core.shape(param)) == rank:
        return param
    shape = [1] * rank
    for axis in axes:
        shape[axis] = _core.shape(x)[axis]
    return _n.reshape(param, shape)


def _norm_axes(axis, rank: int) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % rank for a in axes)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon: float | None = None, **kwargs):
    """Layer normalization: `(x - mean) / sqrt(variance + epsilon) * gamma + beta`,
    the statistics taken over `axis` for each example.

    Half-precision inputs are computed in float32 and cast back.

    Args:
        x: input tensor.
        gamma: optional scale, of the normalized axes' shape.
        beta: optional offset, of the normalized axes' shape.
        axis: an int or a list of ints: the axes normalized over.
        epsilon: added to the variance; None means `lamina.config.epsilon()`.
        **kwargs: `rms_scaling=True` divides by `sqrt(variance + epsilon)`
            without centring and ignores `beta`, as Keras allows.

    Returns:
        A tensor of x's shape and dtype.

    Example:
        >>> lamina.ops.layer_normalization([[1.0, 3.0]])  # about [[-1.0, 1.0]]
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(
            f"layer_normalization got unexpected arguments {sorted(kwargs)}; it takes gamma, "
            "beta, axis, epsilon and rms_scaling."
        )
    if epsilon is None:
        epsilon = _config.epsilon()
    x = _core.convert_to_tensor(x)
    original = _core.dtype(x)
    x = _core.cast(x, _compute_dtype(x))
    axes = _norm_axes(axis, len(_core.shape(x)))
    gamma = _broadcast_params(gamma, x, axes)
    beta = _broadcast_params(beta, x, axes)
    mean, variance = moments(x, axes, keepdims=True)
    inv = _rsqrt(_n.add(variance, epsilon))
    if rms_scaling:
        out = _n.multiply(x, inv)
        if gamma is not None:
            out = _n.multiply(out, gamma)
        return _core.cast(out, original)
    if gamma is not None:
        inv = _n.multiply(inv, gamma)
    shift = _n.negative(_n.multiply(mean, inv))
    if beta is not None:
        shift = _n.add(shift, beta)
    return _core.cast(_n.add(_n.multiply(x, inv), shift), original)


def rms_normalization(x, scale=None, axis=-1, epsilon: float | None = None):
    """Root-mean-square normalization: `x / sqrt(mean(x**2, axis) + epsilon) * scale`.

    Half-precision inputs are computed in float32 and cast back.

    Args:
        x: input tensor.
        scale: optional scale, of the normalized axes' shape.
        axis: an int or a list of ints: the axes the mean runs over.
        epsilon: added to the mean square; None means `lamina.config.epsilon()`.

    Returns:
        A tensor of x's shape and dtype.

    Example:
        >>> lamina.ops.rms_normalization([[3.0, 4.0]])  # about [[0.8485, 1.1314]]
    """
    if epsilon is None:
        epsilon = _config.epsilon()
    x = _core.convert_to_tensor(x)
    original = _core.dtype(x)
    x = _core.cast(x, _compute_dtype(x))
    if len(_core.shape(x)) == 0:
        x = _n.expand_dims(x, 0)
    axes = _norm_axes(axis, len(_core.shape(x)))
    mean_square = _n.mean(_n.square(x), axis=tuple(axes), keepdims=True)
    out = _n.multiply(x, _rsqrt(_n.add(mean_square, epsilon)))
    if scale is not None:
        out = _n.multiply(out, _broadcast_params(scale, x, axes))
    return _core.cast(out, original)


# --------------------------------------------------------------------------- encoding


def multi_hot(
    inputs, num_classes: int | None = None, axis: int = -1, dtype=None, sparse=False, **kwargs
):
    """Multi-hot encoding: for each example, 1 at every class id it contains.

    Args:
        inputs: integer class ids, `(ids,)` for one example or `(batch, ids)`.
        num_classes: the number of classes (`num_tokens` is accepted too).
        axis: where the class axis goes before the ids are reduced.
        dtype: output dtype; None means floatx.
        sparse: must be False: lamina has no sparse tensors.

    Returns:
        `(num_classes,)` for 1-D inputs, else `(batch, num_classes)`.

    Example:
        >>> lamina.ops.multi_hot([[0, 2], [1, 1]], 3)  # [[1, 0, 1], [0, 1, 0]]
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if kwargs:
        raise TypeError(f"multi_hot got unexpected arguments {sorted(kwargs)}.")
    if num_classes is None:
        raise ValueError("multi_hot needs num_classes, the number of classes; got None.")
    if sparse:
        raise ValueError("multi_hot: lamina has no sparse tensors; use sparse=False.")
    inputs = _core.convert_to_tensor(inputs)
    reduce_axis = 1 if len(_core.shape(inputs)) > 1 else 0
    encoded = one_hot(_core.cast(inputs, "int32"), num_classes, axis=axis, dtype=dtype)
    return _n.max(encoded, axis=reduce_axis)


# --------------------------------------------------------------------------- composite convolutions and attention
def _per_dim(value, rank: int, name: str) -> tuple:
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or not all(isinstance(v, int) and v >= 1 for v in values):
        raise ValueError(
            f"conv_transpose: {name} must be a positive int or {rank} of them; got {value!r}."
        )
    return values


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding: str = "valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    """N-D transposed convolution (N = 1, 2 or 3): the gradient of `conv` with
    respect to its input, as Keras's Conv1D/2D/3DTranspose layers compute it.

    Args:
        inputs: `(batch, *spatial, in)` or `(batch, in, *spatial)`.
        kernel: `(*window, out, in)`: the kernel of the convolution this one
            transposes.
        strides: an int or one int per spatial dim: how far apart the inputs
            land in the output.
        padding: "valid" or "same".
        output_padding: None, an int or one int per spatial dim: extra cells
            at the end of each spatial dim (less than the stride).
        data_format: "channels_last", "channels_first", or None for the
            configured `image_data_format`.
        dilation_rate: an int or one int per spatial dim.

    Returns:
        `(batch, *out_spatial, out)` (or channels first), where with
        `extent = (window - 1) * dilation + 1`: "valid" gives
        `(size - 1) * stride + max(extent, stride)`, "same" gives
        `size * stride`; with `output_padding`,
        `(size - 1) * stride + extent + output_padding` ("valid") and
        `(size - 1) * stride + extent % 2 + output_padding` ("same").

    Example:
        >>> x = np.ones((1, 3, 3, 2), "float32")
        >>> lamina.ops.conv_transpose(x, np.ones((2, 2, 4, 2), "float32"), 2).shape  # (1, 6, 6, 4)
    """
    from lamina.ops import _conv_transpose

    inputs, kernel = _core.convert_to_tensor(inputs), _core.convert_to_tensor(kernel)
    rank = len(_core.shape(inputs)) - 2
    if rank not in (1, 2, 3) or len(_core.shape(kernel)) != rank + 2:
        raise ValueError(
            "conv_transpose takes inputs with 1 to 3 spatial dims and a kernel of rank "
            f"inputs.ndim; got shapes {tuple(_core.shape(inputs))} and "
            f"{tuple(_core.shape(kernel))}."
        )
    if padding not in ("valid", "same"):
        raise ValueError(f"conv_transpose: padding must be 'valid' or 'same'; got {padding!r}.")
    data_format = _config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "conv_transpose: data_format must be 'channels_last' or 'channels_first'; got "
            f"{data_format!r}."
        )
    strides = _per_dim(strides, rank, "strides")
    dilation_rate = _per_dim(dilation_rate, rank, "dilation_rate")
    if output_padding is not None:
        output_padding = (
            (output_padding,) * rank if isinstance(output_padding, int) else tuple(output_padding)
        )
    return _conv_transpose.conv_transpose(
        inputs, kernel, strides, padding, output_padding, data_format, dilation_rate
    )


def separable_conv(
    inputs,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding: str = "valid",
    data_format=None,
    dilation_rate=1,
):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: `(batch, *spatial, in)` or `(batch, in, *spatial)`.
        depthwise_kernel: `(*window, in, multiplier)`.
        pointwise_kernel: `(*ones, in * multiplier, out)`.
        strides, padding, data_format, dilation_rate: as for `conv`; they
            apply to the depthwise step.

    Returns:
        The spatial dims `depthwise_conv` gives, with `out` channels.

    Example:
        >>> y = lamina.ops.separable_conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 1)),
        ...                               np.ones((1, 1, 2, 4)))  # (1, 3, 3, 4)
    """
    depthwise = depthwise_conv(
        inputs, depthwise_kernel, strides, padding, data_format, dilation_rate
    )
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale: float | None = None,
    is_causal: bool = False,
    flash_attention=None,
    attn_logits_soft_cap: float | None = None,
):
    """Scaled dot-product attention, `softmax(q k^T * scale + bias) v`, per head.

    Args:
        query: `(batch, target, heads, depth)`.
        key: `(batch, source, kv_heads, depth)`; `heads` must be a multiple of
            `kv_heads` (grouped-query attention shares each key head).
        value: `(batch, source, kv_heads, value_depth)`.
        bias: optional, broadcastable to `(batch, heads, target, source)`,
            added to the logits.
        mask: optional bool, broadcastable to `(batch, heads, target, source)`;
            False leaves the pair out.
        scale: logits factor; None means `1 / sqrt(depth)`.
        is_causal: also leave out the sources after each target position.
        flash_attention: accepted for Keras compatibility; lamina computes the
            same result either way, and True is refused as Keras does where
            it has no fused kernel.
        attn_logits_soft_cap: if set, logits become
            `logits / (1 + |logits| / attn_logits_soft_cap)` before masking.

    Returns:
        `(batch, target, heads, value_depth)`, in the inputs' dtype. The softmax
        is taken in float32 (float64 for float64 inputs).

    Example:
        >>> q = np.ones((1, 3, 2, 4), "float32")
        >>> lamina.ops.dot_product_attention(q, q, q).shape  # (1, 3, 2, 4)
    """
    if flash_attention:
        raise ValueError(
            "dot_product_attention: lamina has no flash attention kernel; use "
            "flash_attention=None or False (the result is the same)."
        )
    query, key, value = (_core.convert_to_tensor(t) for t in (query, key, value))
    for name, t in (("query", query), ("key", key), ("value", value)):
        if len(_core.shape(t)) != 4:
            raise ValueError(
                f"dot_product_attention takes 4-D (batch, time, heads, depth) tensors; got "
                f"{name}.shape={tuple(_core.shape(t))}."
            )
    dtype = _core.dtype(query)
    if not dtype.startswith("float"):
        dtype = _config.floatx()
    key, value, query = (_core.cast(t, dtype) for t in (key, value, query))
    heads, kv_heads = _core.shape(query)[2], _core.shape(key)[2]
    if heads % kv_heads:
        raise ValueError(
            f"dot_product_attention: query heads ({heads}) must be a multiple of key heads "
            f"({kv_heads})."
        )
    if heads != kv_heads:
        key = _n.repeat(key, heads // kv_heads, axis=2)
        value = _n.repeat(value, heads // kv_heads, axis=2)
    if scale is None:
        scale = 1.0 / math.sqrt(_core.shape(key)[-1])
    logits_dtype = "float64" if dtype == "float64" else "float32"
    logits = _core.cast(_n.einsum("btnh,bsnh->bnts", query, key), logits_dtype)
    logits = _n.multiply(logits, scale)
    if bias is not None:
        logits = _n.add(logits, _core.cast(bias, logits_dtype))
    if attn_logits_soft_cap is not None:
        logits = _n.divide(logits, _n.add(_n.divide(_n.abs(logits), attn_logits_soft_cap), 1.0))
    keep = None
    if mask is not None:
        keep = _core.cast(mask, "bool")
    if is_causal:
        target, source = _core.shape(logits)[2], _core.shape(logits)[3]
        rows = _n.expand_dims(_n.arange(target), 1)
        cols = _n.expand_dims(_n.arange(source), 0)
        causal = _n.greater_equal(rows, cols)
        keep = causal if keep is None else _n.logical_and(keep, causal)
    if keep is not None:
        logits = _n.where(keep, logits, -0.7 * 3.38953e38)
    probs = _core.cast(softmax(logits, axis=-1), dtype)
    return _n.einsum("bnts,bsnh->btnh", probs, value)


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
