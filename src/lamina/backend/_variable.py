"""Variables and stateless scopes, the same on every engine.

A `Variable` holds an engine tensor. Layers read it with `variable.value` and
change it with `assign`. The trainer runs layers *statelessly*: inside a
`StatelessScope`, reads return the values the scope was given (possibly the
engine's symbolic values while tracing) and assignments are recorded in the
scope instead of touching the variable. That is how one training step, written
once, becomes a pure function `step(state, batch) -> (state, logs)` that any
engine can compile.

In-place updates. An engine may update optimizer state in place (see the
optional `optimizers` module of the backend contract), which is safe only for
a buffer that nothing outside lamina's step can see. Two things establish
that: the scope's caller donates its values (`StatelessScope(donate=True)`,
which only the trainer's step does), and the variable's buffer is *exclusive*:
made by such an update and not handed out since. Every read of `value`
outside a scope that knows the variable, and every `assign` outside a scope,
ends the exclusivity, so a tensor user code holds is never changed behind its
back.
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Iterable

import numpy as np

_scope: contextvars.ContextVar[StatelessScope | None] = contextvars.ContextVar(
    "lamina_stateless_scope", default=None
)
_uid = itertools.count()
# The dtype float variables read as inside a layer's call under a mixed
# policy (None: as they are). Set by `Layer.__call__`, read by `value`.
_autocast: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "lamina_autocast", default=None
)


_selected_engine = None


def _engine():
    # Imported on first use: lamina.backend imports this module before it selects the engine.
    global _selected_engine
    if _selected_engine is None:
        from lamina.backend import engine

        _selected_engine = engine
    return _selected_engine


def _standardize_dtype(dtype) -> str:
    from lamina.backend import floatx

    if dtype is None:
        return floatx()
    if isinstance(dtype, str):
        return dtype
    return np.dtype(getattr(dtype, "name", dtype)).name


class StatelessScope:
    """Reads variables from `state` and records assignments instead of applying them.

    Args:
        state: pairs `(variable, value)` giving the values variables read as.
        collect: whether to record assignments (True) or ignore them.
        donate: whether the caller gives up the values in `state`, so that an
            update may overwrite their buffers in place where the variable's
            buffer is also exclusive (`Variable._exclusive`). The
            trainer's step donates its state; the default is False.
    """

    def __init__(self, state: Iterable = (), collect: bool = True, donate: bool = False):
        self._values = {}
        for variable, value in state:
            if not isinstance(variable, Variable):
                raise TypeError(
                    f"StatelessScope state must pair Variables with values; got {variable!r}."
                )
            self._values[variable._uid] = value
        self._collect = collect
        self.donate = bool(donate)
        self._token = None

    def __enter__(self) -> StatelessScope:
        self._token = _scope.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _scope.reset(self._token)

    def get(self, variable: Variable):
        """The value `variable` has inside this scope (None when the scope does not know it)."""
        return self._values.get(variable._uid)

    def set(self, variable: Variable, value) -> None:
        if self._collect:
            self._values[variable._uid] = value

    def value_of(self, variable: Variable):
        """The current value inside this scope, falling back to the variable's own."""
        value = self._values.get(variable._uid)
        return variable._value if value is None else value


def current_scope() -> StatelessScope | None:
    return _scope.get()


