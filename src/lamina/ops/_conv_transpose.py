"""Transposed convolution from contract ops, for `ops.conv_transpose` and the
Conv1DTranspose/Conv2DTranspose/Conv3DTranspose layers.

The backend contract has no transposed convolution, so it is built here:
spread the inputs `strides` apart with zeros, pad them, and run an ordinary
stride-1 convolution with the kernel flipped in space.
"""

from __future__ import annotations

from lamina import ops


def transpose_pads(kernel: int, stride: int, dilation: int, padding: str, output_padding):
    """Zeros to add (before, after) the stride-spread input along one dimension.

    They give Keras's output sizes: with "valid", `(n - 1) * stride + extent +
    output_padding`; with "same", `n * stride` (or `(n - 1) * stride + extent % 2
    + output_padding` when output_padding is given), where `extent` is the
    dilated kernel size.
    """
    extent = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(extent, stride) - extent if output_padding is None else output_padding
        return extent - 1, extent - 1 + extra
    if output_padding is None:
        total = stride + extent - 2
    else:
        total = extent + extent % 2 - 2 + output_padding
    before = min((total + 1) // 2, extent - 1)
    return before, total - before


def transpose_output_length(size, kernel, stride, dilation, padding, output_padding):
    if size is None:
        return None
    before, after = transpose_pads(kernel, stride, dilation, padding, output_padding)
    extent = (kernel - 1) * dilation + 1
    return (size - 1) * stride + 1 + before + after - extent + 1


def _spread(x, axis: int, stride: int):
    """Insert `stride - 1` zeros after every element along `axis` (length n -> n * stride)."""
    shape = ops.shape(x)
    x = ops.expand_dims(x, axis + 1)
    pad_width = [[0, 0] for _ in range(len(shape) + 1)]
    pad_width[axis + 1] = [0, stride - 1]
    x = ops.pad(x, pad_width)
    new_shape = list(shape)
    new_shape[axis] = shape[axis] * stride
    return ops.reshape(x, new_shape)


def conv_transpose(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate):
    """Transposed convolution; `kernel` is `(*kernel_size, filters, input_channels)`."""
    rank = len(strides)
    first = 1 if data_format == "channels_last" else 2
    pad_width = [[0, 0] for _ in range(rank + 2)]
    crops = {}
    for i in range(rank):
        axis = first + i
        op = None if output_padding is None else output_padding[i]
        before, after = transpose_pads(
            ops.shape(kernel)[i], strides[i], dilation_rate[i], padding, op
        )
        if strides[i] > 1:
            inputs = _spread(inputs, axis, strides[i])
            # _spread leaves stride - 1 zeros after the last element already.
            after -= strides[i] - 1
        pad_width[axis] = [before, max(after, 0)]
        if after < 0:
            crops[axis] = -after
    inputs = ops.pad(inputs, pad_width)
    if crops:
        shape = list(ops.shape(inputs))
        for axis, crop in crops.items():
            shape[axis] = shape[axis] - crop
        inputs = ops.slice(inputs, [0] * (rank + 2), shape)
    # A transposed convolution correlates with the spatially flipped kernel,
    # its two channel axes swapped to (input_channels, filters).
    kernel = ops.flip(kernel, axis=tuple(range(rank)))
    kernel = ops.transpose(kernel, (*range(rank), rank + 1, rank))
    return ops.conv(
        inputs,
        kernel,
        strides=1,
        padding="valid",
        data_format=data_format,
        dilation_rate=dilation_rate,
    )
