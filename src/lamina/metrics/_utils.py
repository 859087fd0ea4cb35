"""Shape and arithmetic helpers shared by the metrics."""

from __future__ import annotations

from lamina import ops


def static_shape(x) -> tuple:
    return tuple(ops.shape(x))


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Makes ranks equal when they differ by one trailing dimension of size 1, as Keras does."""
    shape1, shape2 = static_shape(x1), static_shape(x2)
    rank1, rank2 = len(shape1), len(shape2)
    if rank1 == rank2 + 1 and shape1[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    if rank2 == rank1 + 1 and shape2[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(x, y):
    """`x / y`, and 0 where `y` is 0."""
    zero = ops.equal(y, 0)
    safe = ops.where(zero, ops.ones_like(y), y)
    return ops.where(zero, ops.zeros_like(ops.divide(x, safe)), ops.divide(x, safe))
