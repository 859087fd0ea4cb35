"""core functions of the backend contract on pytensor.

Two kinds of tensors meet here. Eager tensors are `EagerTensor`s, NumPy arrays
marked as lamina tensors: every op on them computes at once with NumPy.
Symbolic tensors are PyTensor variables, made while `functional.compile`,
`value_and_grad` or `eval_shape` trace a function: every op that sees one
builds PyTensor graph instead. Each backend function picks its path from its
inputs, so one implementation serves both.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.basic import Variable as _GraphVariable
from pytensor.ifelse import ifelse
from pytensor.tensor.basic import _as_tensor_variable

from lamina import config
from lamina.backend._variable import Variable

_PY_SCALARS = (bool, int, float)


# --------------------------------------------------------------------------- eager tensors


class EagerTensor(np.ndarray):
    """A NumPy array that is a lamina tensor (plain NumPy arrays are input data).

    The distinction matters for float64: NumPy data in float64 becomes floatx,
    as on every engine, while a float64 tensor stays float64. Python operators
    go through lamina's ops, so `tensor + 2.5` follows lamina's dtype rules on
    both paths.
    """

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # Keep 0-d results as tensors rather than NumPy scalars.
        return array.view(EagerTensor) if isinstance(array, np.ndarray) else array

    def numpy(self) -> np.ndarray:
        return np.asarray(self)

    def __repr__(self) -> str:
        return f"EagerTensor({np.asarray(self)!r})"


def _operator(name, reverse=False):
    def method(self, *args):
        from lamina.backend.pytensor import numpy as lnp

        if reverse:
            return getattr(lnp, name)(args[0], self)
        return getattr(lnp, name)(self, *args)

    return method


for _name, _fn in {
    "add": "add",
    "sub": "subtract",
    "mul": "multiply",
    "truediv": "divide",
    "floordiv": "floor_divide",
    "mod": "mod",
    "pow": "power",
    "matmul": "matmul",
}.items():
    setattr(EagerTensor, f"__{_name}__", _operator(_fn))
    setattr(EagerTensor, f"__r{_name}__", _operator(_fn, reverse=True))
for _name, _fn in {
    "lt": "less",
    "le": "less_equal",
    "gt": "greater",
    "ge": "greater_equal",
}.items():
    setattr(EagerTensor, f"__{_name}__", _operator(_fn))
EagerTensor.__neg__ = _operator("negative")
EagerTensor.__abs__ = _operator("abs")
del _name, _fn


@_as_tensor_variable.register(EagerTensor)
def _eager_to_constant(x, name, ndim, **kwargs):
    # An eager tensor met by graph becomes a constant holding a plain array.
    return _as_tensor_variable(np.asarray(x), name, ndim, **kwargs)


@_as_tensor_variable.register(Variable)
def _variable_to_tensor(x, name, ndim, **kwargs):
    # `tensor / variable`: PyTensor's operators convert their other operand
    # themselves (and raise instead of deferring to the variable's own `__rtruediv__`).
    return _as_tensor_variable(x.value, name, ndim, **kwargs)


def _eager(x) -> EagerTensor:
    """`x` (an array or NumPy scalar) as an EagerTensor, without copying."""
    if isinstance(x, EagerTensor):
        return x
    return np.asarray(x).view(EagerTensor)


def _is_symbolic(x) -> bool:
    return isinstance(x, _GraphVariable)


def _any_symbolic(*xs) -> bool:
    for x in xs:
        if isinstance(x, (list, tuple)):
            if _any_symbolic(*x):
                return True
        elif isinstance(x, _GraphVariable):
            return True
    return False


def _unwrap(x):
    """A lamina Variable's current value (possibly symbolic), anything else as it is."""
    return x.value if isinstance(x, Variable) else x


# --------------------------------------------------------------------------- dtypes


