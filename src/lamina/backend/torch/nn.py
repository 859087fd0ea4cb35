"""nn functions of the backend contract on torch.

torch convolves and pools channels-first with kernels shaped
(out, in, *spatial); lamina's kernels are (*spatial, in, out) in both data
formats, so kernels are permuted and channels-last inputs moved. torch's own
'same' padding refuses strides above 1, so 'same' is padded explicitly the way
TensorFlow does: the odd cell goes after (right/bottom).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import config as _config
from lamina.backend.torch.core import _floatx, _torch_dtype, convert_to_tensor

# --------------------------------------------------------------------------- helpers


def _float_tensor(x):
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(_floatx())


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


def _check_rank(x, spatial: int, what: str):
    if x.ndim != spatial + 2:
        raise ValueError(
            f"{what} expects inputs of rank {spatial + 2} (batch, {spatial} spatial dims, "
            f"channels) for a kernel with {spatial} spatial dims; got shape {tuple(x.shape)}."
        )


def _to_first(x, data_format: str):
    return x if data_format == "channels_first" else torch.movedim(x, -1, 1)


def _from_first(x, data_format: str):
    return x if data_format == "channels_first" else torch.movedim(x, 1, -1)


def _same_pads(sizes, window, strides, dilation) -> list[tuple[int, int]]:
    """(before, after) per spatial dim for TensorFlow's 'same' padding."""
    pads = []
    for n, k, s, d in zip(sizes, window, strides, dilation, strict=True):
        total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _torch_pad_arg(pads) -> list[int]:
    # F.pad lists the last dim first.
    return [v for pair in reversed(pads) for v in pair]


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _conv(x, weight, strides, padding, dilation, groups: int, data_format: str):
    """x channels-first or last; weight already (out, in / groups, *spatial)."""
    spatial = weight.ndim - 2
    strides = _tuple(strides, spatial, "strides")
    dilation = _tuple(dilation, spatial, "dilation_rate")
    x = _to_first(x, data_format)
    pad = 0
    if _padding(padding) == "same":
        pads = _same_pads(x.shape[2:], weight.shape[2:], strides, dilation)
        if all(a == b for a, b in pads):
            pad = tuple(a for a, _ in pads)
        else:
            x = F.pad(x, _torch_pad_arg(pads))
    out = _CONV[spatial](x, weight, None, strides, pad, dilation, groups)
    return _from_first(out, data_format)


# --------------------------------------------------------------------------- activations


def relu(x):
    return torch.relu(convert_to_tensor(x))


def relu6(x):
    return F.relu6(convert_to_tensor(x))


def sigmoid(x):
    return torch.sigmoid(_float_tensor(x))


def tanh(x):
    return torch.tanh(_float_tensor(x))


def softplus(x):
    # torch's default switches to the identity above 20; that is exact in float32 anyway.
    return F.softplus(_float_tensor(x))


def softsign(x):
    return F.softsign(_float_tensor(x))


def silu(x):
    return F.silu(_float_tensor(x))


def log_sigmoid(x):
    return F.logsigmoid(_float_tensor(x))


def hard_sigmoid(x):
    # Keras 3's definition, relu6(x + 3) / 6, which is torch's.
    return F.hardsigmoid(_float_tensor(x))


def elu(x, alpha=1.0):
    return F.elu(_float_tensor(x), alpha=alpha)


def selu(x):
    return F.selu(_float_tensor(x))


def gelu(x, approximate=True):
    return F.gelu(_float_tensor(x), approximate="tanh" if approximate else "none")


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_float_tensor(x), negative_slope=negative_slope)


