"""SpatialDropout3D: drops whole feature volumes."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.regularization.dropout import Dropout


class SpatialDropout3D(Dropout):
    """Dropout of whole feature volumes of a 5-D input: each channel of each
    sample is kept or zeroed for every voxel at once, and the kept ones scaled
    by `1 / (1 - rate)`. Identity at inference.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        data_format: "channels_last" `(batch, dim1, dim2, dim3, channels)` or
            "channels_first" `(batch, channels, dim1, dim2, dim3)`; default the
            configured `image_data_format`.
        seed: an int for reproducible masks.

    Example:
        >>> layer = lamina.layers.SpatialDropout3D(0.5, seed=0)
        >>> layer(np.ones((2, 3, 3, 3, 4)), training=True).shape
        (2, 3, 3, 3, 4)
    """

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(rate=rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def _noise_shape(self, inputs):
        shape = ops.shape(inputs)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1, 1)
        return (shape[0], 1, 1, 1, shape[4])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        config["data_format"] = self.data_format
        return config
