"""Cropping3D: removes slices at the borders of volumes."""

from __future__ import annotations

from lamina.config import standardize_data_format
from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._triples import pairs_3d
from lamina.layers.reshaping._utils import spatial_axes


class Cropping3D(Layer):
    """Removes slices at the start and end of each of the three spatial dims of
    a 5-D input.

    Args:
        cropping: an int (every side), three ints (symmetric, one per spatial
            dim) or three pairs `((start1, end1), (start2, end2), (start3, end3))`.
        data_format: "channels_last" `(batch, dim1, dim2, dim3, channels)` or
            "channels_first" `(batch, channels, dim1, dim2, dim3)`; default the
            configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.Cropping3D(((1, 0), 2, (0, 0)))
        >>> layer(np.ones((1, 5, 5, 5, 1))).shape
        (1, 4, 1, 5, 1)
    """

    def __init__(
        self, cropping=((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.cropping = pairs_3d(cropping, "Cropping3D", "cropping")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        self.compute_output_shape(static_shape(inputs))  # raises when too small
        index = [slice(None)] * 5
        for axis, (start, end) in zip(
            spatial_axes(self.data_format, 3), self.cropping, strict=True
        ):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.data_format, 3), self.cropping, strict=True):
            if shape[axis] is not None:
                shape[axis] -= sum(pair)
                if shape[axis] <= 0:
                    raise ValueError(
                        f"Cropping3D {self.name!r}: cropping={self.cropping} removes every slice "
                        f"of a spatial dim of inputs of shape {tuple(input_shape)} "
                        f"(data_format={self.data_format!r}). Crop less than each dim's size."
                    )
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
