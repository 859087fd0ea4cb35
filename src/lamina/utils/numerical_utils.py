"""Array helpers from Keras's `keras.utils`: one-hot labels and normalization."""

from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class ids.

    Args:
        x: integer class ids, any shape.
        num_classes: the number of classes; default `max(x) + 1`.

    Returns:
        A float32 array of shape `x.shape + (num_classes,)` (a trailing axis
        of size 1 in `x` is replaced, as Keras does).

    Example:
        >>> lamina.utils.to_categorical([0, 2], 3)
        array([[1., 0., 0.], [0., 0., 1.]], dtype=float32)
    """
    array = np.asarray(x)
    if array.dtype.kind == "f":
        if not np.all(np.equal(np.mod(array, 1), 0)):
            raise ValueError(
                f"to_categorical() needs integer class ids; got non-integer values in {array!r}."
            )
    elif array.dtype.kind not in "iub":
        raise ValueError(f"to_categorical() needs integer class ids; got dtype {array.dtype}.")
    array = array.astype("int64")
    if array.ndim > 1 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.size and array.min() < 0:
        raise ValueError(
            f"to_categorical() got a negative class id ({array.min()}); ids must be >= 0."
        )
    if num_classes is None:
        num_classes = int(array.max()) + 1 if array.size else 0
    elif array.size and array.max() >= num_classes:
        raise ValueError(
            f"to_categorical() got class id {int(array.max())}, but num_classes={num_classes} "
            f"allows ids 0..{num_classes - 1}. Raise num_classes or fix the labels."
        )
    result = np.zeros(array.shape + (num_classes,), dtype="float32")
    np.put_along_axis(result, array[..., None], 1.0, axis=-1)
    return result


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale `x` to unit `order`-norm along `axis` (zero rows stay zero)."""
    array = np.asarray(x, dtype="float64" if np.asarray(x).dtype == np.float64 else "float32")
    norm = np.linalg.norm(array, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return array / norm
