"""Multiply: the element-wise product of its inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Multiply(Merge):
    """Multiplies its inputs element-wise.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Multiply()([x1, x2])
        array([[2., 2., 2.], [2., 2., 2.]], dtype=float32)
    """

    def _merge(self, inputs: list):
        result = inputs[0]
        for x in inputs[1:]:
            result = ops.multiply(result, x)
        return result


def multiply(inputs: list, **kwargs):
    """Functional form of `Multiply`: `Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)
