"""Dropout: zeroes random inputs while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers._shapes import static_shape
from lamina.layers.layer import Layer


def check_rate(layer_name: str, rate) -> float:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate <= 1:
        raise ValueError(f"{layer_name}: rate must be a number in [0, 1]; got rate={rate!r}.")
    return float(rate)


class Dropout(Layer):
    """Sets inputs to 0 with probability `rate` during training, scaling the rest
    by `1 / (1 - rate)` so that the expected sum is unchanged. At inference
    (`training=False`) it returns its input unchanged.

    Args:
        rate: the fraction of inputs to drop, in [0, 1].
        noise_shape: the shape of the binary mask, broadcast against the input;
            None entries take the input's size (e.g. `(None, 1, None)` drops whole
            timesteps' features identically across steps).
        seed: an int for reproducible masks.

    Example:
        >>> layer = lamina.layers.Dropout(0.5, seed=0)
        >>> layer(np.ones((2, 4)), training=True)  # about half zeros, the rest 2.0
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(type(self).__name__, rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        if self.rate > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        shape = static_shape(inputs)
        if len(shape) != len(self.noise_shape):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: noise_shape {self.noise_shape} has "
                f"{len(self.noise_shape)} axes, but the input has shape {shape}."
            )
        # Unknown sizes (a traced batch axis) are read from the tensor at run time.
        dynamic = ops.shape(inputs)
        return tuple(
            d if d is not None else (s if s is not None else dynamic[i])
            for i, (d, s) in enumerate(zip(self.noise_shape, shape, strict=True))
        )

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return random.dropout(
                inputs, self.rate, noise_shape=self._noise_shape(inputs), seed=self.seed_generator
            )
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
