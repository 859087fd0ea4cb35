"""MaxPooling1D: max pooling over sequences."""

from __future__ import annotations

from lamina.layers.pooling._base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over sequences: each output is the maximum of a window.

    Args:
        pool_size: an int or a tuple of one int, the size of the window.
        strides: an int or a tuple of one int, or None for `pool_size` (windows do not overlap).
        padding: "valid" (windows stay inside the input) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.MaxPooling1D()
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 5, 3)
    """

    pool_mode = "max"

    def __init__(
        self,
        pool_size=2,
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


MaxPool1D = MaxPooling1D
