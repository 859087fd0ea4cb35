"""UpSampling2D: enlarges images by integer factors."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping._utils import positive_ints, spatial_axes

_INTERPOLATIONS = ("nearest", "bilinear")


def _linear_weights(size: int, factor: int) -> np.ndarray:
    """The `(size * factor, size)` matrix of linear interpolation with half-pixel
    centers and clamped edges (the convention of TensorFlow's and JAX's resize)."""
    out = np.arange(size * factor)
    source = np.clip((out + 0.5) / factor - 0.5, 0, size - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, size - 1)
    frac = source - low
    weights = np.zeros((size * factor, size), dtype="float64")
    weights[out, low] += 1 - frac
    weights[out, high] += frac
    return weights


class UpSampling2D(Layer):
    """Enlarges each image by `size = (rows_factor, cols_factor)`.

    Args:
        size: an int or a pair of ints, the factors for rows and columns.
        data_format: "channels_last" or "channels_first"; default the configured
            `image_data_format`.
        interpolation: "nearest" (repeat pixels) or "bilinear".

    Example:
        >>> lamina.layers.UpSampling2D((2, 3))(np.ones((1, 2, 2, 1))).shape
        (1, 4, 6, 1)
    """

    def __init__(
        self, size=(2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs
    ):
        super().__init__(**kwargs)
        self.size = positive_ints(size, 2, "UpSampling2D", "size")
        self.data_format = standardize_data_format(data_format)
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: interpolation must be one of {_INTERPOLATIONS} in lamina; "
                f"got interpolation={interpolation!r}."
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axes = spatial_axes(self.data_format, 2)
        if self.interpolation == "nearest":
            for axis, factor in zip(axes, self.size, strict=True):
                inputs = ops.repeat(inputs, factor, axis=axis)
            return inputs
        shape = static_shape(inputs)
        for axis, factor in zip(axes, self.size, strict=True):
            if shape[axis] is None:
                raise ValueError(
                    f"UpSampling2D {self.name!r}: bilinear interpolation needs known image sizes; "
                    f"got input shape {shape}."
                )
            weights = ops.convert_to_tensor(
                _linear_weights(shape[axis], factor), dtype=ops.dtype(inputs)
            )
            # Contract the spatial axis with the interpolation matrix; tensordot
            # puts the new axis last, so move it back into place.
            inputs = ops.moveaxis(ops.tensordot(inputs, weights, axes=[[axis], [1]]), -1, axis)
        return inputs

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.data_format, 2), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "size": self.size,
                "data_format": self.data_format,
                "interpolation": self.interpolation,
            }
        )
        return config
