"""linalg functions of the backend contract on tensorflow."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lamina import config
from lamina.backend.tensorflow.core import convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, config.floatx())


def inv(x):
    return tf.linalg.inv(_float(x))


def solve(a, b):
    a, b = _float(a), _float(b)
    # NumPy takes a right-hand side with one dim less than `a` as a vector.
    if b.shape.rank == a.shape.rank - 1:
        return tf.linalg.solve(a, b[..., None])[..., 0]
    return tf.linalg.solve(a, b)


def cholesky(x):
    return tf.linalg.cholesky(_float(x))


def det(x):
    return tf.linalg.det(_float(x))


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr mode must be 'reduced' or 'complete'; got {mode!r}.")
    return tf.linalg.qr(_float(x), full_matrices=mode == "complete")


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    # NumPy's order and convention: (u, s, vh) with vh the adjoint of v.
    return u, s, tf.linalg.adjoint(v)


# --------------------------------------------------------------------------- norm


def _vector_norm(x, ord, axis, keepdims):
    absx = tf.abs(x)
    if ord is None or ord == 2:
        return tf.sqrt(tf.reduce_sum(absx * absx, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return tf.reduce_max(absx, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return tf.reduce_min(absx, axis=axis, keepdims=keepdims)
    if ord == 0:
        return tf.reduce_sum(tf.cast(x != 0, x.dtype), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order {ord!r} for vectors.")
    return tf.reduce_sum(absx**ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _singular_values(x, axis):
    # Move the two matrix axes last: svd works on the trailing two dims.
    rank = x.shape.rank
    rest = [a for a in range(rank) if a not in axis]
    return tf.linalg.svd(tf.transpose(x, rest + list(axis)), compute_uv=False)


def _restore_dims(out, axis, keepdims):
    if not keepdims:
        return out
    for a in sorted(axis):
        out = tf.expand_dims(out, a)
    return out


def _matrix_norm(x, ord, axis, keepdims):
    row, col = axis
    if ord is None or ord == "fro":
        return tf.sqrt(tf.reduce_sum(x * x, axis=axis, keepdims=keepdims))
    if ord in ("nuc", 2, -2):
        s = _singular_values(x, axis)
        reduce = {"nuc": tf.reduce_sum, 2: tf.reduce_max, -2: tf.reduce_min}[ord]
        return _restore_dims(reduce(s, axis=-1), axis, keepdims)
    if ord in (1, -1, np.inf, -np.inf):
        # 1-norms sum down the columns, inf-norms along the rows.
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = tf.reduce_sum(tf.abs(x), axis=summed, keepdims=True)
        reduce = tf.reduce_max if ord in (1, np.inf) else tf.reduce_min
        out = reduce(sums, axis=other, keepdims=True)
        return out if keepdims else tf.squeeze(out, axis=axis)
    raise ValueError(f"Invalid norm order {ord!r} for matrices.")


def norm(x, ord=None, axis=None, keepdims=False):
    x = _float(x)
    rank = x.shape.rank
    if axis is None:
        if ord is None:
            flat = tf.sqrt(tf.reduce_sum(x * x))
            return tf.reshape(flat, [1] * rank) if keepdims else flat
        axis = tuple(range(rank))
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    axis = tuple(a % rank for a in axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis[0], keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError(f"norm takes one or two axes; got axis={axis}.")


def eigh(x):
    return tf.linalg.eigh(_float(x))
