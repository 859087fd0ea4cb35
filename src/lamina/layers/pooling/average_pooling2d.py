"""AveragePooling2D: average pooling over images."""

from __future__ import annotations

from lamina.layers.pooling._base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Average pooling over images: each output is the mean of a window.

    Args:
        pool_size: an int or a tuple of 2 ints, the size of the window.
        strides: an int or a tuple of 2 ints, or None for `pool_size` (windows do not overlap).
        padding: "valid" (windows stay inside the input) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
            With "same", border windows average over the real cells only.
        data_format: "channels_last" (inputs `(batch, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, height, width)`); None uses
            the configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.AveragePooling2D((2, 2))
        >>> layer(np.ones((4, 28, 28, 3))).shape
        (4, 14, 14, 3)
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
            rank=2,
            pool_size=pool_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )


AvgPool2D = AveragePooling2D
