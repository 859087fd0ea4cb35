"""Symbolic tensors: what `Input` returns and functional models are built from."""

from __future__ import annotations

import itertools

_uid = itertools.count()


class KerasTensor:
    """A symbolic tensor: a shape, a dtype, and the layer call that produced it.

    Functional models are graphs of `KerasTensor`s; no engine computes anything
    until the model is called on real data.
    """

    def __init__(self, shape, dtype: str = "float32", name: str | None = None, node=None, index=0):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name or f"keras_tensor_{next(_uid)}"
        # (node, index): which layer call made this tensor, and which of its outputs it is.
        self._node = node
        self._index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self):
        raise TypeError(
            f"A symbolic tensor ({self.name}, shape {self.shape}) has no truth value: it holds no "
            "data yet. Use it as a layer input, or call the model on real data."
        )

    # Python operators on symbolic tensors become op nodes, as in Keras (which
    # leaves == as identity, so tensors stay usable as dict keys).
    def _op(name, reverse=False):
        def method(self, *args):
            from lamina.ops._symbolic import symbolic_call

            operands = (args[0], self) if reverse else (self, *args)
            return symbolic_call(name, operands, {})

        return method

    __add__, __radd__ = _op("add"), _op("add", True)
    __sub__, __rsub__ = _op("subtract"), _op("subtract", True)
    __mul__, __rmul__ = _op("multiply"), _op("multiply", True)
    __truediv__, __rtruediv__ = _op("divide"), _op("divide", True)
    __floordiv__, __rfloordiv__ = _op("floor_divide"), _op("floor_divide", True)
    __mod__, __rmod__ = _op("mod"), _op("mod", True)
    __pow__, __rpow__ = _op("power"), _op("power", True)
    __matmul__, __rmatmul__ = _op("matmul"), _op("matmul", True)
    __neg__, __abs__, __round__ = _op("negative"), _op("abs"), _op("round")
    __lt__, __le__ = _op("less"), _op("less_equal")
    __gt__, __ge__ = _op("greater"), _op("greater_equal")
    __ne__ = _op("not_equal")
    __and__, __rand__ = _op("logical_and"), _op("logical_and", True)
    __or__, __ror__ = _op("logical_or"), _op("logical_or", True)
    __xor__, __rxor__ = _op("logical_xor"), _op("logical_xor", True)
    __invert__ = _op("logical_not")
    __getitem__ = _op("get_item")
    del _op

    __hash__ = object.__hash__


def is_symbolic(x) -> bool:
    return isinstance(x, KerasTensor)
