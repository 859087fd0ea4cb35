"""UpSampling1D: repeats each step."""

from __future__ import annotations

from lamina import ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class UpSampling1D(Layer):
    """Repeats each step `size` times along axis 1 of a `(batch, steps, features)` input.

    Args:
        size: the repetition factor.

    Example:
        >>> lamina.layers.UpSampling1D(2)(np.ones((1, 3, 4))).shape
        (1, 6, 4)
    """

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"UpSampling1D: size must be a positive integer; got size={size!r}.")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape) -> tuple:
        batch, steps, features = tuple(input_shape)
        return (batch, None if steps is None else steps * self.size, features)

    def get_config(self) -> dict:
        config = super().get_config()
        config["size"] = self.size
        return config
