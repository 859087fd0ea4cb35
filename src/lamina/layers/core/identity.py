"""Identity: returns its input unchanged."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Identity(Layer):
    """Returns its input unchanged; a placeholder where a layer is expected.

    Example:
        >>> lamina.layers.Identity()(np.ones((2, 3))).shape
        (2, 3)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
