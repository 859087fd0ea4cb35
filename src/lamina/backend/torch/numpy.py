"""numpy functions of the backend contract on torch.

torch already promotes dtypes the way the contract asks (ints meeting floats
give the float dtype, not float64). A Python scalar meeting a tensor stays a
Python scalar where torch takes one, so it adopts the tensor's dtype; where
torch needs a tensor it becomes a 0-d tensor of the dtype it would adopt.
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from lamina.backend.torch.core import DEVICE, _floatx, _torch_dtype, convert_to_tensor

_PY_SCALARS = (bool, int, float)
# Sums of small ints widen so that they do not overflow, as in NumPy; torch
# would widen every int sum to int64.
_WIDER_SUM = {
    torch.bool: torch.int32,
    torch.int8: torch.int32,
    torch.int16: torch.int32,
    torch.uint8: torch.int32,
    torch.int32: torch.int32,
}


def _tensor(x):
    return x if isinstance(x, _PY_SCALARS) else convert_to_tensor(x)


def _float(x):
    """`x` as a tensor, ints and bools cast to floatx (for sqrt, exp, mean, ...)."""
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(_floatx())


def _int32(x):
    return x if x.dtype == torch.int32 else x.to(torch.int32)


def _weak(value, like: torch.Tensor) -> torch.Tensor:
    """A Python scalar as a 0-d tensor of the dtype it adopts next to `like`."""
    if isinstance(value, bool):
        dtype = like.dtype
    elif isinstance(value, int):
        dtype = torch.int32 if like.dtype == torch.bool else like.dtype
    else:
        dtype = like.dtype if like.is_floating_point() else _floatx()
    return torch.full((), value, dtype=dtype, device=like.device)


def _pair(x1, x2, scalar_ok: bool = True):
    """Both operands as tensors, but a Python scalar second operand where torch takes one."""
    s1, s2 = isinstance(x1, _PY_SCALARS), isinstance(x2, _PY_SCALARS)
    if s1 and s2:
        # Two Python scalars have no tensor to adopt a dtype from: they follow floatx.
        return convert_to_tensor(x1), convert_to_tensor(x2)
    if s1:
        x2 = convert_to_tensor(x2)
        return _weak(x1, x2), x2
    x1 = convert_to_tensor(x1)
    if s2:
        return x1, (x2 if scalar_ok else _weak(x2, x1))
    return x1, convert_to_tensor(x2)


def _binary(op, scalar_ok: bool = True):
    def apply(x1, x2):
        return op(*_pair(x1, x2, scalar_ok))

    return apply


# --------------------------------------------------------------------------- element-wise

add = _binary(torch.add)
subtract = _binary(torch.sub)
multiply = _binary(torch.mul)
mod = _binary(torch.remainder)
power = _binary(torch.pow)
maximum = _binary(torch.maximum, scalar_ok=False)
minimum = _binary(torch.minimum, scalar_ok=False)
equal = _binary(torch.eq)
not_equal = _binary(torch.ne)
greater = _binary(torch.gt)
greater_equal = _binary(torch.ge)
less = _binary(torch.lt)
less_equal = _binary(torch.le)
logical_and = _binary(torch.logical_and, scalar_ok=False)
logical_or = _binary(torch.logical_or, scalar_ok=False)


def floor_divide(x1, x2):
    x1, x2 = _pair(x1, x2)
    return torch.div(x1, x2, rounding_mode="floor")


def divide(x1, x2):
    x1, x2 = _pair(x1, x2)
    out = torch.true_divide(x1, x2)
    # torch divides ints into its default float; lamina wants floatx.
    if not (x1.is_floating_point() or (isinstance(x2, torch.Tensor) and x2.is_floating_point())):
        out = out.to(_floatx())
    return out


def _unary(op):
    def apply(x):
        return op(convert_to_tensor(x))

    return apply


def _float_unary(op):
    def apply(x):
        return op(_float(x))

    return apply


def _rounding(op):
    def apply(x):
        x = convert_to_tensor(x)
        # Ints are already whole: NumPy returns them unchanged.
        return op(x) if x.is_floating_point() else x

    return apply


logical_not = _unary(torch.logical_not)
negative = _unary(torch.neg)
abs = _unary(torch.abs)
sign = _unary(torch.sign)
square = _unary(torch.square)
isnan = _unary(torch.isnan)
isinf = _unary(torch.isinf)
isfinite = _unary(torch.isfinite)
round = _rounding(torch.round)
floor = _rounding(torch.floor)
ceil = _rounding(torch.ceil)
sqrt = _float_unary(torch.sqrt)
exp = _float_unary(torch.exp)
log = _float_unary(torch.log)
log1p = _float_unary(torch.log1p)
expm1 = _float_unary(torch.expm1)
sin = _float_unary(torch.sin)
cos = _float_unary(torch.cos)
tanh = _float_unary(torch.tanh)
erf = _float_unary(torch.erf)


def _bound(value, x):
    # The bounds take x's dtype, so clipping never changes it.
    if value is None or isinstance(value, torch.Tensor):
        return None if value is None else value.to(x.dtype)
    if isinstance(value, _PY_SCALARS):
        return value if x.is_floating_point() else int(value)
    return convert_to_tensor(value, x.dtype)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = _int32(x)
    return torch.clamp(x, _bound(x_min, x), _bound(x_max, x))


def where(condition, x1, x2):
    condition = convert_to_tensor(condition)
    if condition.dtype != torch.bool:
        condition = condition != 0
    x1, x2 = _pair(x1, x2, scalar_ok=False)
    return torch.where(condition, x1, x2)


# --------------------------------------------------------------------------- reductions


def _dims(axis, ndim: int):
    """torch's `dim` for a NumPy axis (None: all dims)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _reduce(op, to_float=False):
    def apply(x, axis=None, keepdims=False):
        x = _float(x) if to_float else convert_to_tensor(x)
        dims = _dims(axis, x.ndim)
        if dims == ():
            return x
        return op(x, dim=dims, keepdim=keepdims)

    return apply


