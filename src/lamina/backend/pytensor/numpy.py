"""numpy functions of the backend contract on pytensor.

Each function computes with NumPy when its inputs are concrete and builds
PyTensor graph when one of them is symbolic (see core). Dtypes are decided
first, by lamina's rules, and both paths then compute in that dtype, so they
agree on dtypes and, within float rounding, on values.
"""

from __future__ import annotations

import builtins

import numpy as np
import pytensor.tensor as pt
import scipy.special

from lamina import config
from lamina.backend.pytensor.core import (
    _any_symbolic,
    _as_dtype,
    _eager,
    _is_symbolic,
    _operand,
    _promote_pair,
    _result_dtype,
    _unwrap,
    cast,
    convert_to_tensor,
)

# Sums of small ints widen so that they do not overflow, as in NumPy.
_WIDER_SUM = {
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "uint32",
    "uint16": "uint32",
}


def _quiet(np_op):
    """`np_op` without NumPy's floating-point warnings: engines give inf and nan silently."""

    def apply(*args, **kwargs):
        with np.errstate(all="ignore"):
            return np_op(*args, **kwargs)

    return apply


def _xp(*xs):
    return pt if _any_symbolic(*xs) else np


def _out(x):
    return x if _is_symbolic(x) else _eager(x)


def _float(x):
    """`x` as a tensor, ints and bools cast to floatx (for sqrt, exp, mean, ...)."""
    x = convert_to_tensor(x)
    return x if _dtype(x).startswith("float") else cast(x, config.floatx())


def _dtype(x) -> str:
    return x.dtype if _is_symbolic(x) else x.dtype.name


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _shape_arg(shape):
    """A shape argument: Python ints, or a symbolic vector when a dim is symbolic."""
    if isinstance(shape, int):
        return (shape,)
    shape = _unwrap(shape)
    if _is_symbolic(shape):
        return shape
    dims = [_unwrap(d) for d in shape]
    if _any_symbolic(*dims):
        return dims
    return tuple(int(d) for d in np.asarray(dims, dtype="int64").reshape(-1))


# --------------------------------------------------------------------------- element-wise


def _binary(np_op, pt_op, out_dtype=None):
    def apply(x1, x2):
        x1, x2 = _operand(x1), _operand(x2)
        dtype = _result_dtype(x1, x2)
        a, b = _as_dtype(x1, dtype), _as_dtype(x2, dtype)
        if _any_symbolic(a, b):
            return pt_op(a, b)
        return _eager(_quiet(np_op)(a, b))

    return apply


def _pt_floor_divide(a, b):
    if a.dtype.startswith("float"):
        return pt.floor(a / b)
    return a // b


add = _binary(np.add, pt.add)
subtract = _binary(np.subtract, pt.sub)
multiply = _binary(np.multiply, pt.mul)
floor_divide = _binary(np.floor_divide, _pt_floor_divide)
mod = _binary(np.mod, pt.mod)
power = _binary(np.power, pt.pow)
maximum = _binary(np.maximum, pt.maximum)
minimum = _binary(np.minimum, pt.minimum)
equal = _binary(np.equal, pt.eq)
not_equal = _binary(np.not_equal, pt.neq)
greater = _binary(np.greater, pt.gt)
greater_equal = _binary(np.greater_equal, pt.ge)
less = _binary(np.less, pt.lt)
less_equal = _binary(np.less_equal, pt.le)


def _logical(np_op, pt_op):
    def apply(x1, x2):
        a, b = cast(_operand(x1), "bool"), cast(_operand(x2), "bool")
        if _any_symbolic(a, b):
            return pt_op(a, b)
        return _eager(np_op(a, b))

    return apply


logical_and = _logical(np.logical_and, pt.and_)
logical_or = _logical(np.logical_or, pt.or_)


