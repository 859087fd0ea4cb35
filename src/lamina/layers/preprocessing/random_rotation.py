"""RandomRotation: rotates images by random angles while training."""

from __future__ import annotations

import math

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import (
    AffineAugmentationLayer,
    factor_range,
    transform_rows,
)


def rotation_transforms(angles, height: int, width: int):
    """`(batch, 8)` rows that rotate images by `angles` (radians) about their centers."""
    cos, sin = ops.cos(angles), ops.sin(angles)
    center_x, center_y = (width - 1) / 2, (height - 1) / 2
    # Output (x, y) reads input R (x - c) + c, R = [[cos, -sin], [sin, cos]].
    a2 = ops.subtract(ops.add(center_x, ops.multiply(center_y, sin)), ops.multiply(center_x, cos))
    b2 = ops.subtract(
        ops.subtract(center_y, ops.multiply(center_x, sin)), ops.multiply(center_y, cos)
    )
    return transform_rows([cos, ops.negative(sin), a2, sin, cos, b2, 0.0, 0.0])


class RandomRotation(AffineAugmentationLayer):
    """Rotates each image by a random angle while training; returns the input
    unchanged in inference (`training=False`, `predict`, `evaluate`).

    Args:
        factor: a fraction of a full turn: a number `f` draws angles in
            `[-f * 360, f * 360]` degrees, a pair `(lower, upper)` in
            `[lower * 360, upper * 360]`; within [-1, 1].
        fill_mode: what points outside the image read: "reflect", "wrap",
            "constant", "nearest" or "mirror" (see `ops.image.affine_transform`).
        interpolation: "bilinear" or "nearest".
        seed: an int for reproducible rotations.
        fill_value: the value of "constant" fill.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomRotation(0.1, seed=0)  # up to 36 degrees either way
        >>> layer(np.zeros((8, 32, 32, 3)), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(
        self,
        factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_range(
            type(self).__name__,
            "factor",
            factor,
            -1.0,
            1.0,
            "It is a fraction of a full turn: factor=0.1 rotates by up to 36 degrees either way.",
        )

    def _transforms(self, images, height, width):
        lower, upper = self.factor
        degrees = random.uniform(
            (self._batch_size(images),), lower * 360.0, upper * 360.0, seed=self.generator
        )
        return rotation_transforms(ops.multiply(degrees, math.pi / 180.0), height, width)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config
