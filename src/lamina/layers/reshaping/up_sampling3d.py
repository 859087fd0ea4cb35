"""UpSampling3D: enlarges volumes by integer factors."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import positive_ints, spatial_axes


class UpSampling3D(Layer):
    """Enlarges each volume of a 5-D input by repeating its voxels `size`
    times along each of the three spatial dims.

    Args:
        size: an int or three ints, the factors for the three spatial dims.
        data_format: "channels_last" `(batch, dim1, dim2, dim3, channels)` or
            "channels_first" `(batch, channels, dim1, dim2, dim3)`; default the
            configured `image_data_format`.

    Example:
        >>> lamina.layers.UpSampling3D((1, 2, 3))(np.ones((1, 2, 2, 2, 1))).shape
        (1, 2, 4, 6, 1)
    """

    def __init__(self, size=(2, 2, 2), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_ints(size, 3, "UpSampling3D", "size")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size, strict=True):
            inputs = ops.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
