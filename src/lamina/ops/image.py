"""lamina.ops.image: resizing and geometric transforms of images.

Images are 3-D, one image `(height, width, channels)`, or 4-D, a batch
`(batch, height, width, channels)`; with `data_format="channels_first"` the
channels come before height and width. `data_format=None` means
`lamina.config.image_data_format()`. Integer images are computed in float32
and rounded back to their dtype, saturating at its limits.
"""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina.backend import engine as _engine

__all__ = ["affine_transform", "resize"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _data_format(data_format: str | None, where: str = "data_format") -> str:
    """`data_format`, or the configured `image_data_format` when None; checked."""
    if data_format is None:
        return _config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{where} must be 'channels_last' or 'channels_first'; got {data_format!r}. "
            "Pass one of them, or None to use lamina.config.image_data_format()."
        )
    return value


def _check_choice(name: str, value, allowed: tuple, what: str) -> None:
    if value not in allowed:
        raise ValueError(
            f"{what}: unknown {name}={value!r}; expected one of {', '.join(map(repr, allowed))}."
        )


def _as_batch(images, what: str):
    """`images` as a 4-D tensor, and whether it was one 3-D image."""
    images = _engine.core.convert_to_tensor(images)
    rank = len(_engine.core.shape(images))
    if rank not in (3, 4):
        raise ValueError(
            f"{what} takes one image (rank 3) or a batch of images (rank 4); got an input of "
            f"shape {tuple(_engine.core.shape(images))}. Add or remove the batch axis."
        )
    if rank == 3:
        images = _engine.numpy.expand_dims(images, 0)
    return images, rank == 3


def _spatial_axes(data_format: str) -> tuple[int, int]:
    return (1, 2) if data_format == "channels_last" else (2, 3)


def _compute_dtype(dtype: str) -> str:
    return "float64" if dtype == "float64" else "float32"


def _restore_dtype(x, dtype: str):
    """`x` (float) back in the images' `dtype`: ints rounded and saturated."""
    if _engine.core.dtype(x) == dtype:
        return x
    if dtype == "bool" or "int" in dtype:
        info = np.iinfo(dtype) if dtype != "bool" else None
        x = _engine.numpy.round(x)
        if info is not None:
            x = _engine.numpy.clip(x, float(info.min), float(info.max))
    return _engine.core.cast(x, dtype)


def _static_size(images, axis: int, what: str) -> int:
    size = _engine.core.shape(images)[axis]
    if not isinstance(size, (int, np.integer)):
        raise ValueError(
            f"{what} needs the image height and width to be known; axis {axis} is unknown here. "
            "Give the model input a full image shape, e.g. Input((height, width, channels))."
        )
    return int(size)


def _take_range(x, axis: int, start: int, length: int):
    return _engine.numpy.take(x, np.arange(start, start + length, dtype="int32"), axis=axis)


def _aspect_crop(images, size, axes):
    """The largest centered window of `images` with the aspect ratio of `size`."""
    height, width = (_static_size(images, a, "crop_to_aspect_ratio") for a in axes)
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    if crop_height != height:
        images = _take_range(images, axes[0], top, crop_height)
    if crop_width != width:
        images = _take_range(images, axes[1], left, crop_width)
    return images


def _aspect_pad(images, size, axes, fill_value):
    """`images` padded evenly on the short side to the aspect ratio of `size`."""
    height, width = (_static_size(images, a, "pad_to_aspect_ratio") for a in axes)
    target_height, target_width = size
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    # The same amount on both sides, as Keras does.
    top = int(float(pad_height - height) / 2)
    left = int(float(pad_width - width) / 2)
    if top == 0 and left == 0:
        return images
    pads = [[0, 0]] * 4
    pads[axes[0]] = [top, top]
    pads[axes[1]] = [left, left]
    return _engine.numpy.pad(images, pads, mode="constant", constant_values=fill_value)


