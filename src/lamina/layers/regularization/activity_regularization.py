"""ActivityRegularization: adds an L1/L2 penalty on its input to the loss."""

from __future__ import annotations

from lamina import regularizers
from lamina.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds `l1 * sum(|x|) + l2 * sum(x**2)`,
    divided by the batch size, to the model's losses on every call.

    Args:
        l1: the L1 factor, a number >= 0.
        l2: the L2 factor, a number >= 0.

    Example:
        >>> layer = lamina.layers.ActivityRegularization(l1=0.01)
        >>> y = layer(np.ones((2, 3), "float32"))
        >>> layer.losses  # [0.03]: 0.01 * 6 / 2
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        for name, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"ActivityRegularization: {name} must be a number >= 0; got {name}={value!r}."
                )
        kwargs.pop("activity_regularizer", None)  # set from l1 and l2
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
