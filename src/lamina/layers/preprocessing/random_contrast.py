"""RandomContrast: scales each image's contrast at random while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import (
    ImagePreprocessingLayer,
    _is_number,
    value_range_pair,
)


class RandomContrast(ImagePreprocessingLayer):
    """Scales the contrast of each image by a random factor while training;
    returns the input unchanged in inference (`training=False`, `predict`,
    `evaluate`).

    Each channel of an image moves away from (or toward) its mean by a factor
    `c`: `(x - mean) * c + mean`, then the result is clipped to `value_range`.

    Args:
        factor: a number `f` in [0, 1] draws `c` in `[1 - f, 1 + f]`; a pair
            `(lower, upper)` in `[1 - lower, 1 + upper]`.
        value_range: the range of the pixel values, `(low, high)`; outputs are
            clipped to it.
        seed: an int for reproducible factors.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomContrast(0.2, value_range=(0, 1), seed=0)
        >>> layer(np.random.rand(8, 32, 32, 3), training=True).shape
        (8, 32, 32, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        layer = type(self).__name__
        pair = factor if isinstance(factor, (list, tuple)) else (factor, factor)
        if len(pair) != 2 or not all(_is_number(f) and 0 <= f <= 1 for f in pair):
            raise ValueError(
                f"{layer}: factor={factor!r} is out of range; expected a number or a pair of "
                "numbers (lower, upper) in [0, 1]. factor=0.2 scales the contrast by a factor "
                "in [0.8, 1.2]."
            )
        self.factor = (float(pair[0]), float(pair[1]))
        value_range_pair(layer, value_range)
        self.value_range = tuple(value_range)
        self.seed = seed
        self.generator = random.SeedGenerator(seed)

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if not training:
            return images
        lower, upper = self.factor
        contrast = random.uniform(
            self._per_image_shape(images),
            1.0 - lower,
            1.0 + upper,
            dtype=self.compute_dtype,
            seed=self.generator,
        )
        mean = ops.mean(images, axis=self._height_width_axes(), keepdims=True)
        outputs = ops.add(ops.multiply(ops.subtract(images, mean), contrast), mean)
        low, high = value_range_pair(type(self).__name__, self.value_range)
        return ops.clip(outputs, low, high)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config
