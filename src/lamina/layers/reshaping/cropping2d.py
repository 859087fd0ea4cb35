"""Cropping2D: removes rows and columns at the borders of images."""

from __future__ import annotations

from lamina.config import standardize_data_format
from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import pairs_2d, spatial_axes


class Cropping2D(Layer):
    """Removes rows and columns at the borders of each image of a 4-D input.

    Args:
        cropping: an int (all sides), a pair `(height, width)` of symmetric
            croppings, or `((top, bottom), (left, right))`.
        data_format: "channels_last" or "channels_first"; default the configured
            `image_data_format`.

    Example:
        >>> lamina.layers.Cropping2D(((1, 0), (2, 2)))(np.ones((1, 8, 8, 3))).shape
        (1, 7, 4, 3)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = pairs_2d(cropping, "Cropping2D", "cropping")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        self.compute_output_shape(static_shape(inputs))  # raises when too small
        index = [slice(None)] * 4
        for axis, (start, end) in zip(
            spatial_axes(self.data_format, 2), self.cropping, strict=True
        ):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.data_format, 2), self.cropping, strict=True):
            if shape[axis] is not None:
                shape[axis] -= sum(pair)
                if shape[axis] <= 0:
                    raise ValueError(
                        f"Cropping2D {self.name!r}: cropping={self.cropping} removes every row or "
                        f"column of inputs of shape {tuple(input_shape)} "
                        f"(data_format={self.data_format!r})."
                    )
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
