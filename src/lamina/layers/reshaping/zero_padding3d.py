"""ZeroPadding3D: pads the three spatial dims of volumes with zeros."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._triples import pairs_3d
from lamina.layers.reshaping._utils import spatial_axes


class ZeroPadding3D(Layer):
    """Adds zeros before and after each of the three spatial dims of a 5-D input.

    Args:
        padding: an int (every side), three ints (symmetric, one per spatial
            dim) or three pairs `((start1, end1), (start2, end2), (start3, end3))`.
        data_format: "channels_last" `(batch, dim1, dim2, dim3, channels)` or
            "channels_first" `(batch, channels, dim1, dim2, dim3)`; default the
            configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.ZeroPadding3D(((1, 0), 2, (0, 0)))
        >>> layer(np.ones((1, 3, 3, 3, 1))).shape
        (1, 4, 7, 3, 1)
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.padding = pairs_3d(padding, "ZeroPadding3D", "padding")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        pad_width = [(0, 0)] * 5
        for axis, pair in zip(spatial_axes(self.data_format, 3), self.padding, strict=True):
            pad_width[axis] = pair
        return ops.pad(inputs, pad_width)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.data_format, 3), self.padding, strict=True):
            if shape[axis] is not None:
                shape[axis] += sum(pair)
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
