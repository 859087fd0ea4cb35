"""Activation functions, with Keras 3's names, arguments and defaults."""

from __future__ import annotations

from lamina import ops


def _attach_logits(output, logits, axis=None):
    # Keras keeps the logits on sigmoid/softmax outputs so that a cross-entropy
    # can use them for stability; engines whose tensors take attributes allow it
    # (TensorFlow's cross-entropies read them). The softmax axis rides along so
    # that a cross-entropy over another axis leaves them alone.
    try:
        output._keras_logits = logits
        if axis is not None:
            output._keras_logits_axis = axis
    except AttributeError:
        pass
    return output


def relu(x, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0):
    """Rectified linear unit, with an optional leak, ceiling and threshold.

    `relu(x) = max(x, 0)`. With the arguments: `x` for `threshold < x`
    (clipped to `max_value`), and `negative_slope * (x - threshold)` below.

    Args:
        x: input tensor.
        negative_slope: the slope below the threshold.
        max_value: the largest output, None for no ceiling.
        threshold: the value below which inputs are damped or zeroed.

    Example:
        >>> lamina.activations.relu([-2.0, 0.5, 9.0], max_value=6.0)
    """
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return ops.leaky_relu(x, negative_slope=negative_slope)
        below = ops.negative(x)
        if threshold != 0:
            below = ops.add(below, ops.cast(threshold, dtype))
        negative_part = ops.relu(below)
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.where(ops.greater(x, ops.cast(threshold, dtype)), x, ops.zeros_like(x))
    elif max_value == 6:
        x = ops.relu6(x)
        clip_max = False
    else:
        x = ops.relu(x)
    if clip_max:
        x = ops.clip(x, ops.cast(0.0, dtype), ops.cast(max_value, dtype))
    if negative_slope != 0.0:
        x = ops.subtract(x, ops.multiply(ops.cast(negative_slope, dtype), negative_part))
    return x


def leaky_relu(x, negative_slope: float = 0.2):
    """`x` for `x >= 0`, `negative_slope * x` otherwise."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return ops.relu6(x)


def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return _attach_logits(ops.sigmoid(x), x)


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def softmax(x, axis: int = -1):
    """`exp(x) / sum(exp(x))` along `axis`."""
    return _attach_logits(ops.softmax(x, axis=axis), x, axis)


def log_softmax(x, axis: int = -1):
    """`x - logsumexp(x)` along `axis`."""
    return ops.log_softmax(x, axis=axis)


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017)."""
    return ops.selu(x)


def celu(x, alpha: float = 1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`."""
    x = ops.convert_to_tensor(x)
    zero = ops.zeros_like(x)
    alpha = ops.cast(alpha, ops.dtype(x))
    return ops.add(
        ops.maximum(x, zero),
        ops.multiply(alpha, ops.expm1(ops.divide(ops.minimum(x, zero), alpha))),
    )


def gelu(x, approximate: bool = False):
    """Gaussian error linear unit; `approximate=True` uses the tanh formula."""
    return ops.gelu(x, approximate=approximate)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return ops.softplus(x)


def softsign(x):
    """`x / (abs(x) + 1)`."""
    return ops.softsign(x)


def silu(x):
    """Sigmoid linear unit, also called swish: `x * sigmoid(x)`."""
    return ops.silu(x)


swish = silu


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: `clip(x / 6 + 0.5, 0, 1)`."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """`x * hard_sigmoid(x)`, also called hard swish."""
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.hard_sigmoid(x))


hard_swish = hard_silu


def log_sigmoid(x):
    """`log(sigmoid(x))`, computed stably."""
    return ops.log_sigmoid(x)


def exponential(x):
    """`exp(x)`."""
    return ops.exp(x)


def linear(x):
    """The identity: returns `x` unchanged."""
    return x


def mish(x):
    """`x * tanh(softplus(x))` (Misra, 2019)."""
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    return ops.clip(x, ops.cast(-1.0, dtype), ops.cast(1.0, dtype))


def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = ops.convert_to_tensor(x)
    return ops.subtract(x, ops.tanh(x))


def hard_shrink(x, threshold: float = 0.5):
    """`x` where `abs(x) > threshold`, 0 elsewhere."""
    x = ops.convert_to_tensor(x)
    keep = ops.greater(ops.abs(x), ops.cast(threshold, ops.dtype(x)))
    return ops.where(keep, x, ops.zeros_like(x))


def soft_shrink(x, threshold: float = 0.5):
    """Moves `x` towards 0 by `threshold`, and zeroes it within `[-threshold, threshold]`."""
    x = ops.convert_to_tensor(x)
    t = ops.cast(threshold, ops.dtype(x))
    zero = ops.zeros_like(x)
    shrunk = ops.where(ops.less(x, ops.negative(t)), ops.add(x, t), zero)
    return ops.where(ops.greater(x, t), ops.subtract(x, t), shrunk)


def squareplus(x, b: float = 4):
    """`(x + sqrt(x ** 2 + b)) / 2`, a smooth ReLU."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    root = ops.sqrt(ops.add(ops.square(x), ops.cast(b, dtype)))
    return ops.divide(ops.add(x, root), ops.cast(2.0, dtype))


def sparse_plus(x):
    """0 below -1, `x` above 1, `(x + 1) ** 2 / 4` in between."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    one = ops.cast(1.0, dtype)
    middle = ops.divide(ops.square(ops.add(x, one)), ops.cast(4.0, dtype))
    upper = ops.where(ops.greater_equal(x, one), x, middle)
    return ops.where(ops.less_equal(x, ops.negative(one)), ops.zeros_like(x), upper)


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, `(x + 1) / 2` in between."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    half = ops.cast(0.5, dtype)
    return ops.clip(
        ops.multiply(half, ops.add(x, ops.cast(1.0, dtype))),
        ops.cast(0.0, dtype),
        ops.cast(1.0, dtype),
    )


def glu(x, axis: int = -1):
    """Gated linear unit: splits `x` in two halves `a, b` along `axis`; returns `a * sigmoid(b)`."""
    x = ops.convert_to_tensor(x)
    if ops.shape(x)[axis] % 2:
        raise ValueError(
            f"glu needs an even size along axis {axis}; got shape {tuple(ops.shape(x))}."
        )
    a, b = ops.split(x, 2, axis=axis)
    return ops.multiply(a, ops.sigmoid(b))


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, `default_value` elsewhere."""
    x = ops.convert_to_tensor(x)
    dtype = ops.dtype(x)
    return ops.where(
        ops.greater(x, ops.cast(threshold, dtype)), x, ops.full_like(x, default_value)
    )
