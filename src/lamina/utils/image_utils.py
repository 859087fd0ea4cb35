"""Image files and arrays: `load_img`, `img_to_array`, `array_to_img`, `save_img` (Pillow)."""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np

from lamina import config as _config

_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
# Pillow's resampling filters by the names Keras accepts for `load_img`.
_PIL_FILTERS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "lamina's image file utilities need Pillow, which is not installed. Install it with "
            "`pip install pillow`."
        ) from None
    return Image


def _data_format(data_format: str | None) -> str:
    data_format = data_format or _config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "data_format must be 'channels_last' or 'channels_first'; got "
            f"data_format={data_format!r}."
        )
    return data_format


def _center_crop_box(size: tuple, target: tuple) -> list:
    """The largest centered `(left, top, right, bottom)` box of `size` (w, h) with `target`'s aspect."""
    width, height = size
    target_width, target_height = target
    crop_height = min(height, width * target_height // target_width)
    crop_width = min(width, height * target_width // target_height)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def load_img(
    path,
    color_mode: str = "rgb",
    target_size: tuple | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
):
    """Reads an image file into a Pillow image.

    Args:
        path: a path (str, bytes or `pathlib.Path`) or an `io.BytesIO`.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None (the file's size) or `(height, width)` to resize to.
        interpolation: the Pillow filter for resizing: "nearest", "bilinear",
            "bicubic", "hamming", "box" or "lanczos".
        keep_aspect_ratio: resize the largest centered crop with the aspect
            ratio of `target_size`, so the image is not distorted.

    Returns:
        A `PIL.Image.Image`.

    Example:
        >>> image = lamina.utils.load_img("cat.png", target_size=(64, 64))
        >>> batch = lamina.utils.img_to_array(image)[None]
    """
    Image = _pil()
    if isinstance(path, io.BytesIO):
        image = Image.open(path)
    elif isinstance(path, (str, bytes, pathlib.Path)):
        with open(path, "rb") as file:
            image = Image.open(io.BytesIO(file.read()))
    else:
        raise TypeError(
            f"load_img's path must be a path (str, bytes, pathlib.Path) or an io.BytesIO; got "
            f"{type(path).__name__}."
        )
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode must be one of {', '.join(map(repr, _COLOR_MODES))}; got "
            f"color_mode={color_mode!r}."
        )
    # Grayscale images of 16 or 32 bits keep their depth, as in Keras.
    keep = ("L", "I;16", "I") if color_mode == "grayscale" else (_COLOR_MODES[color_mode],)
    if image.mode not in keep:
        image = image.convert(_COLOR_MODES[color_mode])
    if target_size is None:
        return image
    size = (int(target_size[1]), int(target_size[0]))
    if image.size == size:
        return image
    if interpolation not in _PIL_FILTERS:
        raise ValueError(
            f"interpolation must be one of {', '.join(_PIL_FILTERS)}; got "
            f"interpolation={interpolation!r}."
        )
    resample = getattr(Image.Resampling, interpolation.upper())
    box = _center_crop_box(image.size, size) if keep_aspect_ratio else None
    return image.resize(size, resample, box=box)


def img_to_array(img, data_format: str | None = None, dtype: str | None = None) -> np.ndarray:
    """A Pillow image (or anything NumPy reads) as a 3-D array.

    Args:
        img: a `PIL.Image.Image`, or an array-like image of rank 2 or 3.
        data_format: "channels_last" (`(height, width, channels)`) or
            "channels_first"; None: `image_data_format()`.
        dtype: the array's dtype; None: `floatx()`.

    Returns:
        A NumPy array of rank 3 (a rank-2 image gets one channel).

    Example:
        >>> lamina.utils.img_to_array(PIL.Image.new("RGB", (4, 2))).shape
        (2, 4, 3)
    """
    data_format = _data_format(data_format)
    array = np.asarray(img, dtype=dtype or _config.floatx())
    if array.ndim == 2:
        array = array[:, :, None]
    elif array.ndim != 3:
        raise ValueError(
            f"img_to_array expects an image of rank 2 or 3; got shape {array.shape}. Pass one "
            "image, not a batch."
        )
    if data_format == "channels_first":
        array = array.transpose(2, 0, 1)
    return array


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype: str | None = None):
    """A 3-D array as a Pillow image (1 channel: "L" or "I", 3: "RGB", 4: "RGBA").

    Args:
        x: an array-like image of rank 3.
        data_format: "channels_last" or "channels_first"; None: `image_data_format()`.
        scale: stretch the values linearly so that they span [0, 255].
        dtype: the dtype the values are read as; None: `floatx()`.

    Returns:
        A `PIL.Image.Image`.

    Example:
        >>> lamina.utils.array_to_img(np.random.random((8, 8, 3))).mode
        'RGB'
    """
    Image = _pil()
    data_format = _data_format(data_format)
    array = np.array(x, dtype=dtype or _config.floatx())
    if array.ndim != 3:
        raise ValueError(
            f"array_to_img expects one image of rank 3; got shape {array.shape}. Pass a single "
            "image, e.g. batch[0]."
        )
    if data_format == "channels_first":
        array = array.transpose(1, 2, 0)
    if scale:
        array = array - np.min(array)
        peak = np.max(array)
        if peak != 0:
            array = array / peak
        array = array * 255
    channels = array.shape[2]
    if channels == 4:
        return Image.fromarray(array.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(array.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(array) > 255:
            return Image.fromarray(array[:, :, 0].astype("int32"), "I")
        return Image.fromarray(array[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img handles 1, 3 or 4 channels; got {channels} (shape {array.shape}). Check "
        "data_format."
    )


def save_img(
    path,
    x,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs,
) -> None:
    """Writes a 3-D array as an image file.

    Args:
        path: a path or a writable file object.
        x: an array-like image of rank 3.
        data_format: "channels_last" or "channels_first"; None: `image_data_format()`.
        file_format: the format (e.g. "png", "jpeg"); None: from the file
            extension (required for file objects).
        scale: stretch the values linearly so that they span [0, 255].
        **kwargs: passed to `PIL.Image.Image.save` (e.g. `quality=95`).

    Example:
        >>> lamina.utils.save_img("out.png", np.random.random((8, 8, 3)))
    """
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format is not None and file_format.lower() == "jpg":
        file_format = "jpeg"
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and file_format == "jpeg":
        warnings.warn(
            "JPEG cannot store an alpha channel; saving the RGBA image as RGB.", stacklevel=2
        )
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)
