"""GlobalMaxPooling3D: maximum over all spatial positions of volumes."""

from __future__ import annotations

from lamina import ops
from lamina.layers.pooling._base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global max pooling over volumes: the maximum over depth, height, width for each channel.

    Args:
        data_format: "channels_last" (inputs `(batch, depth, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, depth, height, width)`); None uses
            the configured `image_data_format`.
        keepdims: False gives `(batch, channels)`; True keeps the spatial
            dimensions with size 1.

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling3D()
        >>> layer(np.ones((2, 8, 8, 8, 3))).shape
        (2, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(rank=3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


GlobalMaxPool3D = GlobalMaxPooling3D