def divide(x1, x2):
    x1, x2 = _operand(x1), _operand(x2)
    dtype = _result_dtype(x1, x2)
    if not dtype.startswith("float"):
        dtype = config.floatx()
    a, b = _as_dtype(x1, dtype), _as_dtype(x2, dtype)
    if _any_symbolic(a, b):
        return pt.true_div(a, b)
    return _eager(_quiet(np.true_divide)(a, b))


def _unary(np_op, pt_op, to_float=False):
    def apply(x):
        x = _float(x) if to_float else convert_to_tensor(x)
        return pt_op(x) if _is_symbolic(x) else _eager(_quiet(np_op)(x))

    return apply


def logical_not(x):
    x = cast(x, "bool")
    return pt.invert(x) if _is_symbolic(x) else _eager(np.logical_not(x))


negative = _unary(np.negative, pt.neg)
abs = _unary(np.abs, pt.abs)
sign = _unary(np.sign, pt.sign)
square = _unary(np.square, pt.sqr)
isnan = _unary(np.isnan, pt.isnan)
isinf = _unary(np.isinf, pt.isinf)
sqrt = _unary(np.sqrt, pt.sqrt, to_float=True)
exp = _unary(np.exp, pt.exp, to_float=True)
log = _unary(np.log, pt.log, to_float=True)
log1p = _unary(np.log1p, pt.log1p, to_float=True)
expm1 = _unary(np.expm1, pt.expm1, to_float=True)
sin = _unary(np.sin, pt.sin, to_float=True)
cos = _unary(np.cos, pt.cos, to_float=True)
tanh = _unary(np.tanh, pt.tanh, to_float=True)
erf = _unary(scipy.special.erf, pt.erf, to_float=True)


def isfinite(x):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.invert(pt.or_(pt.isnan(x), pt.isinf(x)))
    return _eager(np.isfinite(x))


def _integral_unary(np_op, pt_op):
    # Rounding an int changes nothing; the dtype stays.
    def apply(x):
        x = convert_to_tensor(x)
        if not _dtype(x).startswith("float"):
            return x
        return pt_op(x) if _is_symbolic(x) else _eager(np_op(x))

    return apply


round = _integral_unary(np.round, lambda x: pt.round(x, mode="half_to_even"))
floor = _integral_unary(np.floor, pt.floor)
ceil = _integral_unary(np.ceil, pt.ceil)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if _dtype(x) == "bool":
        x = cast(x, "int32")
    dtype = _dtype(x)
    lo, hi = _as_dtype(_operand(x_min), dtype), _as_dtype(_operand(x_max), dtype)
    if _any_symbolic(x, lo, hi):
        return pt.clip(x, lo, hi)
    return _eager(np.clip(x, lo, hi))


def where(condition, x1, x2):
    condition = cast(_operand(condition), "bool")
    x1, x2 = _operand(x1), _operand(x2)
    dtype = _result_dtype(x1, x2)
    a, b = _as_dtype(x1, dtype), _as_dtype(x2, dtype)
    if _any_symbolic(condition, a, b):
        return pt.switch(condition, a, b)
    return _eager(np.where(condition, a, b))


# --------------------------------------------------------------------------- reductions


def _reduction(np_op, pt_op, to_float=False, widen=False):
    def apply(x, axis=None, keepdims=False):
        x = _float(x) if to_float else convert_to_tensor(x)
        kwargs = {}
        if widen:
            kwargs["dtype"] = _WIDER_SUM.get(_dtype(x), _dtype(x))
        if _is_symbolic(x):
            out = pt_op(x, axis=_axis(axis), keepdims=keepdims, **kwargs)
            return cast(out, kwargs["dtype"]) if widen else out
        return _eager(np_op(x, axis=_axis(axis), keepdims=keepdims, **kwargs))

    return apply


def _pt_all(x, axis=None, keepdims=False):
    return pt.all(pt.cast(x, "bool"), axis=axis, keepdims=keepdims)


def _pt_any(x, axis=None, keepdims=False):
    return pt.any(pt.cast(x, "bool"), axis=axis, keepdims=keepdims)


