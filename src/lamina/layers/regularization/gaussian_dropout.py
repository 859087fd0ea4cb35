"""GaussianDropout: multiplies inputs by Gaussian noise centred on 1 while training."""

from __future__ import annotations

import math

from lamina import ops, random
from lamina.layers.layer import Layer
from lamina.layers.regularization.dropout import check_rate


class GaussianDropout(Layer):
    """Multiplies inputs by noise from `N(1, rate / (1 - rate))` during training
    (the variance of dropout with the same rate); identity at inference.

    Args:
        rate: the equivalent dropout rate, in [0, 1).
        seed: an int for reproducible noise.

    Example:
        >>> lamina.layers.GaussianDropout(0.2, seed=0)(np.ones((2, 3)), training=True)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate("GaussianDropout", rate)
        self.seed = seed
        if 0 < self.rate < 1:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and 0 < self.rate < 1:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = random.normal(
                ops.shape(inputs),
                mean=1.0,
                stddev=stddev,
                dtype=ops.dtype(inputs),
                seed=self.seed_generator,
            )
            return ops.multiply(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
