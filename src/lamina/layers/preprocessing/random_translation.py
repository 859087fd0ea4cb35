"""RandomTranslation: shifts images by random amounts while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import (
    AffineAugmentationLayer,
    factor_range,
    transform_rows,
)

_HINT = "It is a fraction of the image size: 0.1 shifts by up to 10% either way."


class RandomTranslation(AffineAugmentationLayer):
    """Shifts each image by a random amount while training; returns the input
    unchanged in inference (`training=False`, `predict`, `evaluate`).

    Args:
        height_factor: a fraction of the height: a number `f` draws vertical
            shifts in `[-f, f] * height`, a pair `(lower, upper)` in
            `[lower, upper] * height` (positive: down); within [-1, 1].
        width_factor: likewise for horizontal shifts (positive: right).
        fill_mode: "reflect", "wrap", "constant", "nearest" or "mirror".
        interpolation: "bilinear" or "nearest".
        seed: an int for reproducible shifts.
        fill_value: the value of "constant" fill.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomTranslation(0.1, 0.1, seed=0)
        >>> layer(np.zeros((8, 32, 32, 3)), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        layer = type(self).__name__
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = factor_range(layer, "height_factor", height_factor, -1.0, 1.0, _HINT)
        self._width_range = factor_range(layer, "width_factor", width_factor, -1.0, 1.0, _HINT)

    def _shifts(self, images, factor_range, size: int):
        lower, upper = factor_range
        shape = (self._batch_size(images),)
        return ops.multiply(random.uniform(shape, lower, upper, seed=self.generator), float(size))

    def _transforms(self, images, height, width):
        shift_y = self._shifts(images, self._height_range, height)
        shift_x = self._shifts(images, self._width_range, width)
        # Output (x, y) reads input (x - dx, y - dy).
        return transform_rows(
            [1.0, 0.0, ops.negative(shift_x), 0.0, 1.0, ops.negative(shift_y), 0.0, 0.0]
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