sum = _reduction(np.sum, pt.sum, widen=True)
prod = _reduction(np.prod, pt.prod, widen=True)
max = _reduction(np.max, pt.max)
min = _reduction(np.min, pt.min)
any = _reduction(np.any, _pt_any)
all = _reduction(np.all, _pt_all)
mean = _reduction(np.mean, pt.mean, to_float=True)
var = _reduction(np.var, pt.var, to_float=True)
std = _reduction(np.std, pt.std, to_float=True)


def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    if _is_symbolic(x):
        return pt.logsumexp(x, axis=_axis(axis), keepdims=keepdims)
    out = scipy.special.logsumexp(x, axis=_axis(axis), keepdims=keepdims)
    return _eager(np.asarray(out, dtype=x.dtype))


def count_nonzero(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.sum(pt.neq(x, 0), axis=_axis(axis), keepdims=keepdims, dtype="int32")
    return _eager(np.asarray(np.count_nonzero(x, axis=_axis(axis), keepdims=keepdims), "int32"))


def argmax(x, axis=None):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.cast(pt.argmax(x, axis=axis), "int32")
    return _eager(np.asarray(np.argmax(x, axis=axis), "int32"))


def argmin(x, axis=None):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.cast(pt.argmin(x, axis=axis), "int32")
    return _eager(np.asarray(np.argmin(x, axis=axis), "int32"))


def cumsum(x, axis=None):
    x = convert_to_tensor(x)
    dtype = _WIDER_SUM.get(_dtype(x), _dtype(x))
    x = cast(x, dtype)
    if _is_symbolic(x):
        return pt.cumsum(x, axis=axis)
    return _eager(np.cumsum(x, axis=axis, dtype=dtype))


# --------------------------------------------------------------------------- linear algebra


def _common(*xs):
    """Tensors of one dtype, promoted by lamina's rules."""
    xs = [convert_to_tensor(x) for x in xs]
    dtype = _dtype(xs[0])
    for x in xs[1:]:
        dtype = _promote_pair(dtype, _dtype(x))
    return [cast(x, dtype) for x in xs]


def matmul(x1, x2):
    a, b = _common(x1, x2)
    return pt.matmul(a, b) if _any_symbolic(a, b) else _eager(np.matmul(a, b))


def dot(x1, x2):
    a, b = _common(x1, x2)
    return pt.dot(a, b) if _any_symbolic(a, b) else _eager(np.dot(a, b))


def einsum(subscripts, *operands):
    operands = _common(*operands)
    if _any_symbolic(*operands):
        return pt.einsum(subscripts, *operands)
    return _eager(np.einsum(subscripts, *operands))


def tensordot(a, b, axes=2):
    a, b = _common(a, b)
    if _any_symbolic(a, b):
        return pt.tensordot(a, b, axes=axes)
    return _eager(np.tensordot(a, b, axes=axes))


# --------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    x = convert_to_tensor(x)
    newshape = _shape_arg(newshape)
    if _any_symbolic(x, newshape):
        return pt.reshape(x, newshape)
    return _eager(np.reshape(x, newshape))


def transpose(x, axes=None):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.transpose(x, axes)
    return _eager(np.transpose(x, axes))


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    axis = _axis(axis)
    return pt.expand_dims(x, axis) if _is_symbolic(x) else _eager(np.expand_dims(x, axis))


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    axis = _axis(axis)
    if not _is_symbolic(x):
        return _eager(np.squeeze(x, axis=axis))
    if axis is None:
        # Only dims known to be 1 can be dropped from a graph.
        axis = tuple(i for i, d in enumerate(x.type.shape) if d == 1)
    return pt.squeeze(x, axis=axis)


def concatenate(xs, axis=0):
    xs = _common(*xs)
    if _any_symbolic(*xs):
        return pt.concatenate(xs, axis=axis)
    return _eager(np.concatenate(xs, axis=axis))


def stack(xs, axis=0):
    xs = _common(*xs)
    if _any_symbolic(*xs):
        return pt.stack(xs, axis=axis)
    return _eager(np.stack(xs, axis=axis))


def split(x, indices_or_sections, axis=0):
    x = convert_to_tensor(x)
    if not _is_symbolic(x):
        return [_eager(part) for part in np.split(x, indices_or_sections, axis=axis)]
    size = x.type.shape[axis]
    if isinstance(indices_or_sections, int):
        if size is None:
            raise ValueError(
                "split() into equal sections needs the size of the split axis, which is "
                f"unknown while tracing (shape {x.type.shape}); pass split indices instead."
            )
        bounds = [size * i // indices_or_sections for i in range(indices_or_sections + 1)]
    else:
        end = x.shape[axis] if size is None else size
        bounds = [0, *indices_or_sections, end]
    index = [builtins.slice(None)] * x.ndim
    parts = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        index[axis] = builtins.slice(start, stop)
        parts.append(x[tuple(index)])
    return parts


def tile(x, repeats):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        repeats = (repeats,) if isinstance(repeats, int) else tuple(repeats)
        return pt.tile(x, repeats)
    return _eager(np.tile(x, repeats))


def repeat(x, repeats, axis=None):
    x = convert_to_tensor(x)
    if _any_symbolic(x, _unwrap(repeats)):
        if isinstance(repeats, (list, tuple)):
            repeats = np.asarray(repeats)
        return pt.repeat(x, repeats, axis=axis)
    return _eager(
        np.repeat(x, np.asarray(repeats) if isinstance(repeats, list) else repeats, axis)
    )


def pad(x, pad_width, mode="constant", constant_values=0):
    x = convert_to_tensor(x)
    if not _is_symbolic(x):
        if mode == "constant":
            return _eager(np.pad(x, pad_width, mode=mode, constant_values=constant_values))
        return _eager(np.pad(x, pad_width, mode=mode))
    if mode == "constant":
        return pt.pad(x, pad_width, mode=mode, constant_values=constant_values)
    return pt.pad(x, pad_width, mode=mode)


def broadcast_to(x, shape):
    x = convert_to_tensor(x)
    shape = _shape_arg(shape)
    if _any_symbolic(x, shape):
        return pt.broadcast_to(x, shape)
    return _eager(np.broadcast_to(x, shape))


def flip(x, axis=None):
    x = convert_to_tensor(x)
    axis = _axis(axis)
    return pt.flip(x, axis=axis) if _is_symbolic(x) else _eager(np.flip(x, axis=axis))


def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.moveaxis(x, source, destination)
    return _eager(np.moveaxis(x, source, destination))


def take(x, indices, axis=None):
    x, indices = convert_to_tensor(x), convert_to_tensor(indices)
    if _any_symbolic(x, indices):
        return pt.take(x, indices, axis=axis)
    return _eager(np.take(x, indices, axis=axis))


def take_along_axis(x, indices, axis):
    x, indices = convert_to_tensor(x), convert_to_tensor(indices)
    if _any_symbolic(x, indices):
        return pt.take_along_axis(x, indices, axis=axis)
    return _eager(np.take_along_axis(x, indices, axis=axis))


def slice(x, start_indices, shape):
    x = convert_to_tensor(x)
    start_indices = _unwrap(start_indices)
    if isinstance(start_indices, (list, tuple)):
        starts = [_unwrap(s) for s in start_indices]
    else:
        starts = [start_indices[i] for i in range(len(shape))]
    starts = [s if _is_symbolic(s) else int(np.asarray(s)) for s in starts]
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape, strict=True))
    out = x[index]
    return out if _is_symbolic(out) else _eager(out)


