"""ReLU: the rectified linear unit as a layer, with a cap, a slope and a threshold."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer


def _non_negative(layer: str, name: str, value, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{layer}'s {name} must be a number >= 0"
            f"{' or None' if allow_none else ''}; got {name}={value!r}."
        )
    return value


class ReLU(Layer):
    """Rectified linear unit: `max(x, 0)`, with Keras's optional variations.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x <
    max_value`, and `negative_slope * (x - threshold)` below the threshold.

    Args:
        max_value: the largest output (None: no cap).
        negative_slope: the slope below the threshold.
        threshold: where the unit turns on.

    Example:
        >>> lamina.layers.ReLU(max_value=6.0)(np.array([-1.0, 3.0, 9.0]))
        array([0., 3., 6.], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "max_value": self.max_value,
                "negative_slope": self.negative_slope,
                "threshold": self.threshold,
            }
        )
        return config