@functools.cache
def _standardize_dtype_cached(dtype) -> str:
    if dtype == "bfloat16":
        # PyTensor graphs have no bfloat16; eager NumPy has it through ml_dtypes,
        # when installed (JAX and TensorFlow bring it).
        try:
            import ml_dtypes  # noqa: F401
        except ImportError:
            raise NotImplementedError(
                "The PyTensor engine has bfloat16 only through the ml_dtypes package, which "
                "is not installed; use float16 or float32, or `pip install ml_dtypes`."
            ) from None
        return "bfloat16"
    return np.dtype(dtype).name


def _standardize_dtype(dtype) -> str | None:
    if dtype is None:
        return None
    if not isinstance(dtype, str):
        dtype = getattr(dtype, "name", None) or np.dtype(dtype).name
    return _standardize_dtype_cached(dtype)


def _infer_dtype(x) -> str | None:
    # NumPy would make Python floats float64 and Python ints int64; lamina
    # follows Keras: floats become floatx, Python ints int32, NumPy ints keep theirs.
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    if isinstance(x, float):
        return config.floatx()
    if isinstance(x, (np.ndarray, np.generic)):
        return config.floatx() if x.dtype == np.float64 else None
    if isinstance(x, (list, tuple)):
        kind = np.asarray(x).dtype
        if kind == np.float64:
            return config.floatx()
        if kind == np.int64:
            return "int32"
    return None


def _kind(dtype: str) -> str:
    return np.dtype(dtype).kind


def _promote_pair(a: str, b: str) -> str:
    """lamina's promotion of two tensor dtypes: bools yield, ints meeting floats give the float."""
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if ka == "b":
        return b
    if kb == "b":
        return a
    if ka == "f" and kb != "f":
        return a
    if kb == "f" and ka != "f":
        return b
    return np.promote_types(a, b).name


def _result_dtype(*xs) -> str:
    """The dtype an element-wise op on `xs` gives: Python scalars adopt the tensors' dtype."""
    dtypes = [dtype(x) for x in xs if not isinstance(x, _PY_SCALARS)]
    scalars = [x for x in xs if isinstance(x, _PY_SCALARS)]
    has_float = any(isinstance(s, float) for s in scalars)
    has_int = any(isinstance(s, int) and not isinstance(s, bool) for s in scalars)
    if not dtypes:
        if has_float:
            return config.floatx()
        return "int32" if has_int else "bool"
    result = functools.reduce(_promote_pair, dtypes)
    if has_float and _kind(result) != "f":
        return config.floatx()
    if has_int and _kind(result) == "b":
        return "int32"
    return result


def _operand(x):
    """Python scalars stay weak scalars; everything else becomes a tensor."""
    x = _unwrap(x)
    return x if isinstance(x, _PY_SCALARS) else convert_to_tensor(x)


def _as_dtype(x, dtype: str):
    """`x` (a tensor or Python scalar) in `dtype`."""
    if isinstance(x, _PY_SCALARS):
        return _eager(np.asarray(x, dtype=dtype))
    return cast(x, dtype)


# --------------------------------------------------------------------------- conversion


def convert_to_tensor(x, dtype=None):
    x = _unwrap(x)
    dtype = _standardize_dtype(dtype)
    if isinstance(x, _GraphVariable):
        return x if dtype is None or x.dtype == dtype else pt.cast(x, dtype)
    if isinstance(x, EagerTensor):
        return x if dtype is None or x.dtype.name == dtype else _eager(x.astype(dtype))
    if isinstance(x, (list, tuple)):
        items = [_unwrap(item) for item in x]
        if _any_symbolic(*items):
            parts = [convert_to_tensor(item, dtype) for item in items]
            common = functools.reduce(
                _promote_pair, [p.dtype if _is_symbolic(p) else p.dtype.name for p in parts]
            )
            return pt.stack(
                [
                    pt.cast(p, common) if _is_symbolic(p) else pt.as_tensor(np.asarray(p, common))
                    for p in parts
                ]
            )
        if any(isinstance(item, EagerTensor) for item in items):
            x = [np.asarray(item) if isinstance(item, EagerTensor) else item for item in items]
    if dtype is None:
        dtype = _infer_dtype(x)
    return _eager(np.asarray(x, dtype=dtype))


