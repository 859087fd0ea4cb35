"""LeakyReLU: a rectified linear unit with a small slope below zero."""

from __future__ import annotations

import warnings

from lamina import activations
from lamina.layers.activations.relu import _non_negative
from lamina.layers.layer import Layer


class LeakyReLU(Layer):
    """`x` for `x >= 0`, `negative_slope * x` below.

    Args:
        negative_slope: the slope below zero (Keras's default, 0.3). The
            older name `alpha` is accepted, with a warning.

    Example:
        >>> lamina.layers.LeakyReLU(negative_slope=0.5)(np.array([-2.0, 3.0]))
        array([-1.,  3.], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "LeakyReLU's argument `alpha` is deprecated; use `negative_slope` instead.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
