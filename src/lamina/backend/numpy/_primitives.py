"""Differentiable primitives whose gradients keep the gradient's dtype.

autograd's own gradients of `where`, `maximum`/`minimum` and `max`/`min` build
float64 arrays (`zeros(shape)`, `bool / (1.0 + bool)`, `float / int64`), which
would turn a float32 backward pass into a float64 one. These do the same with
the dtype of the incoming gradient.
"""

from __future__ import annotations

import numpy as np
from autograd.extend import defvjp, primitive
from autograd.numpy.numpy_vjps import unbroadcast_f


def _zero(g):
    return np.zeros((), g.dtype)


@primitive
def select(condition, x1, x2):
    """`where(condition, x1, x2)`, differentiable in x1 and x2."""
    return np.where(condition, x1, x2)


defvjp(
    select,
    None,
    lambda ans, c, x1, x2: unbroadcast_f(x1, lambda g: select(c, g, _zero(g))),
    lambda ans, c, x1, x2: unbroadcast_f(x2, lambda g: select(c, _zero(g), g)),
)


def _share(x, ans, y, dtype):
    """1 where x is the result alone, 1/2 where x and y tie, 0 elsewhere."""
    return ((x == ans) / (1.0 + (x == y))).astype(dtype)


@primitive
def maximum(x, y):
    return np.maximum(x, y)


@primitive
def minimum(x, y):
    return np.minimum(x, y)


for _fn in (maximum, minimum):
    defvjp(
        _fn,
        lambda ans, x, y: unbroadcast_f(x, lambda g: g * _share(x, ans, y, g.dtype)),
        lambda ans, x, y: unbroadcast_f(y, lambda g: g * _share(y, ans, x, g.dtype)),
    )


def _kept(value, ndim: int, axis):
    """`value` reduced over `axis` without keepdims, reshaped as with keepdims."""
    if axis is None:
        return np.reshape(value, (1,) * ndim)
    axes = sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))
    shape = list(np.shape(value))
    for a in axes:
        shape.insert(a, 1)
    return np.reshape(value, shape)


@primitive
def reduce_max(x, axis=None, keepdims=False):
    return np.max(x, axis=axis, keepdims=keepdims)


@primitive
def reduce_min(x, axis=None, keepdims=False):
    return np.min(x, axis=axis, keepdims=keepdims)


def _chooser_vjp(ans, x, axis=None, keepdims=False):
    """The gradient goes to the cells equal to the result, shared equally among ties."""
    chosen = x == (ans if keepdims else _kept(ans, x.ndim, axis))
    share = chosen / np.sum(chosen, axis=axis, keepdims=True)

    def vjp(g):
        g = g if keepdims else g.reshape(np.shape(_kept(ans, x.ndim, axis)))
        return g * share.astype(g.dtype)

    return vjp


defvjp(reduce_max, _chooser_vjp)
defvjp(reduce_min, _chooser_vjp)


@primitive
def first_max(x, axis):
    """Max over one axis whose gradient goes to the first maximum alone.

    Max pooling routes each window's gradient this way on every engine
    (TensorFlow's and torch's kernels, XLA's select-and-scatter).
    """
    return np.max(x, axis=axis)


def _first_max_vjp(ans, x, axis):
    first = np.expand_dims(np.argmax(x, axis=axis), axis)
    chosen = np.arange(x.shape[axis]).reshape(
        [-1 if a == axis % x.ndim else 1 for a in range(x.ndim)]
    )
    chosen = chosen == first

    def vjp(g):
        return np.expand_dims(g, axis) * chosen.astype(g.dtype)

    return vjp


defvjp(first_max, _first_max_vjp)