def convert_to_numpy(x):
    x = _unwrap(x)
    if isinstance(x, _GraphVariable):
        raise ValueError(
            "convert_to_numpy() got a symbolic PyTensor tensor, which has no value while a "
            "function is being traced. Call it outside the compiled function."
        )
    return np.asarray(x)


def is_tensor(x) -> bool:
    return isinstance(x, (EagerTensor, _GraphVariable))


def shape(x) -> tuple:
    x = convert_to_tensor(x)
    if isinstance(x, EagerTensor):
        return x.shape
    static = x.type.shape
    if None not in static:
        return tuple(int(d) for d in static)
    # Inside a traced function an unknown dim is only known as a symbolic scalar.
    return tuple(x.shape[i] if d is None else int(d) for i, d in enumerate(static))


def dtype(x) -> str:
    x = convert_to_tensor(x)
    return x.dtype if isinstance(x, _GraphVariable) else x.dtype.name


def cast(x, dtype):
    x = convert_to_tensor(x)
    dtype = _standardize_dtype(dtype)
    if isinstance(x, _GraphVariable):
        return x if x.dtype == dtype else pt.cast(x, dtype)
    return x if x.dtype.name == dtype else _eager(x.astype(dtype))


def stop_gradient(x):
    x = convert_to_tensor(x)
    if isinstance(x, _GraphVariable):
        return pytensor.gradient.zero_grad(x)
    return x


def custom_gradient(f):
    def call(*args):
        args = [convert_to_tensor(a) for a in args]
        if not _any_symbolic(*args):
            return f(*args)[0]
        from pytensor.compile.builders import OpFromGraph

        inputs = [pt.as_tensor(a).type() for a in args]
        output = pt.as_tensor(f(*inputs)[0])

        def pullback(inner_inputs, outputs, output_grads):
            # A fresh forward on the graph's own inputs gives a grad_fn bound to them.
            grads = f(*inner_inputs)[1](output_grads[0])
            grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
            return [pt.as_tensor(g).astype(x.dtype) for g, x in zip(grads, inner_inputs)]

        op = OpFromGraph(inputs, [output], pullback=pullback, inline=False)
        return op(*[pt.as_tensor(a) for a in args])

    return call


def device_names() -> list[str]:
    # PyTensor's C and Numba linkers run on the host.
    return ["cpu:0"]


def default_device() -> str:
    return "cpu:0"


def engine_version() -> str:
    return pytensor.__version__


# --------------------------------------------------------------------------- structures


def _flatten(tree) -> list:
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _flatten(item)]
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _flatten(tree[key])]
    return [tree]


def _unflatten(tree, leaves):
    """`tree`'s structure with the leaves taken in order from the iterator `leaves`."""
    if isinstance(tree, list):
        return [_unflatten(item, leaves) for item in tree]
    if isinstance(tree, tuple):
        items = [_unflatten(item, leaves) for item in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, dict):
        values = {key: _unflatten(tree[key], leaves) for key in sorted(tree)}
        return {key: values[key] for key in tree}
    return next(leaves)


def _map_structure(fn, tree):
    return _unflatten(tree, iter([fn(leaf) for leaf in _flatten(tree)]))


# --------------------------------------------------------------------------- control flow


def _same_type(value, like):
    """`value` converted to the PyTensor type of `like`, for ifelse and scan."""
    value = pt.as_tensor(convert_to_tensor(value, like.dtype))
    if value.type == like.type:
        return value
    if len(like.type.shape) == value.ndim:
        value = pt.specify_shape(value, like.type.shape)
    return like.type.filter_variable(value, allow_convert=True)


