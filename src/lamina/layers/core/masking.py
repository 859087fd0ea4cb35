"""Masking: marks the timesteps whose features all equal a padding value."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`, for the layers after it.

    The output is the input with the masked timesteps set to zero, and it
    carries a `(batch, timesteps)` mask: recurrent layers skip the masked
    steps, pooling leaves them out, losses and metrics do not count them.

    Args:
        mask_value: the padding value (default 0.0).

    Example:
        >>> x = np.zeros((2, 4, 3), "float32")
        >>> x[:, :2] = 1.0  # two real steps, two padding steps
        >>> y = lamina.layers.Masking(mask_value=0.0)(x)
        >>> lamina.layers.LSTM(8)(y).shape  # the LSTM reads steps 0 and 1 only
        (2, 8)
    """

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.multiply(inputs, ops.cast(keep, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
