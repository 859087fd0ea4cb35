"""Image resampling written once against a backend's contract modules.

NumPy and PyTensor have no image library, and the other engines lack a case
or two (TensorFlow's projective transform has no "mirror" fill, torch has no
Lanczos resize). These functions take the engine's `core` and `numpy`
modules as arguments and build every result from `take`,
`take_along_axis`, `tensordot` and arithmetic, so they run eagerly and
inside compiled steps, and gradients reach the images on every engine.

Images arrive as 4-D float tensors, `(batch, height, width, channels)` or
`(batch, channels, height, width)`, with static height and width.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- resize


def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x):
    # Keys's cubic convolution kernel with a = -0.5, as TensorFlow and JAX use.
    x = np.abs(x)
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius: float):
    def kernel(x):
        x = np.abs(x)
        safe = np.where(x == 0, 1.0, x)
        y = radius * np.sin(np.pi * safe) * np.sin(np.pi * safe / radius) / (np.pi**2 * safe**2)
        return np.where(x > radius, 0.0, np.where(x > 1e-3, y, 1.0))

    return kernel


RESIZE_KERNELS = {
    "bilinear": _triangle,
    "bicubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
}


def resize_weights(in_size: int, out_size: int, interpolation: str, antialias: bool) -> np.ndarray:
    """The `(in_size, out_size)` matrix that resamples one axis with half-pixel centers.

    With `antialias`, a downscaling kernel is widened by the scale so that
    every input pixel contributes. Columns are normalized to sum to 1 (so the
    borders need no padding); output samples outside the input get 0.
    """
    kernel = RESIZE_KERNELS[interpolation]
    inv_scale = in_size / out_size
    kernel_scale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size, dtype="float64") + 0.5) * inv_scale - 0.5
    distance = np.abs(sample[np.newaxis, :] - np.arange(in_size)[:, np.newaxis]) / kernel_scale
    weights = kernel(distance)
    total = weights.sum(axis=0, keepdims=True)
    usable = np.abs(total) > 1000.0 * np.finfo(np.float32).eps
    weights = np.where(usable, weights / np.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[np.newaxis, :], weights, 0.0)


def nearest_indices(in_size: int, out_size: int) -> np.ndarray:
    """The input index each output pixel copies: the pixel whose area holds its center."""
    # In float32 like the engines' own nearest resize, so ties round the same way.
    centers = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * np.float32(in_size)
    return np.floor(centers / np.float32(out_size)).astype("int32")


def resize(core, lnp, images, size, interpolation, antialias, data_format):
    """Resize 4-D float `images` to `size` = (height, width), one axis at a time."""
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    dtype = core.dtype(images)
    for axis, new in zip(axes, size, strict=True):
        old = core.shape(images)[axis]
        if old == new:
            continue
        if interpolation == "nearest":
            images = lnp.take(images, nearest_indices(old, new), axis=axis)
        else:
            weights = resize_weights(old, new, interpolation, antialias).astype(dtype)
            resized = lnp.tensordot(images, core.convert_to_tensor(weights), axes=([axis], [0]))
            images = lnp.moveaxis(resized, -1, axis)
    return images


# --------------------------------------------------------------------------- affine transform

# Coordinates are clipped to this range before they become integers: far
# enough out that every fill mode gives the same pixel, small enough for int32.
_COORDINATE_LIMIT = 2.0**20


def _mirror(lnp, index, size):
    # A triangular wave of period 2 * (size - 1): (d c b | a b c d | c b a).
    if size == 1:
        return lnp.zeros_like(index)
    half = size - 1
    return lnp.abs(lnp.subtract(lnp.mod(lnp.add(index, half), 2 * half), half))


def _reflect(lnp, index, size):
    # (d c b a | a b c d | d c b a): mirror on a grid of half pixels.
    doubled = _mirror(lnp, lnp.add(lnp.multiply(index, 2), 1), 2 * size + 1)
    return lnp.floor_divide(lnp.subtract(doubled, 1), 2)


def _fix_index(lnp, index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return lnp.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return lnp.mod(index, size)
    if fill_mode == "mirror":
        return _mirror(lnp, index, size)
    return _reflect(lnp, index, size)


def _nodes(core, lnp, coordinate, interpolation):
    """The (integer index, weight) pairs that interpolate at `coordinate`."""
    coordinate = lnp.clip(coordinate, -_COORDINATE_LIMIT, _COORDINATE_LIMIT)
    if interpolation == "nearest":
        return [(core.cast(lnp.round(coordinate), "int32"), None)]
    lower = lnp.floor(coordinate)
    upper_weight = lnp.subtract(coordinate, lower)
    index = core.cast(lower, "int32")
    return [(index, lnp.subtract(1.0, upper_weight)), (lnp.add(index, 1), upper_weight)]


def source_coordinates(core, lnp, transform, height: int, width: int, dtype: str):
    """Where each output pixel reads the input: `(x, y)`, each `(batch, height, width)`.

    A row `[a0, a1, a2, b0, b1, b2, c0, c1]` maps the output pixel `(x, y)`
    (column, row) to `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with
    `k = c0 x + c1 y + 1`.
    """
    rows, columns = np.meshgrid(
        np.arange(height, dtype=dtype), np.arange(width, dtype=dtype), indexing="ij"
    )
    x, y = core.convert_to_tensor(columns), core.convert_to_tensor(rows)
    transform = core.cast(transform, dtype)
    a0, a1, a2, b0, b1, b2, c0, c1 = (
        lnp.reshape(p, (-1, 1, 1)) for p in lnp.split(transform, 8, axis=1)
    )

    def plane(p, q, r):
        return lnp.add(lnp.add(lnp.multiply(p, x), lnp.multiply(q, y)), r)

    k = plane(c0, c1, 1.0)
    return lnp.divide(plane(a0, a1, a2), k), lnp.divide(plane(b0, b1, b2), k)


def affine_transform(
    core, lnp, images, transform, interpolation, fill_mode, fill_value, data_format
):
    """Sample 4-D float `images` at the points `transform` (rows of 8) maps each pixel to."""
    if data_format == "channels_first":
        images = lnp.transpose(images, (0, 2, 3, 1))
    _, height, width, channels = core.shape(images)
    dtype = core.dtype(images)
    x, y = source_coordinates(core, lnp, transform, height, width, dtype)
    flat_images = lnp.reshape(images, (-1, height * width, channels))
    result = None
    for row, row_weight in _nodes(core, lnp, y, interpolation):
        for column, column_weight in _nodes(core, lnp, x, interpolation):
            flat = lnp.add(
                lnp.multiply(_fix_index(lnp, row, height, fill_mode), width),
                _fix_index(lnp, column, width, fill_mode),
            )
            index = lnp.reshape(flat, (-1, height * width, 1))
            values = lnp.take_along_axis(flat_images, index, axis=1)
            values = lnp.reshape(values, (-1, height, width, channels))
            if fill_mode == "constant":
                inside = lnp.logical_and(
                    lnp.logical_and(lnp.greater_equal(row, 0), lnp.less(row, height)),
                    lnp.logical_and(lnp.greater_equal(column, 0), lnp.less(column, width)),
                )
                fill = core.cast(fill_value, dtype)
                values = lnp.where(lnp.expand_dims(inside, -1), values, fill)
            if row_weight is not None:
                weight = lnp.multiply(row_weight, column_weight)
                values = lnp.multiply(values, lnp.expand_dims(weight, -1))
            result = values if result is None else lnp.add(result, values)
    if data_format == "channels_first":
        result = lnp.transpose(result, (0, 3, 1, 2))
    return result