def cond(pred, true_fn, false_fn):
    pred = _unwrap(pred)
    if not _is_symbolic(pred):
        return true_fn() if bool(np.asarray(pred)) else false_fn()
    true_out, false_out = true_fn(), false_fn()
    true_leaves = [pt.as_tensor(convert_to_tensor(v)) for v in _flatten(true_out)]
    false_leaves = [
        _same_type(v, t) for v, t in zip(_flatten(false_out), true_leaves, strict=True)
    ]
    if not true_leaves:
        return true_out
    chosen = ifelse(pt.neq(pred, 0), true_leaves, false_leaves)
    chosen = chosen if isinstance(chosen, (list, tuple)) else [chosen]
    return _unflatten(true_out, iter(chosen))


def scan(fn, init, xs, reverse=False):
    init = _map_structure(convert_to_tensor, init)
    xs = _map_structure(convert_to_tensor, xs)
    xs_flat = _flatten(xs)
    if not _any_symbolic(_flatten(init), xs_flat):
        return _python_scan(fn, init, xs, xs_flat, reverse)
    return _graph_scan(fn, init, xs, xs_flat, reverse)


def _python_scan(fn, carry, xs, xs_flat, reverse):
    from lamina.backend.pytensor import numpy as lnp

    length = shape(xs_flat[0])[0]
    order = range(length - 1, -1, -1) if reverse else range(length)
    ys = [None] * length
    for i in order:
        carry, ys[i] = fn(carry, _unflatten(xs, iter([x[i] for x in xs_flat])))
    if length == 0 or ys[0] is None:
        return carry, None
    stacked = [lnp.stack(parts) for parts in zip(*[_flatten(y) for y in ys], strict=True)]
    return carry, _unflatten(ys[0], iter(stacked))


def _graph_scan(fn, init, xs, xs_flat, reverse):
    init_flat = [pt.as_tensor(leaf) for leaf in _flatten(init)]
    seqs = [pt.as_tensor(x) for x in xs_flat]
    # One trace outside the loop tells the structure of `y`, which scan needs up front.
    _, y_probe = fn(init, _unflatten(xs, iter([s[0] for s in seqs])))
    n_carry = len(init_flat)

    def step(*args):
        x_i = _unflatten(xs, iter(args[: len(seqs)]))
        carry = _unflatten(init, iter(args[len(seqs) : len(seqs) + n_carry]))
        new_carry, y = fn(carry, x_i)
        new_flat = [
            _same_type(v, like) for v, like in zip(_flatten(new_carry), init_flat, strict=True)
        ]
        y_flat = [] if y is None else [pt.as_tensor(convert_to_tensor(v)) for v in _flatten(y)]
        return new_flat + y_flat

    n_y = 0 if y_probe is None else len(_flatten(y_probe))
    outputs = pytensor.scan(
        step,
        sequences=seqs,
        outputs_info=init_flat + [None] * n_y,
        go_backwards=reverse,
        return_list=True,
        return_updates=False,
    )
    carry = _unflatten(init, iter([o[-1] for o in outputs[:n_carry]]))
    if y_probe is None:
        return carry, None
    # go_backwards stacks the outputs in loop order; ys[i] must come from xs[i].
    ys = [o[::-1] if reverse else o for o in outputs[n_carry:]]
    return carry, _unflatten(y_probe, iter(ys))


def fori_loop(lower, upper, body_fn, init_val):
    lower, upper = _unwrap(lower), _unwrap(upper)
    if not _any_symbolic(lower, upper):
        value = init_val
        for i in range(int(np.asarray(lower)), int(np.asarray(upper))):
            value = body_fn(_eager(np.asarray(i, "int32")), value)
        return value
    indices = pt.arange(pt.cast(lower, "int32"), pt.cast(upper, "int32"), dtype="int32")

    def step(value, i):
        return body_fn(i, value), None

    value, _ = scan(step, init_val, indices)
    return value


def _zeros_like_symbolic(x):
    """Zeros of `x`'s shape and dtype, as graph."""
    return pt.zeros_like(pt.as_tensor(x))


def _eager_scope():
    """Ops run eagerly here even inside a traced function: lamina's PyTensor
    values stay concrete while a shape is worked out, so nothing to lift."""
    return contextlib.nullcontext()