# --------------------------------------------------------------------------- creation


def _creation_dtype(dtype):
    return dtype or config.floatx()


def zeros(shape, dtype=None):
    shape = _shape_arg(shape)
    if _any_symbolic(shape):
        return pt.zeros(shape, dtype=_creation_dtype(dtype))
    return _eager(np.zeros(shape, dtype=_creation_dtype(dtype)))


def ones(shape, dtype=None):
    shape = _shape_arg(shape)
    if _any_symbolic(shape):
        return pt.ones(shape, dtype=_creation_dtype(dtype))
    return _eager(np.ones(shape, dtype=_creation_dtype(dtype)))


def full(shape, fill_value, dtype=None):
    shape = _shape_arg(shape)
    value = convert_to_tensor(fill_value, dtype)
    if _any_symbolic(shape, value):
        return pt.broadcast_to(value, shape)
    return _eager(np.broadcast_to(value, shape))


def copy(x):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.as_tensor_variable(x).copy()
    return x.copy()


def zeros_like(x, dtype=None):
    x = convert_to_tensor(x)
    dtype = dtype or _dtype(x)
    if _is_symbolic(x):
        return pt.zeros_like(x, dtype=dtype)
    return _eager(np.zeros_like(x, dtype=dtype))


def ones_like(x, dtype=None):
    x = convert_to_tensor(x)
    dtype = dtype or _dtype(x)
    if _is_symbolic(x):
        return pt.ones_like(x, dtype=dtype)
    return _eager(np.ones_like(x, dtype=dtype))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    value = convert_to_tensor(fill_value, dtype or _dtype(x))
    if _any_symbolic(x, value):
        return pt.broadcast_to(value, x.shape)
    return _eager(np.broadcast_to(value, x.shape))