def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    dims = _dims(axis, x.ndim)
    dtype = _WIDER_SUM.get(x.dtype, x.dtype)
    if dims == ():
        return x.to(dtype)
    return torch.sum(x, dim=dims, keepdim=keepdims, dtype=dtype)


def prod(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    dtype = _WIDER_SUM.get(x.dtype, x.dtype)
    dims = _dims(axis, x.ndim)
    dims = (dims,) if isinstance(dims, int) else dims
    x = x.to(dtype)
    # torch.prod takes one dim at a time; go from the last so indices stay valid.
    for d in sorted((d % x.ndim for d in dims), reverse=True):
        # torch multiplies ints into int64 unless told the dtype.
        x = torch.prod(x, dim=d, keepdim=keepdims, dtype=dtype)
    return x


def _var(x, dim, keepdim):
    return torch.var(x, dim=dim, correction=0, keepdim=keepdim)


def _std(x, dim, keepdim):
    return torch.std(x, dim=dim, correction=0, keepdim=keepdim)


max = _reduce(torch.amax)
min = _reduce(torch.amin)
any = _reduce(torch.any)
all = _reduce(torch.all)
mean = _reduce(torch.mean, to_float=True)
var = _reduce(_var, to_float=True)
std = _reduce(_std, to_float=True)
logsumexp = _reduce(torch.logsumexp, to_float=True)


def count_nonzero(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    return sum(x != 0, axis=axis, keepdims=keepdims)


def _arg_reduce(op):
    def apply(x, axis=None):
        x = convert_to_tensor(x)
        if x.dtype == torch.bool:
            x = x.to(torch.int32)
        return _int32(op(x) if axis is None else op(x, dim=int(axis)))

    return apply


argmax = _arg_reduce(torch.argmax)
argmin = _arg_reduce(torch.argmin)


def cumsum(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumsum(x, dim=int(axis), dtype=_WIDER_SUM.get(x.dtype, x.dtype))


# --------------------------------------------------------------------------- linear algebra


def _same_dtype(*xs):
    xs = [convert_to_tensor(x) for x in xs]
    common = xs[0].dtype
    for x in xs[1:]:
        common = torch.promote_types(common, x.dtype)
    return [x if x.dtype == common else x.to(common) for x in xs]


def _integer_product(fn, *operands):
    """`fn` on integer tensors; off the CPU computed in float64, exact up to 2**53:
    CUDA has no integer matrix products (addmm_cuda is not implemented for ints)."""
    first = operands[0]
    if first.device.type == "cpu" or first.is_complex():
        return fn(*operands)
    return fn(*[o.to(torch.float64) for o in operands]).to(first.dtype)


def matmul(x1, x2):
    x1, x2 = _same_dtype(x1, x2)
    if x1.is_floating_point():
        return torch.matmul(x1, x2)
    return _integer_product(torch.matmul, x1, x2)


def _dot(x1, x2):
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x2.ndim <= 2:
        return torch.matmul(x1, x2)
    # NumPy: sum over the last axis of x1 and the second-to-last of x2.
    return torch.tensordot(x1, x2, dims=([x1.ndim - 1], [x2.ndim - 2]))


def dot(x1, x2):
    x1, x2 = _same_dtype(x1, x2)
    return _dot(x1, x2) if x1.is_floating_point() else _integer_product(_dot, x1, x2)


def einsum(subscripts, *operands):
    operands = _same_dtype(*operands)
    if operands[0].is_floating_point():
        return torch.einsum(subscripts, *operands)
    return _integer_product(lambda *xs: torch.einsum(subscripts, *xs), *operands)


def tensordot(a, b, axes=2):
    a, b = _same_dtype(a, b)
    if not isinstance(axes, int):
        axes = [list(np.atleast_1d(axes[0])), list(np.atleast_1d(axes[1]))]
    if a.is_floating_point():
        return torch.tensordot(a, b, dims=axes)
    return _integer_product(lambda x, y: torch.tensordot(x, y, dims=axes), a, b)


# --------------------------------------------------------------------------- shapes


def _shape_arg(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def reshape(x, newshape):
    return torch.reshape(convert_to_tensor(x), _shape_arg(newshape))


def transpose(x, axes=None):
    x = convert_to_tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim - 1, -1, -1))
    return x.permute(*axes)


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    if isinstance(axis, int):
        return torch.unsqueeze(x, axis)
    ndim = x.ndim + len(axis)
    for a in sorted(a % ndim for a in axis):
        x = torch.unsqueeze(x, a)
    return x


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        return torch.squeeze(x)
    return torch.squeeze(x, dim=axis if isinstance(axis, int) else tuple(axis))


def concatenate(xs, axis=0):
    return torch.cat([convert_to_tensor(x) for x in xs], dim=axis)


def stack(xs, axis=0):
    return torch.stack(_same_dtype(*xs), dim=axis)


def split(x, indices_or_sections, axis=0):
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, int):
        if x.shape[axis] % indices_or_sections:
            raise ValueError(
                f"split: an axis of size {x.shape[axis]} does not divide into "
                f"{indices_or_sections} equal sections; pass split indices instead."
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, [int(i) for i in indices_or_sections], dim=axis))


