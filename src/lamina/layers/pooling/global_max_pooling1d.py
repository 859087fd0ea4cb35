"""GlobalMaxPooling1D: maximum over all spatial positions of sequences."""

from __future__ import annotations

from lamina import ops
from lamina.layers.pooling._base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling over sequences: the maximum over steps for each channel.

    Args:
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.
        keepdims: False gives `(batch, channels)`; True keeps the spatial
            dimensions with size 1.

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling1D()
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(rank=1, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


GlobalMaxPool1D = GlobalMaxPooling1D
