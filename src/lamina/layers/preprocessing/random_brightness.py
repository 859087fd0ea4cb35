"""RandomBrightness: shifts each image's brightness at random while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import (
    ImagePreprocessingLayer,
    factor_range,
    value_range_pair,
)


class RandomBrightness(ImagePreprocessingLayer):
    """Adds a random brightness shift to each image while training; returns the
    input unchanged in inference (`training=False`, `predict`, `evaluate`).

    The shift is a fraction of `value_range`'s width, the same for every pixel
    and channel of an image; the result is clipped to `value_range`.

    Args:
        factor: a number `f` draws shifts in `[-f, f]`, a pair `(lower, upper)`
            in `[lower, upper]`, as fractions of the value range; within [-1, 1].
        value_range: the range of the pixel values, `(low, high)`.
        seed: an int for reproducible shifts.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomBrightness(0.2, value_range=(0, 1), seed=0)
        >>> layer(np.random.rand(8, 32, 32, 3), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        layer = type(self).__name__
        self.factor = factor_range(
            layer,
            "factor",
            factor,
            -1.0,
            1.0,
            "It is a fraction of value_range: 0.2 shifts by up to 20% of it either way.",
        )
        self.value_range = list(value_range_pair(layer, value_range))
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if not training:
            return images
        lower, upper = self.factor
        low, high = self.value_range
        shift = random.uniform(
            self._per_image_shape(images),
            lower,
            upper,
            dtype=self.compute_dtype,
            seed=self.generator,
        )
        return ops.clip(ops.add(images, ops.multiply(shift, high - low)), low, high)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config
