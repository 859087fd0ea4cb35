"""ZeroPadding2D: pads the rows and columns of images with zeros."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import pairs_2d, spatial_axes


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around each image of a 4-D input.

    Args:
        padding: an int (all sides), a pair `(height, width)` of symmetric
            paddings, or `((top, bottom), (left, right))`.
        data_format: "channels_last" `(batch, rows, cols, channels)` or
            "channels_first" `(batch, channels, rows, cols)`; default the
            configured `image_data_format`.

    Example:
        >>> lamina.layers.ZeroPadding2D(((1, 0), (2, 2)))(np.ones((1, 3, 3, 1))).shape
        (1, 4, 7, 1)
    """

    def __init__(self, padding=(1, 1), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.padding = pairs_2d(padding, "ZeroPadding2D", "padding")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        pad_width = [(0, 0)] * 4
        for axis, pair in zip(spatial_axes(self.data_format, 2), self.padding, strict=True):
            pad_width[axis] = pair
        return ops.pad(inputs, pad_width)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.data_format, 2), self.padding, strict=True):
            if shape[axis] is not None:
                shape[axis] += sum(pair)
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
