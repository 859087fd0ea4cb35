"""GlobalMaxPooling1D: maximum over all spatial positions of sequences."""

from __future__ import annotations

import numpy as np

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

    Call arguments:
        inputs: a 3-D tensor.
        mask: an optional `(batch, steps)` boolean tensor; masked steps are
            left out of the maximum. (Keras 3 ignores the mask here; lamina
            honours it, as GlobalAveragePooling1D does.)

    Example:
        >>> layer = lamina.layers.GlobalMaxPooling1D()
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(rank=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            # Masked steps never win the maximum: they become the dtype's lowest value.
            channel_axis = 2 if self.data_format == "channels_last" else 1
            keep = ops.expand_dims(ops.cast(mask, "bool"), channel_axis)
            lowest = ops.full_like(inputs, np.finfo(np.dtype(ops.dtype(inputs))).min)
            inputs = ops.where(keep, inputs, lowest)
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


GlobalMaxPool1D = GlobalMaxPooling1D