class Variable:
    """A named, mutable tensor: the weights of layers, optimizers and metrics.

    Args:
        initializer: an initial value (array-like) or a callable
            `initializer(shape, dtype)` returning one.
        shape: the shape, required when `initializer` is callable.
        dtype: the dtype name; defaults to `floatx()`.
        trainable: whether the optimizer updates this variable.
        name: a name, unique within its layer.

    Example:
        >>> v = lamina.Variable(np.zeros((2, 3)), name="kernel")
        >>> v.assign(v + 1.0)
    """

    def __init__(
        self,
        initializer,
        shape: tuple | None = None,
        dtype=None,
        trainable: bool = True,
        name: str | None = None,
        regularizer=None,
        constraint=None,
        autocast: bool = True,
    ):
        self._uid = next(_uid)
        # Whether a layer under a mixed policy reads it in its compute dtype.
        self.autocast = bool(autocast)
        self.name = name or f"variable_{self._uid}"
        self.path = self.name
        self.trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint
        # A layer may be built while the engine traces a call (a sublayer built
        # lazily inside a custom layer's call, in a functional model): the value
        # is made eagerly all the same, never as a trace's symbolic tensor.
        with _engine().core._eager_scope():
            if callable(initializer):
                if shape is None:
                    raise ValueError(
                        f"Variable {self.name!r}: a callable initializer needs a shape; "
                        "got shape=None."
                    )
                dtype = _standardize_dtype(dtype)
                value = initializer(tuple(shape), dtype=dtype)
            else:
                value = initializer
                if dtype is None and hasattr(value, "dtype"):
                    dtype = _standardize_dtype(value.dtype)
                dtype = _standardize_dtype(dtype)
            self._value = _engine().core.convert_to_tensor(value, dtype=dtype)
        # The buffer an in-place update may overwrite: set by the optimizers'
        # fused updates to the buffers they make, cleared when handed out.
        self._exclusive = None
        self._dtype = dtype
        self._shape = tuple(_engine().core.shape(self._value))
        if shape is not None and tuple(shape) != self._shape:
            raise ValueError(
                f"Variable {self.name!r}: initial value has shape {self._shape}, "
                f"expected {tuple(shape)}."
            )

    # -- reading
    @property
    def value(self):
        """The current value; inside a layer's call under a mixed policy, a float
        variable reads as the layer's compute dtype (Keras's autocasting)."""
        scope = _scope.get()
        if scope is not None:
            value = scope.get(self)
            if value is not None:
                return self._autocast_value(value)
        # Handed out: from now on the caller may hold this buffer.
        self._exclusive = None
        return self._autocast_value(self._value)

    def _autocast_value(self, value):
        dtype = _autocast.get()
        if dtype is None or not self.autocast or dtype == self._dtype:
            return value
        if "float" not in self._dtype:
            return value
        return _engine().core.cast(value, dtype)

    def _peek(self):
        """The value, like `value`, for lamina's own reads that copy it or keep no reference."""
        scope = _scope.get()
        if scope is not None:
            value = scope.get(self)
            if value is not None:
                return value
        return self._value

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array of the caller's own: later updates never show through it."""
        value = self._peek()
        array = _engine().core.convert_to_numpy(value)
        # NumPy-based engines hand back the variable's own buffer, others may
        # hand back a (read-only) view of the engine's.
        if isinstance(value, np.ndarray) or not (array.flags.owndata and array.flags.writeable):
            array = np.array(array)
        return array

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __jax_array__(self):
        return self.value

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __tf_tensor__(self, dtype=None, name=None):
        # TensorFlow's conversion protocol: `tf_tensor * variable` must read the value
        # (possibly a traced one), never go through NumPy.
        value = self.value
        if dtype is not None and _standardize_dtype(dtype) != self._dtype:
            value = _engine().core.cast(value, _standardize_dtype(dtype))
        return value

    # -- writing
    def assign(self, value) -> None:
        value = _engine().core.convert_to_tensor(value, dtype=self._dtype)
        shape = tuple(_engine().core.shape(value))
        if shape != self._shape and None not in shape:
            raise ValueError(
                f"Cannot assign a value of shape {shape} to variable {self.path!r} of shape "
                f"{self._shape}."
            )
        scope = _scope.get()
        if scope is not None:
            scope.set(self, value)
        else:
            self._value = value
            self._exclusive = None

    def assign_add(self, delta) -> None:
        self.assign(self.value + _engine().core.convert_to_tensor(delta, dtype=self._dtype))

    def assign_sub(self, delta) -> None:
        self.assign(self.value - _engine().core.convert_to_tensor(delta, dtype=self._dtype))

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}>"

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # `array * variable` and NumPy functions of variables compute with the
        # variable's value as it is: inside a training step on the NumPy engine
        # that value is the gradient tape's box, which keeps the gradient
        # (converting with __array__ would cut it off).
        inputs = [x.value if isinstance(x, Variable) else x for x in inputs]
        return getattr(ufunc, method)(*inputs, **kwargs)

    # -- arithmetic reads the value, so `x * variable` works in user code
    def _op(name):
        def method(self, *args):
            from lamina import ops

            return getattr(ops, name)(self.value, *args)

        return method

    def _rop(name):
        def method(self, other):
            from lamina import ops

            return getattr(ops, name)(other, self.value)

        return method

    __add__, __radd__ = _op("add"), _rop("add")
    __sub__, __rsub__ = _op("subtract"), _rop("subtract")
    __mul__, __rmul__ = _op("multiply"), _rop("multiply")
    __truediv__, __rtruediv__ = _op("divide"), _rop("divide")
    __pow__, __rpow__ = _op("power"), _rop("power")
    __matmul__, __rmatmul__ = _op("matmul"), _rop("matmul")
    __neg__ = _op("negative")
    __abs__ = _op("abs")
    __lt__, __le__ = _op("less"), _op("less_equal")
    __gt__, __ge__ = _op("greater"), _op("greater_equal")

    def __getitem__(self, index):
        return self.value[index]

    del _op, _rop

    __hash__ = object.__hash__
