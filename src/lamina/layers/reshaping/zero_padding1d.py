"""ZeroPadding1D: pads the steps axis with zeros."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import int_pair, spatial_axes


class ZeroPadding1D(Layer):
    """Adds zeros at the start and end of the steps axis of a 3-D input.

    Args:
        padding: an int (both sides) or a pair `(start, end)`.
        data_format: "channels_last" `(batch, steps, features)` or "channels_first"
            `(batch, features, steps)`; default the configured `image_data_format`.

    Example:
        >>> lamina.layers.ZeroPadding1D(2)(np.ones((1, 3, 4))).shape
        (1, 7, 4)
    """

    def __init__(self, padding=1, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.padding = int_pair(padding, "ZeroPadding1D", "padding")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        pad_width = [(0, 0)] * 3
        pad_width[spatial_axes(self.data_format, 1)[0]] = self.padding
        return ops.pad(inputs, pad_width)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        axis = spatial_axes(self.data_format, 1)[0]
        if shape[axis] is not None:
            shape[axis] += sum(self.padding)
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
