"""Activation: applies an activation function."""

from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: an activation name (e.g. "relu") or a callable.

    Example:
        >>> lamina.layers.Activation("relu")(np.array([-1.0, 2.0]))
        array([0., 2.], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
