"""numpy functions of the backend contract on tensorflow.

TensorFlow does not promote dtypes; the helpers below do it the way NumPy
does, except that a Python scalar takes the dtype of the tensor it meets and
mixing ints with floats gives the float dtype (not float64), as in JAX.
"""

from __future__ import annotations

import builtins

import numpy as np
import tensorflow as tf

from lamina import config
from lamina.backend.tensorflow.core import convert_to_tensor

_PY_SCALARS = (bool, int, float)


# --------------------------------------------------------------------------- dtypes


def _is_float(dtype) -> bool:
    return tf.as_dtype(dtype).is_floating


def _kind(dtype) -> int:
    # 0 bool, 1 integer, 2 floating: the order in which values promote.
    dtype = tf.as_dtype(dtype)
    return 0 if dtype == tf.bool else 2 if dtype.is_floating else 1


def _result_dtype(a, b) -> str:
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return a if ka > kb else b
    if "bfloat16" in (a, b):
        # NumPy knows no bfloat16; float16 and bfloat16 meet in float32.
        other = b if a == "bfloat16" else a
        return "float32" if other == "float16" else other
    return np.promote_types(a, b).name


def _scalar_dtype(value, tensor_dtype) -> str:
    # A Python scalar adopts the tensor's dtype unless it is of a higher kind.
    kind = 0 if isinstance(value, bool) else 2 if isinstance(value, float) else 1
    if kind <= _kind(tensor_dtype):
        return tensor_dtype
    return config.floatx() if kind == 2 else "int32"


def _promote(*values):
    """Convert `values` to tensors of one common dtype."""
    tensors = [v for v in values if not isinstance(v, _PY_SCALARS)]
    if not tensors:
        tensors = [convert_to_tensor(v) for v in values]
        common = tensors[0].dtype.name
        for t in tensors[1:]:
            common = _result_dtype(common, t.dtype.name)
        return [tf.cast(t, common) for t in tensors]
    converted = {id(v): convert_to_tensor(v) for v in tensors}
    common = None
    for t in converted.values():
        common = t.dtype.name if common is None else _result_dtype(common, t.dtype.name)
    for v in values:
        if isinstance(v, _PY_SCALARS):
            common = _result_dtype(common, _scalar_dtype(v, common))
    out = []
    for v in values:
        t = converted[id(v)] if id(v) in converted else convert_to_tensor(v, common)
        out.append(t if t.dtype.name == common else tf.cast(t, common))
    return out


def _float(x):
    """`x` as a tensor, ints and bools cast to floatx (for sqrt, exp, mean, ...)."""
    x = convert_to_tensor(x)
    return x if _is_float(x.dtype) else tf.cast(x, config.floatx())


def _axes(axis, ndim):
    if axis is None:
        return list(range(ndim))
    axes = [axis] if isinstance(axis, int) else list(axis)
    return [a % ndim if ndim else a for a in axes]


# --------------------------------------------------------------------------- element-wise


def _binary(op):
    def apply(x1, x2):
        x1, x2 = _promote(x1, x2)
        return op(x1, x2)

    return apply


def add(x1, x2):
    x1, x2 = _promote(x1, x2)
    # A vector added along the last axis (a layer's bias) is TensorFlow's BiasAdd:
    # the same sum, but its gradient is a dedicated reduction, and on CPU Grappler
    # fuses it into the Conv2D or MatMul before it (and a Relu after).
    if (
        x2.shape.rank == 1
        and x1.shape.rank is not None
        and x1.shape.rank >= 2
        and x1.shape[-1] is not None
        and x1.shape[-1] == x2.shape[0]
        and x1.dtype.is_floating
    ):
        return tf.nn.bias_add(x1, x2)
    return tf.add(x1, x2)


subtract = _binary(tf.subtract)
multiply = _binary(tf.multiply)
floor_divide = _binary(tf.math.floordiv)
mod = _binary(tf.math.floormod)
power = _binary(tf.pow)
maximum = _binary(tf.maximum)
minimum = _binary(tf.minimum)
equal = _binary(tf.equal)
not_equal = _binary(tf.not_equal)
greater = _binary(tf.greater)
greater_equal = _binary(tf.greater_equal)
less = _binary(tf.less)
less_equal = _binary(tf.less_equal)


