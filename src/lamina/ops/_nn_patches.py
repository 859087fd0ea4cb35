"""Public nn ops that move cells around: blocks to channels and back, adaptive
pooling, sliding blocks (unfold, fold). Re-exported by `lamina.ops.nn`.

Built from lamina's ops, so every engine runs and differentiates them.
"""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina.backend import engine as _engine
from lamina.ops import core as _core
from lamina.ops import numpy as _n


def _float(x):
    x = _core.convert_to_tensor(x)
    if _core.dtype(x).startswith("float"):
        return x
    return _core.cast(x, _config.floatx())


def _check_block(x, block_size: int, data_format: str, name: str):
    if not isinstance(block_size, int) or isinstance(block_size, bool) or block_size < 1:
        raise ValueError(
            f"{name}: block_size must be a positive int, such as 2; got {block_size!r}."
        )
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{name}: data_format must be 'channels_last' or 'channels_first'; got {data_format!r}."
        )
    if len(_core.shape(x)) != 4:
        raise ValueError(f"{name} takes a 4-D batch of images; got shape {tuple(_core.shape(x))}.")


def depth_to_space(x, block_size: int, data_format: str = "channels_last"):
    """Move channels into spatial blocks: `(b, h, w, c) -> (b, h*k, w*k, c / k**2)`.

    Each pixel's channels fill a `k x k` block (`k = block_size`), row by row.
    Channels last, each cell takes `c / k**2` consecutive channels
    (TensorFlow's order); channels first, output channel `d` takes the `k**2`
    consecutive channels from `d * k**2` (PyTorch's pixel shuffle), as Keras does on JAX, PyTorch and NumPy
    (Keras on TensorFlow uses the channels-last order there).

    Args:
        x: 4-D images, `(batch, height, width, channels)` or channels first.
        block_size: `k`; `channels` must be divisible by `k**2`.
        data_format: "channels_last" or "channels_first".

    Returns:
        The rearranged images: `(batch, height*k, width*k, channels / k**2)`
        (or channels first).

    Example:
        >>> lamina.ops.depth_to_space(np.ones((1, 2, 2, 8)), 2).shape  # (1, 4, 4, 2)
    """
    _check_block(x, block_size, data_format, "depth_to_space")
    x = _core.convert_to_tensor(x)
    k = block_size
    if data_format == "channels_last":
        b, h, w, c = _core.shape(x)
    else:
        b, c, h, w = _core.shape(x)
    if c % (k * k):
        raise ValueError(
            f"depth_to_space: channels ({c}) must be divisible by block_size**2 ({k * k})."
        )
    depth = c // (k * k)
    if data_format == "channels_last":
        x = _n.reshape(x, (b, h, w, k, k, depth))
        x = _n.transpose(x, (0, 1, 3, 2, 4, 5))
        return _n.reshape(x, (b, h * k, w * k, depth))
    x = _n.reshape(x, (b, depth, k, k, h, w))
    x = _n.transpose(x, (0, 1, 4, 2, 5, 3))
    return _n.reshape(x, (b, depth, h * k, w * k))


