"""Reshape: gives each sample a new shape."""

from __future__ import annotations

import math

from lamina import ops
from lamina.layers._shapes import static_shape
from lamina.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: the new shape of one sample; one entry may be -1, which is
            inferred from the input's size.

    Example:
        >>> lamina.layers.Reshape((3, -1))(np.zeros((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1 or any(d < -1 or d == 0 for d in target_shape):
            raise ValueError(
                f"Reshape: target_shape must hold positive sizes and at most one -1; "
                f"got target_shape={target_shape}."
            )
        self.target_shape = target_shape

    def _resolved_shape(self, input_shape) -> tuple:
        """`target_shape` with its -1 replaced when the input's sample size is known."""
        if -1 not in self.target_shape:
            size = math.prod(self.target_shape)
        else:
            size = None
        sample = tuple(input_shape)[1:]
        if None in sample:
            return self.target_shape
        total = math.prod(sample)
        known = math.prod(d for d in self.target_shape if d != -1)
        if (size is not None and size != total) or (size is None and total % known):
            raise ValueError(
                f"Reshape {self.name!r} cannot reshape inputs of shape {tuple(input_shape)} "
                f"({total} values per sample) to target_shape={self.target_shape}."
            )
        return tuple(total // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs):
        shape = self._resolved_shape(static_shape(inputs))
        if -1 in shape:
            return ops.reshape(inputs, (ops.shape(inputs)[0], *shape))
        return ops.reshape(inputs, (-1, *shape))

    def compute_output_shape(self, input_shape) -> tuple:
        shape = self._resolved_shape(input_shape)
        return (tuple(input_shape)[0], *(None if d == -1 else d for d in shape))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config
