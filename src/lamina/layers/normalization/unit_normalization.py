"""UnitNormalization: scales each sample to unit L2 norm along some axes."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer


class UnitNormalization(Layer):
    """`x / sqrt(max(sum(x**2, axis), 1e-12))`: unit L2 norm along `axis`.

    Args:
        axis: an axis, or a list of axes normalized together.

    Example:
        >>> lamina.layers.UnitNormalization()(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(
                f"UnitNormalization's axis must be an int or a list of ints; got axis={axis!r}."
            )
        self.supports_masking = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = ops.sum(ops.square(inputs), axis=axis, keepdims=True)
        floor = ops.cast(1e-12, ops.dtype(square_sum))
        return ops.divide(inputs, ops.sqrt(ops.maximum(square_sum, floor)))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(
                    f"UnitNormalization's axis {self.axis} is out of range for input shape "
                    f"{input_shape}."
                )
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
