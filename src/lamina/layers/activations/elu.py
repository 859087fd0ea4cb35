"""ELU: the exponential linear unit as a layer."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer


class ELU(Layer):
    """`x` for `x > 0`, `alpha * (exp(x) - 1)` below.

    Args:
        alpha: the scale of the negative part.

    Unlike Keras 3, whose config leaves `alpha` out (a saved ELU reloads with
    alpha 1), the config keeps it; Keras reads it back as it is.

    Example:
        >>> lamina.layers.ELU()(np.array([-1.0, 2.0]))
        array([-0.63212055,  2.        ], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
