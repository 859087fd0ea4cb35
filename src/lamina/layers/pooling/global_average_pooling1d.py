"""GlobalAveragePooling1D: average over all spatial positions of sequences."""

from __future__ import annotations

from lamina import ops
from lamina.layers.pooling._base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling over sequences: the mean over steps for each channel.

    Args:
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.
        keepdims: False gives `(batch, channels)`; True keeps the spatial
            dimensions with size 1.

    Call arguments:
        inputs: a 3-D tensor.
        mask: an optional `(batch, steps)` boolean tensor; masked steps are
            left out of the average.

    Example:
        >>> layer = lamina.layers.GlobalAveragePooling1D()
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 3)
    """

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(rank=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = self.spatial_axes[0]
        if mask is None:
            return ops.mean(inputs, axis=steps_axis, keepdims=self.keepdims)
        # Average over the unmasked steps only: masked steps add nothing to
        # the sum and are not counted.
        channel_axis = 2 if self.data_format == "channels_last" else 1
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), channel_axis)
        total = ops.sum(ops.multiply(inputs, weights), axis=steps_axis, keepdims=self.keepdims)
        count = ops.sum(weights, axis=steps_axis, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, mask=None):
        return None


GlobalAvgPool1D = GlobalAveragePooling1D
