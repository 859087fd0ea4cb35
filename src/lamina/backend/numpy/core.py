"""core functions of the backend contract on NumPy.

Tensors are NumPy arrays; while `functional.value_and_grad` differentiates,
they are autograd boxes wrapping NumPy arrays. Every op is written with
`autograd.numpy` so gradients flow through it.

NumPy has no bfloat16: the `ml_dtypes` package provides it when installed
(it comes with Keras, JAX and TensorFlow); without it, asking for bfloat16
raises a TypeError that says so.

Control flow (`cond`, `scan`, `fori_loop`) runs as Python loops, which
autograd traces like any other Python code.
"""

from __future__ import annotations

import contextlib

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval, isbox

from lamina import config
from lamina.backend._variable import Variable

try:  # bfloat16 for NumPy; optional.
    import ml_dtypes as _ml_dtypes
except ImportError:  # pragma: no cover - depends on the environment
    _ml_dtypes = None


# --------------------------------------------------------------------------- dtypes


def _np_dtype(dtype) -> np.dtype:
    """A NumPy dtype from a dtype name, a NumPy dtype or a type."""
    if isinstance(dtype, np.dtype):
        return dtype
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if name == "bfloat16" or dtype is getattr(_ml_dtypes, "bfloat16", None):
        if _ml_dtypes is None:
            raise TypeError(
                "The numpy backend needs the `ml_dtypes` package for bfloat16; install it "
                "with `pip install ml_dtypes`, or use float16 or float32."
            )
        return np.dtype(_ml_dtypes.bfloat16)
    try:
        return np.dtype(name if name is not None else dtype)
    except TypeError:
        raise TypeError(f"numpy backend: unknown dtype {dtype!r}.") from None


def _is_float_dtype(dtype) -> bool:
    dtype = np.dtype(dtype)
    return dtype.kind == "f" or dtype.name == "bfloat16"


def _is_float(x) -> bool:
    return _is_float_dtype(x.dtype)


def _floatx() -> np.dtype:
    return _np_dtype(config.floatx())


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """The dtype two tensors combine to, as the other engines do.

    Unlike NumPy, ints meeting floats give the float dtype (int32 + float32 is
    float32, not float64), and bfloat16 meeting float16 gives float32.
    """
    a, b = np.dtype(a), np.dtype(b)
    if a == b:
        return a
    a_float, b_float = _is_float_dtype(a), _is_float_dtype(b)
    if a_float and not b_float:
        return a
    if b_float and not a_float:
        return b
    if a_float and b_float and "bfloat16" in (a.name, b.name):
        other = b if a.name == "bfloat16" else a
        return other if other.itemsize >= 4 else np.dtype("float32")
    return np.result_type(a, b)


def _infer_dtype(x) -> np.dtype | None:
    # NumPy would make Python floats float64 and Python ints int64; lamina
    # follows Keras: floats become floatx, Python ints int32, NumPy ints keep theirs.
    if isinstance(x, bool):
        return np.dtype("bool")
    if isinstance(x, int):
        return np.dtype("int32")
    if isinstance(x, float):
        return _floatx()
    if isinstance(x, (np.ndarray, np.generic)):
        return _floatx() if x.dtype == np.float64 else None
    if isinstance(x, (list, tuple)):
        kind = np.asarray(x).dtype
        if kind == np.float64:
            return _floatx()
        if kind == np.int64:
            return np.dtype("int32")
    return None


# --------------------------------------------------------------------------- conversion


def _has_box(x) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_box(item) for item in x)
    return isbox(x) or isinstance(x, Variable) and isbox(x.value)


def _stack_nested(x):
    """A nested list holding autograd boxes, as one differentiable array."""
    if isinstance(x, (list, tuple)):
        return anp.stack([_stack_nested(item) for item in x])
    if isinstance(x, Variable):
        return x.value
    return x if isbox(x) else np.asarray(x)


def _cast_value(x, dtype: np.dtype):
    if x.dtype == dtype:
        return x
    if isbox(x) and not (_is_float_dtype(dtype) and _is_float(x)):
        # Casting to an int or bool dtype has no gradient.
        return np.asarray(getval(x)).astype(dtype)
    return x.astype(dtype)


