"""Cropping1D: removes steps at the start and end of sequences."""

from __future__ import annotations

from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import int_pair


class Cropping1D(Layer):
    """Removes steps from the start and end of axis 1 of a `(batch, steps, features)` input.

    Args:
        cropping: an int (both ends) or a pair `(start, end)`.

    Example:
        >>> lamina.layers.Cropping1D((1, 2))(np.ones((1, 6, 4))).shape
        (1, 3, 4)
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = int_pair(cropping, "Cropping1D", "cropping")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        self.compute_output_shape(static_shape(inputs))  # raises when too short
        start, end = self.cropping
        return inputs[:, start : -end if end else None, :]

    def compute_output_shape(self, input_shape) -> tuple:
        batch, steps, features = tuple(input_shape)
        if steps is not None:
            steps -= sum(self.cropping)
            if steps <= 0:
                raise ValueError(
                    f"Cropping1D {self.name!r}: cropping={self.cropping} removes all "
                    f"{input_shape[1]} steps of inputs of shape {tuple(input_shape)}."
                )
        return (batch, steps, features)

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping
        return config
