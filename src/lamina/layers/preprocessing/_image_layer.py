"""What the image preprocessing layers share: data format, rank checks,
factor and value-range arguments, the batch shape of random draws."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.ops.image import _data_format


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


class ImagePreprocessingLayer(Layer):
    """A layer on one image (rank 3) or a batch of images (rank 4).

    Args:
        data_format: "channels_last", "channels_first", or None for
            `lamina.config.image_data_format()`.
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, where=f"{type(self).__name__} data_format")

    # ------------------------------------------------------------------ shapes
    def _height_width_axes(self) -> tuple[int, int]:
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _images(self, inputs):
        """`inputs` in the layer's compute dtype, after checking their rank."""
        rank = len(ops.shape(inputs))
        if rank not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} takes one image (rank 3) or a batch of "
                f"images (rank 4); got an input of shape {tuple(ops.shape(inputs))}."
            )
        if ops.dtype(inputs) != self.compute_dtype:
            inputs = ops.cast(inputs, self.compute_dtype)
        return inputs

    def _batch_size(self, images):
        """The number of images: the batch size, or 1 for one image."""
        return ops.shape(images)[0] if len(ops.shape(images)) == 4 else 1

    def _per_image_shape(self, images) -> tuple:
        """The shape of a draw with one value per image, broadcasting against `images`."""
        if len(ops.shape(images)) == 4:
            return (ops.shape(images)[0], 1, 1, 1)
        return (1, 1, 1)

    def _static_height_width(self, images) -> tuple[int, int]:
        shape = ops.shape(images)
        sizes = tuple(shape[a] for a in self._height_width_axes())
        if not all(isinstance(s, (int, np.integer)) for s in sizes):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} needs the image height and width to be "
                f"known; got an input of shape {tuple(shape)}. Give the model input a full image "
                "shape, e.g. Input((height, width, channels))."
            )
        return int(sizes[0]), int(sizes[1])

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


# --------------------------------------------------------------------------- arguments


def factor_range(
    layer: str,
    name: str,
    factor,
    low: float,
    high: float,
    hint: str,
    low_open: bool = False,
) -> tuple[float, float]:
    """`(lower, upper)` from a number `f` (meaning `(-f, f)`, clipped at `low`) or a pair."""
    interval = f"{'(' if low_open else '['}{low}, {high}]"

    def bad():
        return ValueError(
            f"{layer}: {name}={factor!r} is out of range; expected a number or a pair of numbers "
            f"(lower, upper) in {interval}. {hint}"
        )

    def inside(value) -> bool:
        return _is_number(value) and (low < value if low_open else low <= value) and value <= high

    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or not all(inside(v) for v in factor):
            raise bad()
        lower, upper = sorted(float(v) for v in factor)
        return lower, upper
    if not inside(factor):
        raise bad()
    factor = abs(float(factor))
    return max(-factor, low), factor


def value_range_pair(layer: str, value_range) -> tuple[float, float]:
    """`(low, high)` from a `value_range` argument, checked."""
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(_is_number(v) for v in value_range)
        or value_range[0] == value_range[1]
    ):
        raise ValueError(
            f"{layer}: value_range={value_range!r} must be two different numbers (low, high), "
            "the range of the pixel values, e.g. (0, 255) or (0, 1)."
        )
    low, high = sorted(value_range)
    return low, high


def check_choice(layer: str, name: str, value, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(
            f"{layer}: unknown {name}={value!r}; expected one of {', '.join(map(repr, allowed))}."
        )


def check_size(layer: str, name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int; got {name}={value!r}.")
    return int(value)


class AffineAugmentationLayer(ImagePreprocessingLayer):
    """A random geometric transform of each image while training (rotation,
    zoom, translation), sampled with `ops.image.affine_transform`."""

    def __init__(
        self,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        from lamina import random
        from lamina.ops.image import AFFINE_INTERPOLATIONS, FILL_MODES

        super().__init__(data_format=data_format, **kwargs)
        layer = type(self).__name__
        check_choice(layer, "fill_mode", fill_mode, FILL_MODES)
        check_choice(layer, "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        if not _is_number(fill_value):
            raise ValueError(
                f"{layer}: fill_value must be a number; got fill_value={fill_value!r}."
            )
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def _transforms(self, images, height: int, width: int):
        """One row of 8 per image: where each output pixel reads the input."""
        raise NotImplementedError

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if not training:
            return images
        height, width = self._static_height_width(images)
        return ops.image.affine_transform(
            images,
            self._transforms(images, height, width),
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "interpolation": self.interpolation,
                "seed": self.seed,
            }
        )
        return config


def transform_rows(columns) -> object:
    """Stack 8 `(batch,)` tensors or numbers into `(batch, 8)` transform rows."""
    batch = next(ops.shape(c)[0] for c in columns if not _is_number(c))
    dtype = next(ops.dtype(c) for c in columns if not _is_number(c))
    filled = [ops.full((batch,), c, dtype=dtype) if _is_number(c) else c for c in columns]
    return ops.stack(filled, axis=1)
