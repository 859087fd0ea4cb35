"""GaussianNoise: adds zero-centred Gaussian noise while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.layer import Layer


class GaussianNoise(Layer):
    """Adds noise drawn from `N(0, stddev**2)` during training; identity at inference.

    Args:
        stddev: the standard deviation of the noise.
        seed: an int for reproducible noise.

    Example:
        >>> lamina.layers.GaussianNoise(0.1, seed=0)(np.zeros((2, 3)), training=True)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(stddev, (int, float)) or isinstance(stddev, bool) or stddev < 0:
            raise ValueError(
                f"GaussianNoise: stddev must be a number >= 0; got stddev={stddev!r}."
            )
        self.stddev = float(stddev)
        self.seed = seed
        if self.stddev > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = random.normal(
                ops.shape(inputs),
                stddev=self.stddev,
                dtype=ops.dtype(inputs),
                seed=self.seed_generator,
            )
            return ops.add(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
