"""Minimum: the element-wise minimum of its inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Minimum(Merge):
    """Takes the element-wise minimum of its inputs.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Minimum()([x1, x2])
        array([[1., 1., 1.], [1., 1., 1.]], dtype=float32)
    """

    def _merge(self, inputs: list):
        result = inputs[0]
        for x in inputs[1:]:
            result = ops.minimum(result, x)
        return result


def minimum(inputs: list, **kwargs):
    """Functional form of `Minimum`: `Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)