def divide(x1, x2):
    x1, x2 = _promote(x1, x2)
    if not _is_float(x1.dtype):
        x1, x2 = _float(x1), _float(x2)
    return tf.divide(x1, x2)


def logical_and(x1, x2):
    return tf.logical_and(_bool(x1), _bool(x2))


def logical_or(x1, x2):
    return tf.logical_or(_bool(x1), _bool(x2))


def logical_not(x):
    return tf.logical_not(_bool(x))


def _bool(x):
    x = convert_to_tensor(x)
    return x if x.dtype == tf.bool else tf.not_equal(x, tf.zeros([], x.dtype))


def _float_unary(op):
    def apply(x):
        return op(_float(x))

    return apply


sqrt = _float_unary(tf.sqrt)
exp = _float_unary(tf.exp)
log = _float_unary(tf.math.log)
log1p = _float_unary(tf.math.log1p)
expm1 = _float_unary(tf.math.expm1)
sin = _float_unary(tf.sin)
cos = _float_unary(tf.cos)
tanh = _float_unary(tf.tanh)
erf = _float_unary(tf.math.erf)


def _float_only(op):
    # Rounding an integer changes nothing, and TensorFlow refuses ints here.
    def apply(x):
        x = convert_to_tensor(x)
        return op(x) if _is_float(x.dtype) else x

    return apply


round = _float_only(tf.round)
floor = _float_only(tf.floor)
ceil = _float_only(tf.math.ceil)


def negative(x):
    return tf.negative(convert_to_tensor(x))


def abs(x):
    return tf.abs(convert_to_tensor(x))


def sign(x):
    return tf.sign(convert_to_tensor(x))


def square(x):
    return tf.square(convert_to_tensor(x))


def _float_test(op, ints):
    def apply(x):
        x = convert_to_tensor(x)
        if _is_float(x.dtype):
            return op(x)
        return tf.fill(tf.shape(x), ints)

    return apply


isnan = _float_test(tf.math.is_nan, False)
isinf = _float_test(tf.math.is_inf, False)
isfinite = _float_test(tf.math.is_finite, True)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    return tf.clip_by_value(x, tf.cast(x_min, x.dtype), tf.cast(x_max, x.dtype))


def where(condition, x1, x2):
    x1, x2 = _promote(x1, x2)
    return tf.where(_bool(condition), x1, x2)


# --------------------------------------------------------------------------- reductions


# Sums of small ints widen so that they do not overflow, as in NumPy.
_WIDER_SUM = {
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "uint32",
    "uint16": "uint32",
}


def _widen(x):
    wider = _WIDER_SUM.get(x.dtype.name)
    return tf.cast(x, wider) if wider else x


def _reduction(op, prepare):
    def apply(x, axis=None, keepdims=False):
        x = prepare(convert_to_tensor(x))
        return op(x, axis=_axis_arg(axis), keepdims=keepdims)

    return apply


def _axis_arg(axis):
    return list(axis) if isinstance(axis, tuple) else axis