def tile(x, repeats):
    repeats = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return torch.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if not isinstance(repeats, int):
        repeats = torch.as_tensor(np.asarray(repeats), device=x.device)
    return torch.repeat_interleave(x, repeats, dim=axis)


def _pad_widths(pad_width, ndim: int) -> np.ndarray:
    widths = np.asarray(pad_width, dtype="int64")
    return np.broadcast_to(widths if widths.ndim == 2 else widths.reshape(-1)[-2:], (ndim, 2))


def _pad_indices(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Source indices along one axis for NumPy's reflect/symmetric/edge padding."""
    index = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(index, 0, n - 1)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        index = np.mod(index, period)
        return np.where(index >= n, period - index, index)
    # symmetric: the edge value repeats.
    period = 2 * n
    index = np.mod(index, period)
    return np.where(index >= n, period - 1 - index, index)


def pad(x, pad_width, mode="constant", constant_values=0):
    x = convert_to_tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        flat = [int(v) for pair in widths[::-1] for v in pair]
        return torch.nn.functional.pad(x, flat, value=constant_values)
    if mode not in ("reflect", "symmetric", "edge"):
        raise ValueError(
            f"pad mode must be 'constant', 'reflect', 'symmetric' or 'edge'; got {mode!r}."
        )
    for axis, (before, after) in enumerate(widths):
        if before or after:
            index = _pad_indices(x.shape[axis], int(before), int(after), mode)
            x = torch.index_select(x, axis, torch.as_tensor(index, device=x.device))
    return x


def broadcast_to(x, shape):
    return torch.broadcast_to(convert_to_tensor(x), _shape_arg(shape))


def flip(x, axis=None):
    x = convert_to_tensor(x)
    dims = _dims(axis, x.ndim)
    return torch.flip(x, (dims,) if isinstance(dims, int) else dims)


def moveaxis(x, source, destination):
    return torch.movedim(convert_to_tensor(x), source, destination)


def _index(indices, device):
    indices = convert_to_tensor(indices)
    if indices.device != device:
        indices = indices.to(device)
    return indices if indices.dtype == torch.int64 else indices.to(torch.int64)


def take(x, indices, axis=None):
    x = convert_to_tensor(x)
    indices = _index(indices, x.device)
    if axis is None:
        return x.reshape(-1)[indices]
    axis = axis % x.ndim
    return x[(builtins.slice(None),) * axis + (indices,)]


def take_along_axis(x, indices, axis):
    x = convert_to_tensor(x)
    indices = _index(indices, x.device)
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    return torch.take_along_dim(x, indices, dim=axis)


def slice(x, start_indices, shape):
    x = convert_to_tensor(x)
    index = []
    for start, size, n in zip(start_indices, shape, x.shape, strict=True):
        # Starts are clamped so the slice fits, as jax.lax.dynamic_slice does.
        start = builtins.min(builtins.max(int(start), 0), n - int(size))
        index.append(builtins.slice(start, start + int(size)))
    return x[tuple(index)]


# --------------------------------------------------------------------------- creation


def zeros(shape, dtype=None):
    return torch.zeros(_shape_arg(shape), dtype=_torch_dtype(dtype) or _floatx(), device=DEVICE)


def ones(shape, dtype=None):
    return torch.ones(_shape_arg(shape), dtype=_torch_dtype(dtype) or _floatx(), device=DEVICE)


def full(shape, fill_value, dtype=None):
    if isinstance(fill_value, _PY_SCALARS):
        dtype = _torch_dtype(dtype) or convert_to_tensor(fill_value).dtype
        return torch.full(_shape_arg(shape), fill_value, dtype=dtype, device=DEVICE)
    return torch.broadcast_to(convert_to_tensor(fill_value, dtype), _shape_arg(shape))


def copy(x):
    return convert_to_tensor(x).clone()


def zeros_like(x, dtype=None):
    return torch.zeros_like(convert_to_tensor(x), dtype=_torch_dtype(dtype))


def ones_like(x, dtype=None):
    return torch.ones_like(convert_to_tensor(x), dtype=_torch_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    dtype = _torch_dtype(dtype) or x.dtype
    if isinstance(fill_value, _PY_SCALARS):
        if not (dtype.is_floating_point or dtype == torch.bool):
            fill_value = int(fill_value)
        return torch.full_like(x, fill_value, dtype=dtype)
    return torch.broadcast_to(convert_to_tensor(fill_value, dtype), x.shape)


def _number(x):
    return x.item() if isinstance(x, torch.Tensor) else x


def arange(start, stop=None, step=1, dtype=None):
    start, stop, step = _number(start), _number(stop), _number(step)
    if dtype is None:
        floats = builtins.any(
            isinstance(b, float) or (isinstance(b, np.generic) and np.dtype(b).kind == "f")
            for b in (start, stop, step)
        )
        dtype = _floatx() if floats else torch.int32
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, step, dtype=_torch_dtype(dtype), device=DEVICE)


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = torch.arange(int(N), device=DEVICE)[:, None]
    cols = torch.arange(int(M), device=DEVICE)[None, :]
    return (cols - rows == int(k)).to(_torch_dtype(dtype) or _floatx())


# --------------------------------------------------------------------------- other


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    # Sorted output also satisfies sorted=False, which allows any order.
    values, indices = torch.topk(x, int(k), dim=-1, largest=True, sorted=True)
    return values, _int32(indices)


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = _index(targets, predictions.device)
    target_score = torch.take_along_dim(predictions, targets[:, None], dim=-1)
    # Ties at the boundary count as inside the top k, as tf.math.in_top_k does.
    higher = torch.sum(predictions > target_score, dim=-1)
    return (higher < k) & torch.isfinite(target_score[:, 0])


def sort(x, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return _int32(torch.argsort(x, dim=axis, stable=True))


# --------------------------------------------------------------------------- more element-wise

tan = _float_unary(torch.tan)
sinh = _float_unary(torch.sinh)
cosh = _float_unary(torch.cosh)
arcsin = _float_unary(torch.asin)
arccos = _float_unary(torch.acos)
arctan = _float_unary(torch.atan)
arcsinh = _float_unary(torch.asinh)
arccosh = _float_unary(torch.acosh)
arctanh = _float_unary(torch.atanh)
log2 = _float_unary(torch.log2)
log10 = _float_unary(torch.log10)
exp2 = _float_unary(torch.exp2)
i0 = _float_unary(torch.special.i0)


def arctan2(x1, x2):
    x1, x2 = _pair(x1, x2, scalar_ok=False)
    if not (x1.is_floating_point() or x2.is_floating_point()):
        x1, x2 = x1.to(_floatx()), x2.to(_floatx())
    return torch.atan2(x1, x2)


fmod = _binary(torch.fmod)


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    if dtype is not None:
        x = x.to(_torch_dtype(dtype))
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumprod(x, dim=int(axis), dtype=torch.int32 if x.dtype == torch.bool else x.dtype)


nextafter = _binary(torch.nextafter, scalar_ok=False)
gcd = _binary(torch.gcd, scalar_ok=False)
lcm = _binary(torch.lcm, scalar_ok=False)


# --------------------------------------------------------------------------- bitwise


def _bitwise(binary):
    """`binary` with the parameter names (x, y) of the bitwise ops."""

    def apply(x, y):
        return binary(x, y)

    return apply


bitwise_and = _bitwise(_binary(torch.bitwise_and, scalar_ok=False))
bitwise_or = _bitwise(_binary(torch.bitwise_or, scalar_ok=False))
bitwise_xor = _bitwise(_binary(torch.bitwise_xor, scalar_ok=False))
bitwise_not = _unary(torch.bitwise_not)
left_shift = _bitwise(_binary(torch.bitwise_left_shift, scalar_ok=False))
right_shift = _bitwise(_binary(torch.bitwise_right_shift, scalar_ok=False))


# --------------------------------------------------------------------------- bits


def view(x, dtype=None):
    x = convert_to_tensor(x)
    return x if dtype is None else x.contiguous().view(_torch_dtype(dtype))
