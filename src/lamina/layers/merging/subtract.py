"""Subtract: the difference of its two inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Subtract(Merge):
    """Subtracts its second input from its first, element-wise.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Subtract()([x1, x2])
        array([[-1., -1., -1.], [-1., -1., -1.]], dtype=float32)
    """

    _min_inputs = 2
    _max_inputs = 2

    def _merge(self, inputs: list):
        return ops.subtract(inputs[0], inputs[1])


def subtract(inputs: list, **kwargs):
    """Functional form of `Subtract`: `Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)
