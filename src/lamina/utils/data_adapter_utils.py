"""Packing and unpacking `(x, y, sample_weight)` batches, as `fit` reads them."""

from __future__ import annotations


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch a dataset yields for `x`, `y` and `sample_weight`.

    `x` alone (a tuple `(x,)` when `x` is itself a list or tuple, so it is not
    read as `(x, y)`), `(x, y)`, or `(x, y, sample_weight)`.

    Args:
        x: the inputs.
        y: the targets, or None.
        sample_weight: the sample weights, or None (ignored without `y`).

    Example:
        >>> lamina.utils.pack_x_y_sample_weight([1, 2])
        ([1, 2],)
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """`(x, y, sample_weight)` from a batch: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Args:
        data: a batch; a list is read as a tuple.

    Returns:
        A 3-tuple with None for what the batch lacks.

    Example:
        >>> lamina.utils.unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if 1 <= len(data) <= 3:
        return (*data, *(None,) * (3 - len(data)))
    raise ValueError(
        "A batch must be x, (x,), (x, y) or (x, y, sample_weight); got a tuple of "
        f"{len(data)} items: {data!r:.200}"
    )