def convert_to_tensor(x, dtype=None):
    dtype = None if dtype is None else _np_dtype(dtype)
    if isinstance(x, Variable):
        x = x.value
    if isbox(x):
        return x if dtype is None else _cast_value(x, dtype)
    if isinstance(x, (list, tuple)) and _has_box(x):
        array = _stack_nested(x)
        return array if dtype is None else _cast_value(array, dtype)
    if dtype is None:
        dtype = _infer_dtype(x)
    if isinstance(x, np.ndarray) and (dtype is None or x.dtype == dtype):
        return x
    array = np.asarray(x)
    return array if dtype is None or array.dtype == dtype else array.astype(dtype)


def convert_to_numpy(x):
    if isinstance(x, Variable):
        x = x.value
    return np.asarray(getval(x))


def is_tensor(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic)) or isbox(x)


def shape(x) -> tuple:
    if isinstance(x, Variable):
        return x.shape
    return tuple(int(d) for d in np.shape(getval(x)))


def dtype(x) -> str:
    return convert_to_tensor(x).dtype.name


def cast(x, dtype):
    return _cast_value(convert_to_tensor(x), _np_dtype(dtype))


def stop_gradient(x):
    return getval(convert_to_tensor(x))


def custom_gradient(f):
    from autograd.extend import defvjp_argnums, primitive

    @primitive
    def call(*args):
        return f(*args)[0]

    def vjp_maker(argnums, ans, args, kwargs):
        grad_fn = f(*args)[1]

        def vjp(upstream):
            grads = grad_fn(upstream)
            grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
            return [grads[i] for i in argnums]

        return vjp

    defvjp_argnums(call, vjp_maker)
    return call


def device_names() -> list[str]:
    return ["cpu:0"]


def default_device() -> str:
    return "cpu:0"


def engine_version() -> str:
    return np.__version__


# --------------------------------------------------------------------------- control flow


def _truth(pred) -> bool:
    return bool(np.asarray(getval(convert_to_tensor(pred))))


def cond(pred, true_fn, false_fn):
    return true_fn() if _truth(pred) else false_fn()


def _map(fn, tree):
    if isinstance(tree, (list, tuple)):
        return type(tree)(_map(fn, item) for item in tree)
    if isinstance(tree, dict):
        return {k: _map(fn, v) for k, v in tree.items()}
    return fn(tree)


def _leaves(tree) -> list:
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    return [tree]


def _unflatten(tree, leaves):
    position = iter(leaves)
    return _map(lambda _: next(position), tree)


def _to_tensor_leaves(tree):
    return _map(lambda x: x if x is None else convert_to_tensor(x), tree)


def scan(fn, init, xs, reverse=False):
    carry = _to_tensor_leaves(init)
    xs = _to_tensor_leaves(xs)
    x_leaves = _leaves(xs)
    length = shape(x_leaves[0])[0] if x_leaves else 0
    steps = range(length - 1, -1, -1) if reverse else range(length)
    outputs = []
    for i in steps:
        carry, y = fn(carry, _unflatten(xs, [leaf[i] for leaf in x_leaves]))
        outputs.append(y)
    if reverse:
        outputs.reverse()
    if not outputs:
        return carry, None
    columns = zip(*[_leaves(_to_tensor_leaves(y)) for y in outputs], strict=True)
    stacked = [anp.stack(list(column)) for column in columns]
    return carry, _unflatten(outputs[0], stacked)


def fori_loop(lower, upper, body_fn, init_val):
    value = init_val
    for i in range(int(getval(lower)), int(getval(upper))):
        value = body_fn(np.asarray(i, "int32"), value)
    return value


def _eager_scope():
    """Ops run eagerly here even inside a traced function: NumPy never traces."""
    return contextlib.nullcontext()


def _unwrap_variables_in_box_arithmetic() -> None:
    """`box * variable`, where `box` is a value on autograd's tape, reads the
    variable's value first: autograd's box arithmetic would otherwise hand the
    Variable to NumPy, which converts it without the tape, and the variable's
    gradient would be lost."""
    from autograd.numpy.numpy_boxes import ArrayBox

    def unwrapping(method):
        def wrapper(self, other):
            return method(self, other.value if isinstance(other, Variable) else other)

        return wrapper

    for name in (
        "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
        "__truediv__", "__rtruediv__", "__div__", "__rdiv__", "__pow__", "__rpow__",
        "__mod__", "__rmod__", "__matmul__", "__rmatmul__",
        "__eq__", "__ne__", "__gt__", "__ge__", "__lt__", "__le__",
    ):  # fmt: skip
        method = vars(ArrayBox).get(name)
        if method is not None and not getattr(method, "_lamina", False):
            wrapper = unwrapping(method)
            wrapper._lamina = True
            setattr(ArrayBox, name, wrapper)


_unwrap_variables_in_box_arithmetic()
