"""Maximum: the element-wise maximum of its inputs."""

from __future__ import annotations

from lamina import ops
from lamina.layers.merging._base_merge import Merge


class Maximum(Merge):
    """Takes the element-wise maximum of its inputs.

    Takes a list of tensors of the same shape (or shapes that broadcast) and
    returns one tensor of that shape.

    Example:
        >>> x1, x2 = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Maximum()([x1, x2])
        array([[2., 2., 2.], [2., 2., 2.]], dtype=float32)
    """

    def _merge(self, inputs: list):
        result = inputs[0]
        for x in inputs[1:]:
            result = ops.maximum(result, x)
        return result


def maximum(inputs: list, **kwargs):
    """Functional form of `Maximum`: `Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)
