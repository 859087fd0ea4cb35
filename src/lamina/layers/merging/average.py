"""Average: the element-wise mean of its inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Average(Merge):
    """Averages its inputs element-wise.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Average()([x1, x2])
        array([[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]], dtype=float32)
    """

    def _merge(self, inputs: list):
        result = inputs[0]
        for x in inputs[1:]:
            result = ops.add(result, x)
        return ops.divide(result, len(inputs))


def average(inputs: list, **kwargs):
    """Functional form of `Average`: `Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)