def arange(start, stop=None, step=1, dtype=None):
    bounds = [_unwrap(b) for b in (start, stop, step)]
    if dtype is None:
        floats = builtins.any(
            isinstance(b, float) or (hasattr(b, "dtype") and "float" in str(b.dtype))
            for b in bounds
        )
        dtype = config.floatx() if floats else "int32"
    if _any_symbolic(*bounds):
        return pt.arange(*[b for b in bounds if b is not None], dtype=dtype)
    return _eager(np.arange(start, stop, step, dtype=dtype))


def eye(N, M=None, k=0, dtype=None):
    return _eager(np.eye(N, M, k, dtype=_creation_dtype(dtype)))


# --------------------------------------------------------------------------- other


def _descending_order(x):
    """Indices that sort `x` in descending order along its last axis, ties by index."""
    if _is_symbolic(x):
        flipped = x[..., ::-1]
        order = pt.argsort(flipped, axis=-1, stable=True)[..., ::-1]
        return (x.shape[-1] - 1) - order
    flipped = x[..., ::-1]
    order = np.argsort(flipped, axis=-1, kind="stable")[..., ::-1]
    return (x.shape[-1] - 1) - order


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    indices = _descending_order(x)[..., :k]
    if _is_symbolic(x):
        return pt.take_along_axis(x, indices, axis=-1), pt.cast(indices, "int32")
    return _eager(np.take_along_axis(x, indices, axis=-1)), _eager(indices.astype("int32"))


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = cast(targets, "int32")
    score = take_along_axis(predictions, expand_dims(targets, -1), axis=-1)
    # Ties at the boundary count as inside the top k, as tf.math.in_top_k does.
    higher = sum(greater(predictions, score), axis=-1)
    return logical_and(less(higher, k), isfinite(score[:, 0]))


def sort(x, axis=-1):
    x = convert_to_tensor(x)
    return pt.sort(x, axis=axis) if _is_symbolic(x) else _eager(np.sort(x, axis=axis))


def argsort(x, axis=-1):
    x = convert_to_tensor(x)
    if _is_symbolic(x):
        return pt.cast(pt.argsort(x, axis=axis, stable=True), "int32")
    return _eager(np.argsort(x, axis=axis, kind="stable").astype("int32"))


# --------------------------------------------------------------------------- more element-wise

