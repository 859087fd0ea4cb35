"""AveragePooling1D: average pooling over sequences."""

from __future__ import annotations

from lamina.layers.pooling._base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over sequences: each output is the mean of a window.

    Args:
        pool_size: an int or a tuple of one int, the size of the window.
        strides: an int or a tuple of one int, or None for `pool_size` (windows do not overlap).
        padding: "valid" (windows stay inside the input) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
            With "same", border windows average over the real cells only.
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.AveragePooling1D(2)
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 5, 3)
    """

    pool_mode = "average"

    def __init__(
        self,
        pool_size,
        strides=None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(
            rank=1,
            pool_size=pool_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )


AvgPool1D = AveragePooling1D