def resize(
    images,
    size,
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
):
    """Resize images to `size` = (height, width).

    Pixel centers sit at half-integer positions (the convention of
    TensorFlow, JAX and torch's `align_corners=False`).

    Args:
        images: one image (rank 3) or a batch (rank 4).
        size: the output `(height, width)`, two positive ints.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3",
            "lanczos5", or "area" (TensorFlow only). Each engine resizes with its
            own library where it has one, so results match Keras on that engine
            ("bicubic" on torch uses torch's kernel).
        antialias: widen the kernel when downscaling, so that every input
            pixel contributes (no aliasing). Ignored by "nearest".
        crop_to_aspect_ratio: first crop the largest centered window with the
            aspect ratio of `size`, so the image is not distorted.
        pad_to_aspect_ratio: first pad the short side evenly with `fill_value`
            to the aspect ratio of `size`, so the image is not distorted.
        fill_mode: how padding is filled; only "constant".
        fill_value: the value of the padding.
        data_format: "channels_last", "channels_first" or None.

    Returns:
        The resized images, in their dtype. Shape: `(batch, h, w, c) ->
        (batch, size[0], size[1], c)` (channels_last), likewise without a batch
        and for channels_first.

    Example:
        >>> lamina.ops.image.resize(np.zeros((2, 4, 4, 3)), (2, 6)).shape
        (2, 2, 6, 3)
    """
    what = "ops.image.resize"
    if (
        not isinstance(size, (list, tuple))
        or len(size) != 2
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in size)
        or min(size) <= 0
    ):
        raise ValueError(
            f"{what}: size must be (height, width), two positive ints; got size={size!r}."
        )
    size = (int(size[0]), int(size[1]))
    _check_choice("interpolation", interpolation, RESIZE_INTERPOLATIONS, what)
    if fill_mode != "constant":
        raise ValueError(
            f"{what}: fill_mode={fill_mode!r} is not supported; padding is always filled with "
            "fill_value, so pass fill_mode='constant'."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            f"{what}: crop_to_aspect_ratio and pad_to_aspect_ratio are both True; choose one."
        )
    data_format = _data_format(data_format)
    images, single = _as_batch(images, what)
    dtype = _engine.core.dtype(images)
    if dtype != _compute_dtype(dtype):
        images = _engine.core.cast(images, _compute_dtype(dtype))
    axes = _spatial_axes(data_format)
    if crop_to_aspect_ratio:
        images = _aspect_crop(images, size, axes)
    elif pad_to_aspect_ratio:
        images = _aspect_pad(images, size, axes, fill_value)
    resized = _engine.image.resize(images, size, interpolation, bool(antialias), data_format)
    resized = _restore_dtype(resized, dtype)
    return _engine.numpy.squeeze(resized, 0) if single else resized


def affine_transform(
    images,
    transform,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
):
    """Apply projective transforms to images: each output pixel reads the input
    at the point its transform maps it to.

    A transform is a row of 8 numbers `[a0, a1, a2, b0, b1, b2, c0, c1]`; it maps
    the output pixel `(x, y)` (column, row) to the input point
    `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1`.
    It is the inverse of the map from input to output. `c0` and `c1` apply on
    every engine.

    Args:
        images: one image (rank 3) or a batch (rank 4).
        transform: one row of 8 (for all images) or `(batch, 8)`, one per image.
        interpolation: "bilinear" or "nearest".
        fill_mode: what points outside the input read:
            "constant" `(k k k k | a b c d | k k k k)` with `k = fill_value`;
            "nearest" `(a a a a | a b c d | d d d d)`;
            "wrap" `(a b c d | a b c d | a b c d)`;
            "mirror" `(c d c b | a b c d | c b a b)`, reflected about the edge pixel's center;
            "reflect" `(d c b a | a b c d | d c b a)`, reflected about the edge.
        fill_value: the value of "constant" fill.
        data_format: "channels_last", "channels_first" or None.

    Returns:
        The transformed images, of the shape and dtype of `images`.

    Example:
        >>> shift_right = [1, 0, -1, 0, 1, 0, 0, 0]  # output (x, y) reads input (x - 1, y)
        >>> lamina.ops.image.affine_transform(np.eye(3)[..., None], shift_right)[..., 0]
        array([[0., 1., 0.],
               [0., 0., 1.],
               [0., 0., 0.]], dtype=float32)
    """
    what = "ops.image.affine_transform"
    _check_choice("interpolation", interpolation, AFFINE_INTERPOLATIONS, what)
    _check_choice("fill_mode", fill_mode, FILL_MODES, what)
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float, np.number)):
        raise ValueError(f"{what}: fill_value must be a number; got fill_value={fill_value!r}.")
    data_format = _data_format(data_format)
    images, single = _as_batch(images, what)
    dtype = _engine.core.dtype(images)
    compute_dtype = _compute_dtype(dtype)
    if dtype != compute_dtype:
        images = _engine.core.cast(images, compute_dtype)
    transform = _engine.core.cast(_engine.core.convert_to_tensor(transform), compute_dtype)
    transform_shape = tuple(_engine.core.shape(transform))
    if len(transform_shape) not in (1, 2) or transform_shape[-1] != 8:
        raise ValueError(
            f"{what}: transform must be a row of 8 numbers or a (batch, 8) tensor; got shape "
            f"{transform_shape}."
        )
    if len(transform_shape) == 1:
        transform = _engine.numpy.reshape(transform, (1, 8))
    batch = _engine.core.shape(images)[0]
    rows = _engine.core.shape(transform)[0]
    if isinstance(batch, int) and isinstance(rows, int) and rows != batch:
        if rows != 1:
            raise ValueError(
                f"{what}: {rows} transforms for a batch of {batch} images; pass one transform "
                "per image, or a single one for all."
            )
        transform = _engine.numpy.broadcast_to(transform, (batch, 8))
    for axis in _spatial_axes(data_format):
        _static_size(images, axis, what)
    out = _engine.image.affine_transform(
        images, transform, interpolation, fill_mode, fill_value, data_format
    )
    out = _restore_dtype(out, dtype)
    return _engine.numpy.squeeze(out, 0) if single else out


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
