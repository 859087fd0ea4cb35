"""numpy functions of the backend contract on jax.

Python scalars stay Python scalars so that JAX's weak typing lets them adopt
the dtype of the tensor they meet; everything else goes through
`convert_to_tensor` so that lists and float64 NumPy data follow lamina's rules.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp as _logsumexp

from lamina import config
from lamina.backend.jax.core import _jax_dtype, convert_to_tensor

_PY_SCALARS = (bool, int, float)
# Sums of small ints widen so that they do not overflow, as in NumPy.
_WIDER_SUM = {
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "uint32",
    "uint16": "uint32",
}


def _tensor(x):
    return x if isinstance(x, _PY_SCALARS) else convert_to_tensor(x)


def _floatx():
    return _jax_dtype(config.floatx())


def _float(x):
    """`x` as an array, ints and bools cast to floatx (for sqrt, exp, mean, ...)."""
    x = convert_to_tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(_floatx())


def _int32(x):
    return x.astype("int32") if x.dtype != jnp.int32 else x


# --------------------------------------------------------------------------- element-wise


def _pair(x1, x2):
    # Two Python scalars have no tensor to adopt a dtype from: they follow floatx.
    if isinstance(x1, _PY_SCALARS) and isinstance(x2, _PY_SCALARS):
        return convert_to_tensor(x1), convert_to_tensor(x2)
    return _tensor(x1), _tensor(x2)


def _binary(op):
    def apply(x1, x2):
        return op(*_pair(x1, x2))

    return apply


add = _binary(jnp.add)
subtract = _binary(jnp.subtract)
multiply = _binary(jnp.multiply)
floor_divide = _binary(jnp.floor_divide)
mod = _binary(jnp.mod)
power = _binary(jnp.power)
maximum = _binary(jnp.maximum)
minimum = _binary(jnp.minimum)
equal = _binary(jnp.equal)
not_equal = _binary(jnp.not_equal)
greater = _binary(jnp.greater)
greater_equal = _binary(jnp.greater_equal)
less = _binary(jnp.less)
less_equal = _binary(jnp.less_equal)
logical_and = _binary(jnp.logical_and)
logical_or = _binary(jnp.logical_or)


def _is_floating(v) -> bool:
    if isinstance(v, _PY_SCALARS):
        return isinstance(v, float)
    return jnp.issubdtype(v.dtype, jnp.floating)


def divide(x1, x2):
    x1, x2 = _pair(x1, x2)
    out = jnp.true_divide(x1, x2)
    # JAX divides ints into its default float; lamina wants floatx.
    if not (_is_floating(x1) or _is_floating(x2)):
        out = out.astype(_floatx())
    return out


def _unary(op):
    def apply(x):
        return op(convert_to_tensor(x))

    return apply


def _float_unary(op):
    def apply(x):
        return op(_float(x))

    return apply


logical_not = _unary(jnp.logical_not)
negative = _unary(jnp.negative)
abs = _unary(jnp.abs)
sign = _unary(jnp.sign)
square = _unary(jnp.square)
round = _unary(jnp.round)
floor = _unary(jnp.floor)
ceil = _unary(jnp.ceil)
isnan = _unary(jnp.isnan)
isinf = _unary(jnp.isinf)
isfinite = _unary(jnp.isfinite)
sqrt = _float_unary(jnp.sqrt)
exp = _float_unary(jnp.exp)
log = _float_unary(jnp.log)
log1p = _float_unary(jnp.log1p)
expm1 = _float_unary(jnp.expm1)
sin = _float_unary(jnp.sin)
cos = _float_unary(jnp.cos)
tanh = _float_unary(jnp.tanh)
erf = _float_unary(jax.scipy.special.erf)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == jnp.bool_:
        x = _int32(x)
    # The bounds take x's dtype, so clipping never changes it.
    return jnp.clip(x, jnp.asarray(x_min, x.dtype), jnp.asarray(x_max, x.dtype))


def where(condition, x1, x2):
    return jnp.where(convert_to_tensor(condition), _tensor(x1), _tensor(x2))


# --------------------------------------------------------------------------- reductions


def _axis_arg(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _widening(op):
    def apply(x, axis=None, keepdims=False):
        x = convert_to_tensor(x)
        dtype = _WIDER_SUM.get(x.dtype.name, x.dtype)
        return op(x, axis=_axis_arg(axis), keepdims=keepdims, dtype=dtype)

    return apply


def _plain(op, to_float=False):
    def apply(x, axis=None, keepdims=False):
        x = _float(x) if to_float else convert_to_tensor(x)
        return op(x, axis=_axis_arg(axis), keepdims=keepdims)

    return apply


sum = _widening(jnp.sum)
prod = _widening(jnp.prod)
max = _plain(jnp.max)
min = _plain(jnp.min)
any = _plain(jnp.any)
all = _plain(jnp.all)
mean = _plain(jnp.mean, to_float=True)
var = _plain(jnp.var, to_float=True)
std = _plain(jnp.std, to_float=True)
# One compiled program instead of the many small ones jax.scipy's version
# dispatches one by one when called eagerly.
logsumexp = _plain(jax.jit(_logsumexp, static_argnames=("axis", "keepdims")), to_float=True)


def count_nonzero(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return _int32(jnp.count_nonzero(x, axis=_axis_arg(axis), keepdims=keepdims))


def argmax(x, axis=None):
    return _int32(jnp.argmax(convert_to_tensor(x), axis=axis))


def argmin(x, axis=None):
    return _int32(jnp.argmin(convert_to_tensor(x), axis=axis))


def cumsum(x, axis=None):
    x = convert_to_tensor(x)
    return jnp.cumsum(x, axis=axis, dtype=_WIDER_SUM.get(x.dtype.name, x.dtype))


# --------------------------------------------------------------------------- linear algebra


matmul = _binary(jnp.matmul)
dot = _binary(jnp.dot)


def einsum(subscripts, *operands):
    return jnp.einsum(subscripts, *[convert_to_tensor(x) for x in operands])


def tensordot(a, b, axes=2):
    return jnp.tensordot(convert_to_tensor(a), convert_to_tensor(b), axes=axes)


# --------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    return jnp.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    return jnp.transpose(convert_to_tensor(x), axes)


def expand_dims(x, axis):
    return jnp.expand_dims(convert_to_tensor(x), axis)


def squeeze(x, axis=None):
    return jnp.squeeze(convert_to_tensor(x), axis=axis)


def concatenate(xs, axis=0):
    return jnp.concatenate([convert_to_tensor(x) for x in xs], axis=axis)


def stack(xs, axis=0):
    return jnp.stack([convert_to_tensor(x) for x in xs], axis=axis)


def split(x, indices_or_sections, axis=0):
    return jnp.split(convert_to_tensor(x), indices_or_sections, axis=axis)


def tile(x, repeats):
    return jnp.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    if isinstance(repeats, (list, tuple)):
        # A NumPy array keeps the counts concrete, so the output size is known.
        repeats = np.asarray(repeats)
    return jnp.repeat(convert_to_tensor(x), repeats, axis=axis)


def pad(x, pad_width, mode="constant", constant_values=0):
    x = convert_to_tensor(x)
    if mode == "constant":
        return jnp.pad(x, pad_width, mode=mode, constant_values=constant_values)
    return jnp.pad(x, pad_width, mode=mode)


def broadcast_to(x, shape):
    return jnp.broadcast_to(convert_to_tensor(x), shape)


def flip(x, axis=None):
    return jnp.flip(convert_to_tensor(x), axis=axis)


def moveaxis(x, source, destination):
    return jnp.moveaxis(convert_to_tensor(x), source, destination)


def take(x, indices, axis=None):
    return jnp.take(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def take_along_axis(x, indices, axis):
    return jnp.take_along_axis(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def slice(x, start_indices, shape):
    return jax.lax.dynamic_slice(convert_to_tensor(x), start_indices, shape)


# --------------------------------------------------------------------------- creation


def zeros(shape, dtype=None):
    return jnp.zeros(shape, dtype=_jax_dtype(dtype) or _floatx())


def ones(shape, dtype=None):
    return jnp.ones(shape, dtype=_jax_dtype(dtype) or _floatx())


def full(shape, fill_value, dtype=None):
    return jnp.broadcast_to(convert_to_tensor(fill_value, dtype), shape)


def copy(x):
    return jnp.array(convert_to_tensor(x), copy=True)


def zeros_like(x, dtype=None):
    return jnp.zeros_like(convert_to_tensor(x), dtype=_jax_dtype(dtype))


def ones_like(x, dtype=None):
    return jnp.ones_like(convert_to_tensor(x), dtype=_jax_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    return jnp.broadcast_to(convert_to_tensor(fill_value, dtype or x.dtype.name), x.shape)


def arange(start, stop=None, step=1, dtype=None):
    if dtype is None:
        bounds = [start, stop, step]
        floats = builtins.any(isinstance(b, float) or _is_float_tensor(b) for b in bounds)
        dtype = config.floatx() if floats else "int32"
    return jnp.arange(start, stop, step, dtype=_jax_dtype(dtype))


def _is_float_tensor(x) -> bool:
    return hasattr(x, "dtype") and np.dtype(x.dtype).kind == "f"


def eye(N, M=None, k=0, dtype=None):
    return jnp.eye(N, M, k, dtype=_jax_dtype(dtype) or _floatx())


# --------------------------------------------------------------------------- other


def top_k(x, k, sorted=True):
    # lax.top_k always sorts; sorted=False allows any order, so sorted is fine.
    values, indices = jax.lax.top_k(convert_to_tensor(x), k)
    return values, _int32(indices)


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = _int32(convert_to_tensor(targets))
    target_score = jnp.take_along_axis(predictions, targets[:, None], axis=-1)
    # Ties at the boundary count as inside the top k, as tf.math.in_top_k does.
    higher = jnp.sum(predictions > target_score, axis=-1)
    return (higher < k) & jnp.isfinite(target_score[:, 0])


def sort(x, axis=-1):
    return jnp.sort(convert_to_tensor(x), axis=axis)


def argsort(x, axis=-1):
    return _int32(jnp.argsort(convert_to_tensor(x), axis=axis, stable=True))


# --------------------------------------------------------------------------- more element-wise

tan = _float_unary(jnp.tan)
sinh = _float_unary(jnp.sinh)
cosh = _float_unary(jnp.cosh)
arcsin = _float_unary(jnp.arcsin)
arccos = _float_unary(jnp.arccos)
arctan = _float_unary(jnp.arctan)
arcsinh = _float_unary(jnp.arcsinh)
arccosh = _float_unary(jnp.arccosh)
arctanh = _float_unary(jnp.arctanh)
log2 = _float_unary(jnp.log2)
log10 = _float_unary(jnp.log10)
exp2 = _float_unary(jnp.exp2)
i0 = _float_unary(jax.scipy.special.i0)


def arctan2(x1, x2):
    x1, x2 = _pair(x1, x2)
    if not _is_floating(x1):
        x1 = _float(x1)
    if not _is_floating(x2):
        x2 = _float(x2)
    return jnp.arctan2(x1, x2)


fmod = _binary(jnp.fmod)


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        dtype = "int32" if x.dtype == jnp.bool_ else x.dtype
    dtype = _jax_dtype(dtype) if isinstance(dtype, str) else dtype
    return jnp.cumprod(x.astype(dtype), axis=axis)


nextafter = _binary(jnp.nextafter)
gcd = _binary(jnp.gcd)
lcm = _binary(jnp.lcm)


# --------------------------------------------------------------------------- bitwise


def _bitwise(binary):
    """`binary` with the parameter names (x, y) of the bitwise ops."""

    def apply(x, y):
        return binary(x, y)

    return apply


bitwise_and = _bitwise(_binary(jnp.bitwise_and))
bitwise_or = _bitwise(_binary(jnp.bitwise_or))
bitwise_xor = _bitwise(_binary(jnp.bitwise_xor))
bitwise_not = _unary(jnp.bitwise_not)
left_shift = _bitwise(_binary(jnp.left_shift))
right_shift = _bitwise(_binary(jnp.right_shift))


# --------------------------------------------------------------------------- bits


def view(x, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        return x
    old, new = np.dtype(x.dtype).itemsize, np.dtype(_jax_dtype(dtype)).itemsize
    shape = tuple(x.shape)
    if new == old:
        return jax.lax.bitcast_convert_type(x, _jax_dtype(dtype))
    if not shape:
        raise ValueError(
            f"view: a scalar of {old} bytes cannot be viewed as {dtype} of {new} bytes; "
            "give a tensor of at least 1 dim."
        )
    if new < old:
        # The bitcast adds an axis of old // new parts: merge it into the last.
        out = jax.lax.bitcast_convert_type(x, _jax_dtype(dtype))
        return jnp.reshape(out, shape[:-1] + (shape[-1] * (old // new),))
    parts = new // old
    if shape[-1] % parts:
        raise ValueError(
            f"view: the last dim ({shape[-1]}) must be a multiple of {parts} to view "
            f"{old}-byte entries as {dtype}."
        )
    grouped = jnp.reshape(x, shape[:-1] + (shape[-1] // parts, parts))
    return jax.lax.bitcast_convert_type(grouped, _jax_dtype(dtype))