tan = _unary(np.tan, pt.tan, to_float=True)
sinh = _unary(np.sinh, pt.sinh, to_float=True)
cosh = _unary(np.cosh, pt.cosh, to_float=True)
arcsin = _unary(np.arcsin, pt.arcsin, to_float=True)
arccos = _unary(np.arccos, pt.arccos, to_float=True)
arctan = _unary(np.arctan, pt.arctan, to_float=True)
arcsinh = _unary(np.arcsinh, pt.arcsinh, to_float=True)
arccosh = _unary(np.arccosh, pt.arccosh, to_float=True)
arctanh = _unary(np.arctanh, pt.arctanh, to_float=True)
log2 = _unary(np.log2, pt.log2, to_float=True)
log10 = _unary(np.log10, pt.log10, to_float=True)
exp2 = _unary(np.exp2, pt.exp2, to_float=True)
i0 = _unary(scipy.special.i0, pt.i0, to_float=True)


def arctan2(x1, x2):
    x1, x2 = _operand(x1), _operand(x2)
    dtype = _result_dtype(x1, x2)
    if not dtype.startswith("float"):
        dtype = config.floatx()
    a, b = _as_dtype(x1, dtype), _as_dtype(x2, dtype)
    if _any_symbolic(a, b):
        return pt.arctan2(a, b)
    return _eager(_quiet(np.arctan2)(a, b))


def _pt_fmod(a, b):
    # The remainder of the magnitudes, with the sign of the dividend.
    return pt.sign(a) * pt.mod(pt.abs(a), pt.abs(b))


fmod = _binary(np.fmod, _pt_fmod)


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        dtype = "int32" if _dtype(x) == "bool" else _dtype(x)
    x = cast(x, dtype)
    if _is_symbolic(x):
        return pt.cumprod(x, axis=axis)
    return _eager(np.cumprod(x, axis=axis, dtype=dtype))


def _pt_nextafter(a, b):
    raise NotImplementedError(
        "nextafter on the pytensor engine runs eagerly only: PyTensor has no nextafter op "
        "to put in a compiled graph. Call it on concrete values, outside compiled functions."
    )


def _pt_gcd(a, b):
    # Euclid's algorithm, unrolled: it ends within 93 steps for 64-bit ints (47 for 32).
    a, b = pt.abs(a), pt.abs(b)
    steps = 93 if a.dtype.endswith("64") else 47
    for _ in range(steps):
        more = pt.neq(b, 0)
        remainder = a % pt.switch(more, b, 1)
        a, b = pt.switch(more, b, a), pt.switch(more, remainder, 0)
    return a


def _pt_lcm(a, b):
    divisor = _pt_gcd(a, b)
    safe = pt.switch(pt.eq(divisor, 0), 1, divisor)
    return pt.switch(pt.eq(divisor, 0), 0, pt.abs(a // safe * b))


nextafter = _binary(np.nextafter, _pt_nextafter)
gcd = _binary(np.gcd, _pt_gcd)
lcm = _binary(np.lcm, _pt_lcm)


# --------------------------------------------------------------------------- bitwise


def _bitwise(binary):
    """`binary` with the parameter names (x, y) of the bitwise ops."""

    def apply(x, y):
        return binary(x, y)

    return apply


def _pt_left_shift(a, b):
    return a * pt.cast(2**b, a.dtype)


def _pt_right_shift(a, b):
    # An arithmetic shift: floor division by a power of two.
    return a // pt.cast(2**b, a.dtype)


bitwise_and = _bitwise(_binary(np.bitwise_and, pt.bitwise_and))
bitwise_or = _bitwise(_binary(np.bitwise_or, pt.bitwise_or))
bitwise_xor = _bitwise(_binary(np.bitwise_xor, pt.bitwise_xor))
bitwise_not = _unary(np.bitwise_not, pt.bitwise_not)
left_shift = _bitwise(_binary(np.left_shift, _pt_left_shift))
right_shift = _bitwise(_binary(np.right_shift, _pt_right_shift))


# --------------------------------------------------------------------------- bits


def view(x, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        return x
    if _is_symbolic(x):
        raise NotImplementedError(
            "view on the pytensor engine runs eagerly only: PyTensor has no op that "
            "reinterprets bits in a graph. Call it on concrete values."
        )
    return _eager(np.ascontiguousarray(x).view(dtype))
