"""Weight regularizers: penalties added to the loss."""

from __future__ import annotations

import math

from lamina import ops


def _tensor(x):
    from lamina.backend._variable import Variable

    if isinstance(x, Variable):
        return x.value
    return ops.convert_to_tensor(x)


def _non_negative_float(value, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or math.isinf(value)
        or value < 0
    ):
        raise ValueError(f"`{name}` must be a non-negative float; got {name}={value!r}.")
    return float(value)


def l2_normalize(x, axis: int = -1):
    """`x` divided by its L2 norm along `axis` (zero vectors stay zero), as Keras computes it."""
    from lamina.backend import epsilon

    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    dtype = ops.dtype(x)
    inverse = ops.minimum(
        ops.divide(ops.cast(1.0, dtype), ops.sqrt(squares)), ops.cast(1.0 / epsilon(), dtype)
    )
    return ops.multiply(x, inverse)


class Regularizer:
    """Base class of regularizers: `regularizer(weight)` returns a scalar penalty.

    Example:
        >>> class L0Half(lamina.regularizers.Regularizer):
        ...     def __call__(self, x):
        ...         return 0.5 * lamina.ops.sum(lamina.ops.sqrt(lamina.ops.abs(x)))
    """

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config().")

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x ** 2)`.

    Args:
        l1: the L1 factor (default 0).
        l2: the L2 factor (default 0).

    Example:
        >>> lamina.regularizers.L1L2(l1=1e-5, l2=1e-4)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _non_negative_float(0.0 if l1 is None else l1, "l1")
        self.l2 = _non_negative_float(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = _tensor(x)
        dtype = ops.dtype(x)
        penalty = ops.convert_to_tensor(0.0, dtype=dtype)
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(ops.cast(self.l1, dtype), ops.sum(ops.abs(x))))
        if self.l2:
            penalty = ops.add(
                penalty, ops.multiply(ops.cast(self.l2, dtype), ops.sum(ops.square(x)))
            )
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: the factor (default 0.01).

    Example:
        >>> lamina.layers.Dense(3, kernel_regularizer=lamina.regularizers.L1(1e-4))
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _non_negative_float(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        x = _tensor(x)
        return ops.multiply(ops.cast(self.l1, ops.dtype(x)), ops.sum(ops.abs(x)))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x ** 2)`.

    Args:
        l2: the factor (default 0.01).

    Example:
        >>> lamina.layers.Dense(3, kernel_regularizer=lamina.regularizers.L2(1e-4))
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = _non_negative_float(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = _tensor(x)
        return ops.multiply(ops.cast(self.l2, ops.dtype(x)), ops.sum(ops.square(x)))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthogonality.

    The penalty is `factor * 0.5 * mean(|cos|)` over the pairs of distinct
    rows (or columns), after normalizing each to unit length.

    Args:
        factor: the factor (default 0.01).
        mode: "rows" or "columns".

    Example:
        >>> lamina.regularizers.OrthogonalRegularizer(factor=0.01, mode="rows")
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _non_negative_float(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f"`mode` must be 'rows' or 'columns'; got mode={mode!r}.")
        self.mode = mode

    def __call__(self, x):
        x = _tensor(x)
        shape = ops.shape(x)
        if len(shape) != 2:
            raise ValueError(
                f"OrthogonalRegularizer needs a weight of rank 2; got shape {tuple(shape)}."
            )
        dtype = ops.dtype(x)
        if self.mode == "rows":
            x = l2_normalize(x, axis=1)
            product, size = ops.matmul(x, ops.transpose(x)), shape[0]
        else:
            x = l2_normalize(x, axis=0)
            product, size = ops.matmul(ops.transpose(x), x), shape[1]
        eye = ops.eye(size, dtype=dtype)
        off_diagonal = ops.multiply(product, ops.subtract(ops.ones_like(eye), eye))
        pairs = size * (size - 1.0) / 2.0
        return ops.multiply(
            ops.sum(ops.abs(off_diagonal)), ops.cast(self.factor * 0.5 / pairs, dtype)
        )

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}
