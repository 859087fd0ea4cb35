"""RandomFlip: mirrors images at random while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import ImagePreprocessingLayer, check_choice

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(ImagePreprocessingLayer):
    """Flips each image with probability 1/2 while training; returns the input
    unchanged in inference (`training=False`, `predict`, `evaluate`).

    With "horizontal_and_vertical" an image is flipped along both axes or
    along neither, one draw per image, as Keras 3 does.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or
            "horizontal_and_vertical".
        seed: an int for reproducible flips.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomFlip("horizontal", seed=1)
        >>> layer(np.zeros((8, 32, 32, 3)), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(
        self,
        mode: str = HORIZONTAL_AND_VERTICAL,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_choice(
            type(self).__name__, "mode", mode, (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)
        )
        self.mode = mode
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if not training:
            return images
        draws = random.uniform(self._per_image_shape(images), seed=self.generator)
        flips = ops.less_equal(draws, 0.5)
        height_axis, width_axis = self._height_width_axes()
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=width_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=height_axis), images)
        return images

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"seed": self.seed, "mode": self.mode})
        return config
