"""Shapes of tensors as layers read them, the same on every engine.

A tensor's own `.shape` is engine-specific: a tuple of ints on JAX and
PyTorch, a TensorShape on TensorFlow, a symbolic vector on PyTensor while a
step is traced. Layers read shapes through these helpers instead.
"""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend._keras_tensor import KerasTensor


def static_shape(x) -> tuple:
    """`x`'s shape: an int for each dim known now, None for a dim known only when
    the compiled step runs (a traced batch size)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    return tuple(int(d) if isinstance(d, (int, np.integer)) else None for d in ops.shape(x))


def rank(x) -> int:
    """The number of dims of `x`."""
    return len(ops.shape(x))