def softmax(x, axis=-1):
    x = _float_tensor(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    return torch.exp(log_softmax(x, axis))


def log_softmax(x, axis=-1):
    x = _float_tensor(x)
    if isinstance(axis, int):
        return torch.log_softmax(x, dim=axis)
    dims = tuple(range(x.ndim)) if axis is None else tuple(axis)
    return x - torch.logsumexp(x, dim=dims, keepdim=True)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = convert_to_tensor(x)
    classes = torch.arange(int(num_classes), device=x.device)
    # A comparison, not F.one_hot: negative and out-of-range ids give zero rows.
    out = (x.unsqueeze(-1) == classes).to(_torch_dtype(dtype) or _floatx())
    return out if axis in (-1, out.ndim - 1) else torch.movedim(out, -1, axis)


# --------------------------------------------------------------------------- convolution


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = convert_to_tensor(kernel)
    inputs = convert_to_tensor(inputs, kernel.dtype)
    spatial = kernel.ndim - 2
    _check_rank(inputs, spatial, "conv")
    data_format = _config.standardize_data_format(data_format)
    channels = inputs.shape[1 if data_format == "channels_first" else -1]
    # (*spatial, in, out) -> (out, in, *spatial)
    weight = kernel.permute(spatial + 1, spatial, *range(spatial))
    groups = max(channels // kernel.shape[-2], 1)
    return _conv(inputs, weight, strides, padding, dilation_rate, groups, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    kernel = convert_to_tensor(kernel)
    inputs = convert_to_tensor(inputs, kernel.dtype)
    spatial = kernel.ndim - 2
    _check_rank(inputs, spatial, "depthwise_conv")
    data_format = _config.standardize_data_format(data_format)
    # One group per input channel; flattening (in, multiplier) orders output
    # channels c * multiplier + m, as Keras does.
    *window, channels, multiplier = kernel.shape
    weight = kernel.reshape(*window, channels * multiplier)
    weight = weight.permute(spatial, *range(spatial)).unsqueeze(1)
    return _conv(inputs, weight, strides, padding, dilation_rate, channels, data_format)


# --------------------------------------------------------------------------- pooling

_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _pool_args(x, pool_size, strides, padding, data_format):
    spatial = x.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"pooling expects inputs of rank 3, 4 or 5; got shape {tuple(x.shape)}.")
    data_format = _config.standardize_data_format(data_format)
    window = _tuple(pool_size, spatial, "pool_size")
    strides = window if strides is None else _tuple(strides, spatial, "strides")
    pads = None
    if _padding(padding) == "same":
        sizes = x.shape[1:-1] if data_format == "channels_last" else x.shape[2:]
        pads = _same_pads(sizes, window, strides, (1,) * spatial)
    return spatial, window, strides, pads, data_format


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = convert_to_tensor(inputs)
    spatial, window, strides, pads, data_format = _pool_args(
        x, pool_size, strides, padding, data_format
    )
    x = _to_first(x, data_format)
    if pads is not None and any(a or b for a, b in pads):
        x = F.pad(x, _torch_pad_arg(pads), value=-math.inf)
    return _from_first(_MAX_POOL[spatial](x, window, strides), data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = convert_to_tensor(inputs)
    spatial, window, strides, pads, data_format = _pool_args(
        x, pool_size, strides, padding, data_format
    )
    x = _to_first(x, data_format)
    pool = _AVG_POOL[spatial]
    if pads is None or not any(a or b for a, b in pads):
        return _from_first(pool(x, window, strides), data_format)
    flat = _torch_pad_arg(pads)
    means = pool(F.pad(x, flat), window, strides)
    # Average over the real cells only, as Keras does: the share of real
    # cells in each window comes from pooling ones shaped like one slice of x.
    ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
    share = pool(F.pad(ones, flat), window, strides)
    return _from_first(means / share, data_format)


# --------------------------------------------------------------------------- normalization


def _axes(axes, ndim: int) -> tuple:
    if axes is None:
        return tuple(range(ndim))
    return (axes,) if isinstance(axes, int) else tuple(axes)


def moments(x, axes, keepdims=False):
    x = _float_tensor(x)
    in_dtype = x.dtype
    # Half-precision sums lose too much; compute in float32 as Keras does.
    if in_dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    variance, mean = torch.var_mean(x, dim=_axes(axes, x.ndim), correction=0, keepdim=keepdims)
    return mean.to(in_dtype), variance.to(in_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _float_tensor(x)
    # The statistics are vectors along `axis`; give them x's rank to broadcast.
    shape = [1] * x.ndim
    shape[axis] = -1

    def along_axis(v):
        return torch.reshape(convert_to_tensor(v, x.dtype), shape)

    inv = torch.rsqrt(along_axis(variance) + epsilon)
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
    return torch.clamp(output, eps, 1.0 - eps)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    target = convert_to_tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        # Keras rescales so the probabilities sum to one before clipping.
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_prob = torch.log(_clip_probabilities(output))
    return -torch.sum(target * log_prob, dim=axis)


def _sparse_target(target, output, axis: int):
    target = convert_to_tensor(target)
    if target.is_floating_point() or target.dtype == torch.bool:
        target = target.to(torch.int32)
    # Keras accepts ids with a trailing singleton dim, shaped (batch, ..., 1).
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = torch.squeeze(target, -1)
    expected = tuple(output.shape[:axis]) + tuple(output.shape[axis + 1 :])
    if not _compatible(tuple(target.shape), expected):
        raise ValueError(
            "`target` must hold one class id per output row: expected shape "
            f"{expected} for output shape {tuple(output.shape)} and axis {axis}; "
            f"got {tuple(target.shape)}."
        )
    return target


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float_tensor(output)
    axis = axis % output.ndim
    target = _sparse_target(target, output, axis)
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_prob = torch.log(_clip_probabilities(output))
    # A one-hot mask rather than a gather: out-of-range ids give 0, as on TensorFlow.
    classes = torch.arange(output.shape[axis], device=output.device)
    mask = target.unsqueeze(-1) == classes
    if axis != output.ndim - 1:
        mask = torch.movedim(mask, -1, axis)
    return -torch.sum(torch.where(mask, log_prob, 0.0), dim=axis)


def binary_crossentropy(target, output, from_logits=False):
    output = _float_tensor(output)
    target = convert_to_tensor(target, output.dtype)
    _check_same_shape(target, output)
    if from_logits:
        # torch's fused, stable form; its gradient is exactly sigmoid(output) - target,
        # also at output 0, where a relu-based formula's gradient is off.
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = _clip_probabilities(output)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))
