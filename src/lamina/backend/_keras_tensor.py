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

    # Python operators on symbolic tensors become layer calls, as in Keras.
    def _op(name, reverse=False):
        def method(self, *args):
            from lamina.layers.core.lambda_layer import _symbolic_op

            return _symbolic_op(name, self, *args, reverse=reverse)

        return method

    __add__, __radd__ = _op("add"), _op("add", True)
    __sub__, __rsub__ = _op("subtract"), _op("subtract", True)
    __mul__, __rmul__ = _op("multiply"), _op("multiply", True)
    __truediv__, __rtruediv__ = _op("divide"), _op("divide", True)
    __matmul__ = _op("matmul")
    __neg__ = _op("negative")
    __pow__ = _op("power")
    __getitem__ = _op("_getitem")
    del _op

    __hash__ = object.__hash__


def is_symbolic(x) -> bool:
    return isinstance(x, KerasTensor)
