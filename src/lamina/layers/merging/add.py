"""Add: the element-wise sum of its inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Add(Merge):
    """Adds its inputs element-wise.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Add()([x1, x2])
        array([[3., 3., 3.], [3., 3., 3.]], dtype=float32)
    """

    def _merge(self, inputs: list):
        result = inputs[0]
        for x in inputs[1:]:
            result = ops.add(result, x)
        return result


def add(inputs: list, **kwargs):
    """Functional form of `Add`: `Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)