def space_to_depth(x, block_size: int, data_format: str = "channels_last"):
    """Move spatial blocks into channels: `(b, h, w, c) -> (b, h/k, w/k, c * k**2)`.

    The inverse of `depth_to_space`.

    Args:
        x: 4-D images, `(batch, height, width, channels)` or channels first.
        block_size: `k`; height and width must be divisible by it.
        data_format: "channels_last" or "channels_first".

    Returns:
        `(batch, height/k, width/k, channels * k**2)` (or channels first).

    Example:
        >>> lamina.ops.space_to_depth(np.ones((1, 4, 4, 2)), 2).shape  # (1, 2, 2, 8)
    """
    _check_block(x, block_size, data_format, "space_to_depth")
    x = _core.convert_to_tensor(x)
    k = block_size
    if data_format == "channels_last":
        b, h, w, c = _core.shape(x)
    else:
        b, c, h, w = _core.shape(x)
    if h % k or w % k:
        raise ValueError(
            f"space_to_depth: height and width ({h}, {w}) must be divisible by block_size ({k})."
        )
    if data_format == "channels_last":
        x = _n.reshape(x, (b, h // k, k, w // k, k, c))
        x = _n.transpose(x, (0, 1, 3, 2, 4, 5))
        return _n.reshape(x, (b, h // k, w // k, k * k * c))
    x = _n.reshape(x, (b, c, h // k, k, w // k, k))
    x = _n.transpose(x, (0, 1, 3, 5, 2, 4))
    return _n.reshape(x, (b, k * k * c, h // k, w // k))


def _adaptive_windows(size: int, out: int):
    """PyTorch's windows: `[floor(i * size / out), ceil((i + 1) * size / out))`."""
    starts = (np.arange(out) * size) // out
    ends = -((-(np.arange(1, out + 1) * size)) // out)
    return starts, ends


def _adaptive_pool(inputs, output_size, data_format, mode: str):
    name = f"adaptive_{mode}_pool"
    inputs = _float(inputs)
    rank = len(_core.shape(inputs)) - 2
    if rank not in (1, 2, 3):
        raise ValueError(
            f"{name} takes inputs with 1 to 3 spatial dims; got shape "
            f"{tuple(_core.shape(inputs))}."
        )
    sizes = (output_size,) * rank if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != rank or not all(isinstance(s, int) and s >= 1 for s in sizes):
        raise ValueError(
            f"{name}: output_size must be a positive int or {rank} of them; got {output_size!r}."
        )
    data_format = _config.image_data_format() if data_format is None else data_format
    first = 1 if data_format == "channels_last" else 2
    x = inputs
    for i, out in enumerate(sizes):
        axis = first + i
        size = _core.shape(x)[axis]
        starts, ends = _adaptive_windows(size, out)
        if mode == "average":
            weights = np.zeros((size, out), _core.dtype(x))
            for j, (start, end) in enumerate(zip(starts, ends)):
                weights[start:end, j] = 1.0 / (end - start)
            x = _n.moveaxis(_n.tensordot(x, weights, axes=[[axis], [0]]), -1, axis)
        else:
            width = int(np.max(ends - starts))
            # Windows shorter than `width` read an extra cell of -inf at index `size`
            # (repeating a real cell would make a tie, and some engines then give it
            # the gradient twice).
            index = starts[:, None] + np.arange(width)
            index = np.where(index < ends[:, None], index, size)
            shape = list(_core.shape(x))
            shape[axis] = 1
            lowest = _n.full(shape, -np.inf, dtype=_core.dtype(x))
            x = _n.concatenate([x, lowest], axis=axis)
            x = _n.take(x, index.reshape(-1).astype("int32"), axis=axis)
            shape = list(_core.shape(x))
            x = _n.max(
                _n.reshape(x, shape[:axis] + [out, width] + shape[axis + 1 :]), axis=axis + 1
            )
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed output size, whatever the input size.

    Output cell `i` of a dim of size `n` pooled to `m` averages the inputs
    `floor(i * n / m)` up to (not including) `ceil((i + 1) * n / m)`, as
    PyTorch's and Keras's adaptive pooling do.

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`,
            1 to 3 spatial dims.
        output_size: an int or one int per spatial dim.
        data_format: "channels_last", "channels_first", or None for the
            configured `image_data_format`.

    Returns:
        `(batch, *output_size, channels)` (or channels first).

    Example:
        >>> lamina.ops.adaptive_average_pool(np.ones((2, 10, 7, 3)), 4).shape  # (2, 4, 4, 3)
    """
    return _adaptive_pool(inputs, output_size, data_format, "average")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size, whatever the input size.

    The windows are `adaptive_average_pool`'s.

    Args:
        inputs: `(batch, *spatial, channels)` or `(batch, channels, *spatial)`,
            1 to 3 spatial dims.
        output_size: an int or one int per spatial dim.
        data_format: "channels_last", "channels_first", or None for the
            configured `image_data_format`.

    Returns:
        `(batch, *output_size, channels)` (or channels first).

    Example:
        >>> lamina.ops.adaptive_max_pool(np.ones((2, 10, 7, 3)), (5, 2)).shape  # (2, 5, 2, 3)
    """
    return _adaptive_pool(inputs, output_size, data_format, "max")


def _pair(value, name: str, op: str, minimum: int) -> tuple:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= minimum for v in pair):
        raise ValueError(
            f"{op}: {name} must be an int >= {minimum} or two of them; got {value!r}."
        )
    return pair


def _patch_positions(height, width, kernel_size, dilation, padding, stride, op: str):
    """Flat positions in the padded image of every patch cell: `(kh * kw, patches)`."""
    kh, kw = _pair(kernel_size, "kernel_size", op, 1)
    dh, dw = _pair(dilation, "dilation", op, 1)
    ph, pw = _pair(padding, "padding", op, 0)
    sh, sw = _pair(stride, "stride", op, 1)
    padded_h, padded_w = height + 2 * ph, width + 2 * pw
    rows = (padded_h - (kh - 1) * dh - 1) // sh + 1
    cols = (padded_w - (kw - 1) * dw - 1) // sw + 1
    if rows < 1 or cols < 1:
        raise ValueError(
            f"{op}: a {kh}x{kw} window (dilation {(dh, dw)}) does not fit in the padded "
            f"{padded_h}x{padded_w} image."
        )
    cell_r = (np.arange(kh) * dh)[:, None, None, None]
    cell_c = (np.arange(kw) * dw)[None, :, None, None]
    start_r = (np.arange(rows) * sh)[None, None, :, None]
    start_c = (np.arange(cols) * sw)[None, None, None, :]
    flat = (cell_r + start_r) * padded_w + cell_c + start_c
    return flat.reshape(kh * kw, rows * cols).astype("int32"), (ph, pw), (padded_h, padded_w)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks (im2col) from channels-first images, as `torch.nn.Unfold`.

    Args:
        x: `(batch, channels, height, width)`.
        kernel_size: the block size, an int or `(kh, kw)`.
        dilation: the spacing of a block's cells, an int or a pair.
        padding: zeros added on both sides of each spatial dim, an int or a pair.
        stride: the step between blocks, an int or a pair.

    Returns:
        `(batch, channels * kh * kw, blocks)`: each column one block, its rows
        ordered by channel, then block row, then block column.

    Example:
        >>> lamina.ops.unfold(np.ones((1, 2, 4, 4)), 2, stride=2).shape  # (1, 8, 4)
    """
    x = _core.convert_to_tensor(x)
    if len(_core.shape(x)) != 4:
        raise ValueError(
            f"unfold takes (batch, channels, height, width); got shape {tuple(_core.shape(x))}."
        )
    batch, channels, height, width = _core.shape(x)
    flat, (ph, pw), (padded_h, padded_w) = _patch_positions(
        height, width, kernel_size, dilation, padding, stride, "unfold"
    )
    x = _n.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    x = _n.reshape(x, (batch, channels, padded_h * padded_w))
    patches = _n.take(x, flat.reshape(-1), axis=2)
    return _n.reshape(patches, (batch, channels * flat.shape[0], flat.shape[1]))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into channels-first images (col2im), as `torch.nn.Fold`.

    The inverse arrangement of `unfold`: cells that several blocks cover get
    the sum of their values.

    Args:
        x: `(batch, channels * kh * kw, blocks)`.
        output_size: the image size `(height, width)`, or an int.
        kernel_size, dilation, padding, stride: as for `unfold`.

    Returns:
        `(batch, channels, height, width)`.

    Example:
        >>> lamina.ops.fold(np.ones((1, 8, 4)), 4, 2, stride=2).shape  # (1, 2, 4, 4)
    """
    x = _core.convert_to_tensor(x)
    height, width = _pair(output_size, "output_size", "fold", 1)
    flat, (ph, pw), (padded_h, padded_w) = _patch_positions(
        height, width, kernel_size, dilation, padding, stride, "fold"
    )
    cells, blocks = flat.shape
    shape = tuple(_core.shape(x))
    if len(shape) != 3 or shape[1] % cells or shape[2] != blocks:
        raise ValueError(
            f"fold: x must be (batch, channels * {cells}, {blocks}) for these sizes; got shape "
            f"{shape}."
        )
    batch, channels = shape[0], shape[1] // cells
    rows = _n.moveaxis(_n.reshape(x, (batch, channels, cells * blocks)), -1, 0)
    image = _engine.math.segment_sum(rows, flat.reshape(-1), padded_h * padded_w)
    image = _n.reshape(_n.moveaxis(image, 0, -1), (batch, channels, padded_h, padded_w))
    return image[:, :, ph : ph + height, pw : pw + width]
