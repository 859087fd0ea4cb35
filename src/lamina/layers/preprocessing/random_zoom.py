"""RandomZoom: zooms images in or out at random while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import (
    AffineAugmentationLayer,
    factor_range,
    transform_rows,
)

_HINT = "factor=0.2 zooms by up to 20% either way; a positive factor zooms out, a negative one in."


class RandomZoom(AffineAugmentationLayer):
    """Zooms each image in or out by a random amount while training; returns
    the input unchanged in inference (`training=False`, `predict`, `evaluate`).

    A zoom `z` reads the output from a window `z` times the image's size about
    its center: `z > 1` zooms out (the image shrinks, its borders are filled
    as `fill_mode` says), `z < 1` zooms in.

    Args:
        height_factor: a number `f` draws vertical zooms in `[1 - f, 1 + f]`, a
            pair `(lower, upper)` in `[1 + lower, 1 + upper]`; within (-1, 1].
        width_factor: likewise for horizontal zooms; None zooms both ways by the
            same amount, keeping the aspect ratio.
        fill_mode: "reflect", "wrap", "constant", "nearest" or "mirror".
        interpolation: "bilinear" or "nearest".
        seed: an int for reproducible zooms.
        fill_value: the value of "constant" fill.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomZoom(0.2, seed=0)
        >>> layer(np.zeros((8, 32, 32, 3)), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
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
        self._height_range = factor_range(
            layer, "height_factor", height_factor, -1.0, 1.0, _HINT, low_open=True
        )
        self._width_range = (
            None
            if width_factor is None
            else factor_range(layer, "width_factor", width_factor, -1.0, 1.0, _HINT, low_open=True)
        )

    def _zooms(self, images, factor_range):
        lower, upper = factor_range
        shape = (self._batch_size(images),)
        return random.uniform(shape, 1.0 + lower, 1.0 + upper, seed=self.generator)

    def _transforms(self, images, height, width):
        zoom_y = self._zooms(images, self._height_range)
        zoom_x = zoom_y if self._width_range is None else self._zooms(images, self._width_range)
        # Output (x, y) reads input c + z (x - c), c the image center.
        offset_x = ops.multiply((width - 1) / 2, ops.subtract(1.0, zoom_x))
        offset_y = ops.multiply((height - 1) / 2, ops.subtract(1.0, zoom_y))
        return transform_rows([zoom_x, 0.0, offset_x, 0.0, zoom_y, offset_y, 0.0, 0.0])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
