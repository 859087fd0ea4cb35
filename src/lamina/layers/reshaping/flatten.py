"""Flatten: collapses every axis but the batch axis."""

from __future__ import annotations

import math

from lamina import ops
from lamina.config import standardize_data_format
from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Flatten(Layer):
    """Flattens each sample to one axis: `(batch, ...)` -> `(batch, prod(...))`.

    Args:
        data_format: "channels_last" or "channels_first"; with channels_first the
            channel axis is moved last before flattening, so a model gives the
            same features order in both layouts (as Keras does). Default: the
            configured `image_data_format`.

    Example:
        >>> lamina.layers.Flatten()(np.zeros((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = len(static_shape(inputs))
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        features = self.compute_output_shape(static_shape(inputs))[1]
        if features is None:
            return ops.reshape(inputs, (ops.shape(inputs)[0], -1))
        return ops.reshape(inputs, (-1, features))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) == 1:
            return (input_shape[0], 1)
        rest = input_shape[1:]
        features = None if None in rest else math.prod(rest)
        return (input_shape[0], features)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
