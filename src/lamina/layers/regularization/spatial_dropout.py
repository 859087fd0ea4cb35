"""SpatialDropout1D and SpatialDropout2D: drop whole feature maps."""

from __future__ import annotations

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers.input_spec import InputSpec
from lamina.layers.regularization.dropout import Dropout


class SpatialDropout1D(Dropout):
    """Dropout of whole channels of a `(batch, steps, channels)` input: each
    channel is kept or zeroed for all steps at once. Identity at inference.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        seed: an int for reproducible masks.

    Example:
        >>> lamina.layers.SpatialDropout1D(0.5, seed=0)(np.ones((2, 5, 4)), training=True)
    """

    def __init__(self, rate: float, seed: int | None = None, name=None, dtype=None, **kwargs):
        super().__init__(rate=rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        shape = ops.shape(inputs)
        return (shape[0], 1, shape[2])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        return config


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps of a 4-D input: each channel is kept or
    zeroed for every pixel at once. Identity at inference.

    Args:
        rate: the fraction of channels to drop, in [0, 1].
        data_format: "channels_last" or "channels_first"; default the configured
            `image_data_format`.
        seed: an int for reproducible masks.

    Example:
        >>> lamina.layers.SpatialDropout2D(0.5, seed=0)(np.ones((2, 4, 4, 3)), training=True)
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
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        shape = ops.shape(inputs)
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1)
        return (shape[0], 1, 1, shape[3])

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("noise_shape")
        config["data_format"] = self.data_format
        return config
