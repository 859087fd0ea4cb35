"""GlobalMaxPooling2D: maximum over all spatial positions of images."""

from __future__ import annotations

from lamina import ops
from lamina.layers.pooling._base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling over images: the maximum over height, width for each channel.

    Args:
        data_format: "channels_last" (inputs `(batch, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, height, width)`); None uses
            the configured `image_data_format`.
        keepdims: False gives `(batch, channels)`; True keeps the spatial
            dimensions with size 1.

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling2D()
        >>> layer(np.ones((4, 28, 28, 3))).shape
        (4, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(rank=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


GlobalMaxPool2D = GlobalMaxPooling2D
