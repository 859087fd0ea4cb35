"""Weight constraints: projections applied to a weight after each optimizer update."""

from __future__ import annotations

from lamina import ops


def _tensor(w):
    from lamina.backend._variable import Variable

    if isinstance(w, Variable):
        return w.value
    return ops.convert_to_tensor(w)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _epsilon(dtype):
    from lamina.backend import epsilon

    return ops.cast(epsilon(), dtype)


class Constraint:
    """Base class of constraints: `constraint(w)` returns the projected weight.

    Example:
        >>> class Clip(lamina.constraints.Constraint):
        ...     def __call__(self, w):
        ...         return lamina.ops.clip(w, -1.0, 1.0)
    """

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`.

    Args:
        max_value: the largest norm allowed.
        axis: the axis (or axes) along which norms are computed; 0 for a Dense
            kernel `(in, out)` constrains each unit's incoming weights.

    Example:
        >>> lamina.layers.Dense(3, kernel_constraint=lamina.constraints.MaxNorm(2.0))
    """

    def __init__(self, max_value: float = 2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        dtype = ops.dtype(w)
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, ops.cast(0.0, dtype), ops.cast(self.max_value, dtype))
        return ops.multiply(w, ops.divide(desired, ops.add(_epsilon(dtype), norms)))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves the norm along `axis` into `[min_value, max_value]`, at `rate`.

    Args:
        min_value: the smallest norm allowed.
        max_value: the largest norm allowed.
        rate: 1.0 projects at once; smaller values move part of the way.
        axis: the axis (or axes) along which norms are computed.

    Example:
        >>> lamina.constraints.MinMaxNorm(0.5, 1.0)
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        dtype = ops.dtype(w)
        norms = _norms(w, self.axis)
        clipped = ops.clip(norms, ops.cast(self.min_value, dtype), ops.cast(self.max_value, dtype))
        desired = ops.add(
            ops.multiply(ops.cast(self.rate, dtype), clipped),
            ops.multiply(ops.cast(1.0 - self.rate, dtype), norms),
        )
        return ops.multiply(w, ops.divide(desired, ops.add(_epsilon(dtype), norms)))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Sets negative weights to zero.

    Example:
        >>> lamina.layers.Dense(3, kernel_constraint="non_neg")
    """

    def __call__(self, w):
        w = _tensor(w)
        return ops.maximum(w, ops.zeros_like(w))


class UnitNorm(Constraint):
    """Scales weights to unit norm along `axis`.

    Args:
        axis: the axis (or axes) along which norms are computed.

    Example:
        >>> lamina.constraints.UnitNorm(axis=0)
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        norms = _norms(w, self.axis)
        return ops.divide(w, ops.add(_epsilon(ops.dtype(w)), norms))

    def get_config(self) -> dict:
        return {"axis": self.axis}
