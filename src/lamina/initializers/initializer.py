"""The Initializer base class."""

from __future__ import annotations

import numpy as np


class Initializer:
    """Base class of weight initializers.

    An initializer is called with a shape and a dtype and returns the initial
    value as a NumPy array. lamina draws initial values on the host with NumPy,
    so the same seed gives the same weights on every engine.

    Subclasses implement `__call__(shape, dtype=None)` and, when they take
    arguments, `get_config()`.

    Example:
        >>> class Halves(lamina.initializers.Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 0.5, dtype=dtype or "float32")
    """

    def __call__(self, shape, dtype=None) -> np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __call__(shape, dtype=None)."
        )

    def get_config(self) -> dict:
        """The constructor arguments that recreate this initializer."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)

    def clone(self) -> Initializer:
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def standardize_shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(d) for d in shape)
    except TypeError as error:
        raise ValueError(
            f"An initializer needs a fully known shape of ints; got shape={shape!r}."
        ) from error


def numpy_dtype(dtype):
    """The NumPy dtype for a lamina dtype name (None means floatx())."""
    from lamina.backend import floatx

    name = floatx() if dtype is None else dtype
    name = getattr(name, "name", name)
    if name == "bfloat16":
        try:
            import ml_dtypes

            return np.dtype(ml_dtypes.bfloat16)
        except ImportError:  # the engine casts a float32 value on conversion
            return np.dtype("float32")
    try:
        return np.dtype(name)
    except TypeError as error:
        raise ValueError(f"Unknown dtype {dtype!r}; expected a name like 'float32'.") from error


def float_dtype(dtype, who: str):
    result = numpy_dtype(dtype)
    if result.kind != "f" and result.name != "bfloat16":
        raise ValueError(
            f"{who} draws floating-point values; got dtype={result.name!r}. "
            "Use a float dtype such as 'float32'."
        )
    return result