sum = _reduction(tf.reduce_sum, _widen)
prod = _reduction(tf.reduce_prod, _widen)
mean = _reduction(tf.reduce_mean, _float)
var = _reduction(tf.math.reduce_variance, _float)
std = _reduction(tf.math.reduce_std, _float)
logsumexp = _reduction(tf.reduce_logsumexp, _float)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(_bool(x), axis=_axis_arg(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(_bool(x), axis=_axis_arg(axis), keepdims=keepdims)


def _extreme(op, for_bool):
    # TensorFlow has no max/min of bools; for bools they are any/all.
    def apply(x, axis=None, keepdims=False):
        x = convert_to_tensor(x)
        op_here = for_bool if x.dtype == tf.bool else op
        return op_here(x, axis=_axis_arg(axis), keepdims=keepdims)

    return apply


max = _extreme(tf.reduce_max, tf.reduce_any)
min = _extreme(tf.reduce_min, tf.reduce_all)


def count_nonzero(x, axis=None, keepdims=False):
    count = tf.math.count_nonzero(_bool(x), axis=_axis_arg(axis), keepdims=keepdims)
    return tf.cast(count, "int32")


def _arg_reduction(op):
    def apply(x, axis=None):
        x = convert_to_tensor(x)
        if axis is None:
            x, axis = tf.reshape(x, [-1]), 0
        if x.dtype == tf.bool:
            x = tf.cast(x, "int32")
        return op(x, axis=axis, output_type="int32")

    return apply


argmax = _arg_reduction(tf.argmax)
argmin = _arg_reduction(tf.argmin)


def cumsum(x, axis=None):
    x = _widen(convert_to_tensor(x))
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.cumsum(x, axis=axis)


# --------------------------------------------------------------------------- linear algebra


def matmul(x1, x2):
    x1, x2 = _promote(x1, x2)
    # NumPy's rule for vectors: a 1-D operand gains a dim that is removed again.
    vec1, vec2 = x1.shape.rank == 1, x2.shape.rank == 1
    if vec1:
        x1 = x1[None, :]
    if vec2:
        x2 = x2[:, None]
    out = tf.linalg.matmul(x1, x2)
    if vec2:
        out = out[..., 0]
    if vec1:
        out = out[..., 0, :] if not vec2 else out[..., 0]
    return out


def dot(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.shape.rank == 0 or x2.shape.rank == 0:
        return x1 * x2
    # NumPy's dot contracts the last axis of x1 with the second to last of x2.
    axis2 = 0 if x2.shape.rank == 1 else x2.shape.rank - 2
    return tf.tensordot(x1, x2, axes=[[x1.shape.rank - 1], [axis2]])


def einsum(subscripts, *operands):
    return tf.einsum(subscripts, *_promote(*operands))


def tensordot(a, b, axes=2):
    a, b = _promote(a, b)
    return tf.tensordot(a, b, axes=axes)


# --------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    if isinstance(newshape, int):
        newshape = [newshape]
    return tf.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    return tf.transpose(convert_to_tensor(x), perm=axes)


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    axes = [axis] if isinstance(axis, int) else list(axis)
    rank = x.shape.rank + len(axes)
    for a in sorted(a % rank for a in axes):
        x = tf.expand_dims(x, a)
    return x


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        return tf.squeeze(x)
    return tf.squeeze(x, axis=_axes(axis, x.shape.rank))


def concatenate(xs, axis=0):
    return tf.concat(_promote(*xs), axis=axis)


def stack(xs, axis=0):
    return tf.stack(_promote(*xs), axis=axis)


def split(x, indices_or_sections, axis=0):
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    # NumPy names the cut points; TensorFlow wants the piece sizes.
    size = x.shape[axis]
    points = [0, *[int(i) for i in indices_or_sections], size]
    sizes = [builtins.max(0, b - a) for a, b in zip(points[:-1], points[1:], strict=True)]
    return tf.split(x, sizes, axis=axis)


def tile(x, repeats):
    x = convert_to_tensor(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    # NumPy aligns `repeats` and the shape on the right, padding either with 1s.
    extra = len(repeats) - x.shape.rank
    if extra > 0:
        x = tf.reshape(x, [1] * extra + x.shape.as_list())
    repeats = [1] * (x.shape.rank - len(repeats)) + repeats
    return tf.tile(x, repeats)


def repeat(x, repeats, axis=None):
    return tf.repeat(convert_to_tensor(x), repeats, axis=axis)


_PAD_MODES = {"constant": "CONSTANT", "reflect": "REFLECT", "symmetric": "SYMMETRIC"}


def pad(x, pad_width, mode="constant", constant_values=0):
    x = convert_to_tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(
            f"pad mode {mode!r} is not supported on TensorFlow; use one of {list(_PAD_MODES)}."
        )
    widths = np.broadcast_to(np.asarray(pad_width, dtype="int64"), (x.shape.rank, 2))
    kwargs = {"constant_values": constant_values} if mode == "constant" else {}
    return tf.pad(x, widths.tolist(), mode=_PAD_MODES[mode], **kwargs)


def broadcast_to(x, shape):
    return tf.broadcast_to(convert_to_tensor(x), shape)


def flip(x, axis=None):
    x = convert_to_tensor(x)
    return tf.reverse(x, _axes(axis, x.shape.rank))


def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    rank = x.shape.rank
    source, destination = _axes(source, rank), _axes(destination, rank)
    order = [a for a in range(rank) if a not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(dest, src)
    return tf.transpose(x, order)


def _wrap_negative(indices, size):
    # NumPy counts negative indices from the end; tf.gather would reject them.
    indices = convert_to_tensor(indices)
    return tf.where(indices < 0, indices + tf.cast(size, indices.dtype), indices)


def take(x, indices, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    size = tf.shape(x, out_type="int64")[axis]
    return tf.gather(x, _wrap_negative(indices, size), axis=axis)


def take_along_axis(x, indices, axis):
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices)
    if axis is None:
        x, indices, axis = tf.reshape(x, [-1]), tf.reshape(indices, [-1]), 0
    axis = axis % x.shape.rank
    x_last = moveaxis(x, axis, -1)
    idx_last = moveaxis(indices, axis, -1)
    # Every dim but the gathered one broadcasts between x and indices.
    batch = tf.broadcast_dynamic_shape(tf.shape(x_last)[:-1], tf.shape(idx_last)[:-1])
    x_last = tf.broadcast_to(x_last, tf.concat([batch, tf.shape(x_last)[-1:]], 0))
    idx_last = tf.broadcast_to(idx_last, tf.concat([batch, tf.shape(idx_last)[-1:]], 0))
    idx_last = _wrap_negative(idx_last, tf.shape(x_last)[-1])
    out = tf.gather(x_last, idx_last, batch_dims=x.shape.rank - 1)
    return moveaxis(out, -1, axis)


def slice(x, start_indices, shape):
    return tf.slice(convert_to_tensor(x), start_indices, shape)


# --------------------------------------------------------------------------- creation


def zeros(shape, dtype=None):
    return tf.zeros(shape, dtype=dtype or config.floatx())


def ones(shape, dtype=None):
    return tf.ones(shape, dtype=dtype or config.floatx())


def full(shape, fill_value, dtype=None):
    value = convert_to_tensor(fill_value, dtype)
    return tf.broadcast_to(value, shape)


def copy(x):
    # TensorFlow's tensors are immutable and nothing donates them: identity is a copy.
    return tf.identity(convert_to_tensor(x))


def zeros_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.zeros(tf.shape(x), dtype=dtype or x.dtype)


def ones_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.ones(tf.shape(x), dtype=dtype or x.dtype)


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    return tf.broadcast_to(convert_to_tensor(fill_value, dtype or x.dtype.name), tf.shape(x))


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        bounds = [start, stop, step]
        floats = builtins.any(isinstance(b, float) or _is_float_tensor(b) for b in bounds)
        dtype = config.floatx() if floats else "int32"
    return tf.range(start, stop, step, dtype=dtype)


def _is_float_tensor(x) -> bool:
    return hasattr(x, "dtype") and np.dtype(getattr(x.dtype, "name", x.dtype)).kind == "f"


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = tf.range(N)[:, None] + k
    return tf.cast(tf.equal(rows, tf.range(M)[None, :]), dtype or config.floatx())


# --------------------------------------------------------------------------- other


def top_k(x, k, sorted=True):
    values, indices = tf.math.top_k(convert_to_tensor(x), k=k, sorted=sorted)
    return values, indices


def in_top_k(targets, predictions, k):
    predictions = _float(predictions)
    targets = tf.cast(convert_to_tensor(targets), "int32")
    target_score = tf.gather(predictions, targets, batch_dims=1)
    # Ties at the boundary count as inside the top k, as tf.math.in_top_k does.
    higher = tf.reduce_sum(tf.cast(predictions > target_score[:, None], "int32"), axis=-1)
    return tf.logical_and(higher < k, tf.math.is_finite(target_score))


def sort(x, axis=-1):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        return tf.cast(tf.sort(tf.cast(x, "int32"), axis=axis), "bool")
    return tf.sort(x, axis=axis)


def argsort(x, axis=-1):
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, "int32")
    return tf.argsort(x, axis=axis, stable=True)


# --------------------------------------------------------------------------- more element-wise

tan = _float_unary(tf.tan)
sinh = _float_unary(tf.sinh)
cosh = _float_unary(tf.cosh)
arcsin = _float_unary(tf.asin)
arccos = _float_unary(tf.acos)
arctan = _float_unary(tf.atan)
arcsinh = _float_unary(tf.asinh)
arccosh = _float_unary(tf.acosh)
arctanh = _float_unary(tf.atanh)
i0 = _float_unary(tf.math.special.bessel_i0)


def _log_base(base):
    def apply(x):
        x = _float(x)
        return tf.math.log(x) / tf.math.log(tf.constant(base, x.dtype))

    return apply


log2 = _log_base(2.0)
log10 = _log_base(10.0)


def exp2(x):
    x = _float(x)
    return tf.pow(tf.constant(2.0, x.dtype), x)


def arctan2(x1, x2):
    x1, x2 = _promote(x1, x2)
    if not _is_float(x1.dtype):
        x1, x2 = _float(x1), _float(x2)
    return tf.atan2(x1, x2)


def fmod(x1, x2):
    x1, x2 = _promote(x1, x2)
    if not _is_float(x1.dtype):
        return tf.truncatemod(x1, x2)
    # TruncateMod has no gradient; FloorMod of the magnitudes is the same value.
    return tf.sign(x1) * tf.math.floormod(tf.abs(x1), tf.abs(x2))


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        dtype = "int32" if x.dtype == tf.bool else x.dtype
    x = tf.cast(x, dtype)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.math.cumprod(x, axis=axis)


nextafter = _binary(tf.math.nextafter)
gcd = _binary(tf.experimental.numpy.gcd)
lcm = _binary(tf.experimental.numpy.lcm)


# --------------------------------------------------------------------------- bitwise


def _bitwise(op, for_bool):
    def apply(x, y):
        x, y = _promote(x, y)
        return for_bool(x, y) if x.dtype == tf.bool else op(x, y)

    return apply


bitwise_and = _bitwise(tf.bitwise.bitwise_and, tf.logical_and)
bitwise_or = _bitwise(tf.bitwise.bitwise_or, tf.logical_or)
bitwise_xor = _bitwise(tf.bitwise.bitwise_xor, tf.math.logical_xor)


def _shift_bools(op):
    # Shifted bools count as ints, as in NumPy.
    def apply(x, y):
        return op(tf.cast(x, "int32"), tf.cast(y, "int32"))

    return apply


left_shift = _bitwise(tf.bitwise.left_shift, _shift_bools(tf.bitwise.left_shift))
right_shift = _bitwise(tf.bitwise.right_shift, _shift_bools(tf.bitwise.right_shift))


def bitwise_not(x):
    x = convert_to_tensor(x)
    return tf.logical_not(x) if x.dtype == tf.bool else tf.bitwise.invert(x)


# --------------------------------------------------------------------------- bits


def view(x, dtype=None):
    x = convert_to_tensor(x)
    if dtype is None:
        return x
    old, new = (
        np.dtype(x.dtype.as_numpy_dtype).itemsize,
        np.dtype(tf.as_dtype(dtype).as_numpy_dtype).itemsize,
    )
    shape = tuple(x.shape.as_list())
    if new == old:
        return tf.bitcast(x, tf.as_dtype(dtype))
    if not shape:
        raise ValueError(
            f"view: a scalar of {old} bytes cannot be viewed as {dtype} of {new} bytes; "
            "give a tensor of at least 1 dim."
        )
    if new < old:
        # The bitcast adds an axis of old // new parts: merge it into the last.
        out = tf.bitcast(x, tf.as_dtype(dtype))
        return tf.reshape(out, shape[:-1] + (shape[-1] * (old // new),))
    parts = new // old
    if shape[-1] % parts:
        raise ValueError(
            f"view: the last dim ({shape[-1]}) must be a multiple of {parts} to view "
            f"{old}-byte entries as {dtype}."
        )
    grouped = tf.reshape(x, shape[:-1] + (shape[-1] // parts, parts))
    return tf.bitcast(grouped, tf.as_dtype(dtype))
