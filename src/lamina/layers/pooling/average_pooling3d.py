"""AveragePooling3D: average pooling over volumes."""

from __future__ import annotations

from lamina.layers.pooling._base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """Average pooling over volumes: each output is the mean of a window.

    Args:
        pool_size: an int or a tuple of 3 ints, the size of the window.
        strides: an int or a tuple of 3 ints, or None for `pool_size` (windows do not overlap).
        padding: "valid" (windows stay inside the input) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
            With "same", border windows average over the real cells only.
        data_format: "channels_last" (inputs `(batch, depth, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, depth, height, width)`); None uses
            the configured `image_data_format`.

    Example:
        >>> layer = lamina.layers.AveragePooling3D((2, 2, 2))
        >>> layer(np.ones((2, 8, 8, 8, 3))).shape
        (2, 4, 4, 4, 3)
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
            rank=3,
            pool_size=pool_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            name=name,
            **kwargs,
        )


AvgPool3D = AveragePooling3D
