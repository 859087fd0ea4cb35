"""Initializers with fixed values: Zeros, Ones, Constant, Identity."""

from __future__ import annotations

import numpy as np

from lamina.initializers.initializer import Initializer, numpy_dtype, standardize_shape


class Zeros(Initializer):
    """Initializes with zeros.

    Example:
        >>> lamina.initializers.Zeros()((2, 3))
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.zeros(standardize_shape(shape), dtype=numpy_dtype(dtype))


class Ones(Initializer):
    """Initializes with ones.

    Example:
        >>> lamina.initializers.Ones()((2, 3))
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.ones(standardize_shape(shape), dtype=numpy_dtype(dtype))


class Constant(Initializer):
    """Initializes with a constant, broadcast to the requested shape.

    Args:
        value: a scalar, or an array broadcastable to the shape.

    Example:
        >>> lamina.initializers.Constant(3.0)((2, 2))
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = standardize_shape(shape)
        value = np.asarray(self.value, dtype=numpy_dtype(dtype))
        try:
            return np.array(np.broadcast_to(value, shape))
        except ValueError as error:
            raise ValueError(
                f"Constant initializer value of shape {value.shape} cannot be broadcast "
                f"to the requested shape {shape}."
            ) from error

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """Initializes a 2-D matrix with `gain` times the identity.

    Non-square shapes get ones on the main diagonal.

    Args:
        gain: the multiplier of the identity.

    Example:
        >>> lamina.initializers.Identity()((3, 3))
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity initializer can only be used for 2-D matrices; "
                f"got shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(numpy_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}
