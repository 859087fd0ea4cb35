"""Rescaling: `x * scale + offset`, e.g. pixels from [0, 255] to [0, 1]."""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer


class Rescaling(Layer):
    """Multiplies its input by `scale` and adds `offset`, in the layer's dtype.

    Args:
        scale: a number, or one number per channel (a list or array).
        offset: a number, or one per channel.

    A per-channel scale applies to the last axis with channels_last images
    and to axis 1 (of a `(batch, channels, h, w)` input) with
    channels_first, following `image_data_format`.

    Example:
        >>> lamina.layers.Rescaling(1 / 255)(np.array([0.0, 51.0, 255.0]))
        array([0. , 0.2, 1. ], dtype=float32)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.compute_dtype
        scale = ops.cast(self.scale, dtype)
        offset = ops.cast(self.offset, dtype)
        scale_rank = len(ops.shape(scale))
        if scale_rank > 0 and _config.image_data_format() == "channels_first":
            scale = ops.reshape(scale, tuple(ops.shape(scale)) + (1,) * (3 - scale_rank))
        return ops.add(ops.multiply(ops.cast(inputs, dtype), scale), offset)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        from lamina.saving.serialization import serialize_keras_object

        config = super().get_config()
        config["scale"] = serialize_keras_object(self.scale)
        config["offset"] = serialize_keras_object(self.offset)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Rescaling:
        from lamina.saving.serialization import deserialize_keras_object

        config = dict(config)
        for key in ("scale", "offset"):
            value = config.get(key)
            if isinstance(value, dict):
                config[key] = np.asarray(deserialize_keras_object(value, custom_objects))
        return cls(**config)
