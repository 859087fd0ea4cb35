"""lamina.ops.numpy: NumPy-like operations on the selected engine.

Shape rules use NumPy's broadcasting: `broadcast(a, b)` aligns the shapes on
the right, and each pair of dims must match or one of them be 1.

Dtype rules: a Python scalar takes the dtype of the tensor it meets; ints
meeting floats give the float dtype (not float64); functions that need floats
(sqrt, exp, divide, mean, ...) compute ints in `floatx()`.
"""

from __future__ import annotations

import builtins
import math as _math
import re as _re

import numpy as _onp

from lamina import config as _config
from lamina.backend import engine as _engine

Axis = int | tuple[int, ...] | None

__all__ = [
    # element-wise
    "abs", "add", "ceil", "clip", "cos", "divide", "erf", "exp", "expm1", "floor",
    "floor_divide", "isfinite", "isinf", "isnan", "log", "log1p", "maximum", "minimum",
    "mod", "multiply", "negative", "power", "round", "sign", "sin", "sqrt", "square",
    "subtract", "tanh", "where",
    # comparison and logic
    "equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
    "logical_not", "logical_or", "not_equal",
    # reductions
    "all", "any", "argmax", "argmin", "count_nonzero", "cumsum", "logsumexp", "max",
    "mean", "min", "prod", "std", "sum", "var",
    # linear algebra
    "dot", "einsum", "matmul", "tensordot",
    # shapes
    "broadcast_to", "concatenate", "expand_dims", "flip", "moveaxis", "pad", "repeat",
    "reshape", "slice", "split", "squeeze", "stack", "take", "take_along_axis", "tile",
    "transpose",
    # creation
    "arange", "copy", "eye", "full", "full_like", "ones", "ones_like", "zeros", "zeros_like",
    # other
    "argsort", "in_top_k", "sort", "top_k",
    # more element-wise
    "absolute", "allclose", "angle", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "cbrt", "conj", "conjugate", "cosh", "deg2rad", "divide_no_nan",
    "exp2", "fabs", "fmax", "fmin", "fmod", "gcd", "heaviside", "hypot", "i0", "imag",
    "isclose", "isin", "isneginf", "isposinf", "isreal", "lcm", "ldexp", "log10", "log2",
    "logaddexp", "logaddexp2", "logical_xor", "nan_to_num", "nextafter", "rad2deg", "real",
    "reciprocal", "select", "signbit", "sinc", "sinh", "tan", "true_divide", "trunc",
    # bitwise
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "left_shift", "right_shift",
    # more reductions
    "amax", "amin", "average", "cumprod", "median", "nanargmax", "nanargmin",
    "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin",
    "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar",
    "percentile", "ptp", "quantile",
    # more linear algebra
    "corrcoef", "correlate", "cross", "diag", "diagflat", "diagonal", "inner", "kron",
    "outer", "trace", "trapezoid", "vander", "vdot",
    # more shapes
    "append", "array_split", "diff", "dsplit", "dstack", "fliplr", "flipud", "get_item",
    "hsplit", "hstack", "meshgrid", "ndim", "ravel", "roll", "rot90", "size", "swapaxes",
    "tril", "triu", "vsplit", "vstack",
    # more creation
    "array", "bartlett", "blackman", "empty", "empty_like", "geomspace", "hamming",
    "hanning", "identity", "kaiser", "linspace", "logspace", "tri",
    # searching and counting
    "argpartition", "bincount", "digitize", "histogram", "nonzero", "searchsorted",
    "unique", "unravel_index", "vectorize", "view",
]  # fmt: skip

_np = _engine.numpy


# --------------------------------------------------------------------------- element-wise
# Binary element-wise ops: shape broadcast(x1, x2).


def add(x1, x2):
    """`x1 + x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.add(x1, x2)


def subtract(x1, x2):
    """`x1 - x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.subtract(x1, x2)


def multiply(x1, x2):
    """`x1 * x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.multiply(x1, x2)


def divide(x1, x2):
    """`x1 / x2`, element-wise true division (ints give floatx). Shape: broadcast(x1, x2)."""
    return _np.divide(x1, x2)


def floor_divide(x1, x2):
    """`x1 // x2`, element-wise, rounding toward -inf. Shape: broadcast(x1, x2)."""
    return _np.floor_divide(x1, x2)


def mod(x1, x2):
    """`x1 % x2`, element-wise, with the sign of `x2` as in NumPy. Shape: broadcast(x1, x2)."""
    return _np.mod(x1, x2)


def power(x1, x2):
    """`x1 ** x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.power(x1, x2)


def maximum(x1, x2):
    """The larger of `x1` and `x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.maximum(x1, x2)


def minimum(x1, x2):
    """The smaller of `x1` and `x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.minimum(x1, x2)


# Unary element-wise ops: shape unchanged.


def negative(x):
    """`-x`, element-wise. Shape: unchanged."""
    return _np.negative(x)


def abs(x):
    """`|x|`, element-wise. Shape: unchanged."""
    return _np.abs(x)


def sign(x):
    """-1, 0 or 1 by the sign of `x`, element-wise. Shape: unchanged."""
    return _np.sign(x)


def sqrt(x):
    """Square root, element-wise (ints give floatx). Shape: unchanged."""
    return _np.sqrt(x)


def square(x):
    """`x * x`, element-wise. Shape: unchanged."""
    return _np.square(x)


def exp(x):
    """`e ** x`, element-wise (ints give floatx). Shape: unchanged."""
    return _np.exp(x)


def log(x):
    """Natural logarithm, element-wise (ints give floatx). Shape: unchanged."""
    return _np.log(x)


def log1p(x):
    """`log(1 + x)`, accurate for small `x` (ints give floatx). Shape: unchanged."""
    return _np.log1p(x)


def expm1(x):
    """`exp(x) - 1`, accurate for small `x` (ints give floatx). Shape: unchanged."""
    return _np.expm1(x)


def sin(x):
    """Sine, element-wise (ints give floatx). Shape: unchanged."""
    return _np.sin(x)


def cos(x):
    """Cosine, element-wise (ints give floatx). Shape: unchanged."""
    return _np.cos(x)


def tanh(x):
    """Hyperbolic tangent, element-wise (ints give floatx). Shape: unchanged."""
    return _np.tanh(x)


def erf(x):
    """The Gauss error function, element-wise (ints give floatx). Shape: unchanged."""
    return _np.erf(x)


def round(x):
    """Round to the nearest integer, halves to even as NumPy does. Shape: unchanged."""
    return _np.round(x)


def floor(x):
    """Round toward -inf, element-wise (ints are returned as they are). Shape: unchanged."""
    return _np.floor(x)


def ceil(x):
    """Round toward +inf, element-wise (ints are returned as they are). Shape: unchanged."""
    return _np.ceil(x)


def isnan(x):
    """Whether each entry is NaN, as bools. Shape: unchanged."""
    return _np.isnan(x)


def isinf(x):
    """Whether each entry is +inf or -inf, as bools. Shape: unchanged."""
    return _np.isinf(x)


def isfinite(x):
    """Whether each entry is neither NaN nor infinite, as bools. Shape: unchanged."""
    return _np.isfinite(x)


def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]`, in the dtype of `x` (bools give int32). Shape: unchanged."""
    return _np.clip(x, x_min, x_max)


def where(condition, x1, x2):
    """`x1` where `condition` is true, else `x2`. Shape: broadcast(condition, x1, x2)."""
    return _np.where(condition, x1, x2)


# --------------------------------------------------------------------------- comparison and logic
# All return bools of shape broadcast(x1, x2).


def equal(x1, x2):
    """`x1 == x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.equal(x1, x2)


def not_equal(x1, x2):
    """`x1 != x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.not_equal(x1, x2)


def greater(x1, x2):
    """`x1 > x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.greater(x1, x2)


def greater_equal(x1, x2):
    """`x1 >= x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.greater_equal(x1, x2)


def less(x1, x2):
    """`x1 < x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.less(x1, x2)


def less_equal(x1, x2):
    """`x1 <= x2`, element-wise. Shape: broadcast(x1, x2)."""
    return _np.less_equal(x1, x2)


def logical_and(x1, x2):
    """Truth of `x1 and x2`, element-wise (nonzero is true). Shape: broadcast(x1, x2)."""
    return _np.logical_and(x1, x2)


def logical_or(x1, x2):
    """Truth of `x1 or x2`, element-wise (nonzero is true). Shape: broadcast(x1, x2)."""
    return _np.logical_or(x1, x2)


def logical_not(x):
    """Truth of `not x`, element-wise (nonzero is true). Shape: unchanged."""
    return _np.logical_not(x)


# --------------------------------------------------------------------------- reductions
# Shape rule for all of them: `x.shape` without the axes in `axis` (every axis
# when None); with keepdims those axes stay, with size 1.


def sum(x, axis: Axis = None, keepdims: bool = False):
    """Sum over `axis`; bools and 8/16-bit ints sum in 32 bits. Shape: reduced over axis."""
    return _np.sum(x, axis=axis, keepdims=keepdims)


def prod(x, axis: Axis = None, keepdims: bool = False):
    """Product over `axis`; bools and 8/16-bit ints in 32 bits. Shape: reduced over axis."""
    return _np.prod(x, axis=axis, keepdims=keepdims)


def mean(x, axis: Axis = None, keepdims: bool = False):
    """Arithmetic mean over `axis` (ints give floatx). Shape: reduced over axis."""
    return _np.mean(x, axis=axis, keepdims=keepdims)


def var(x, axis: Axis = None, keepdims: bool = False):
    """Population variance (ddof=0) over `axis` (ints give floatx). Shape: reduced over axis."""
    return _np.var(x, axis=axis, keepdims=keepdims)


def std(x, axis: Axis = None, keepdims: bool = False):
    """Population standard deviation over `axis` (ints give floatx). Shape: reduced over axis."""
    return _np.std(x, axis=axis, keepdims=keepdims)


def max(x, axis: Axis = None, keepdims: bool = False):
    """Largest entry over `axis`. Shape: reduced over axis."""
    return _np.max(x, axis=axis, keepdims=keepdims)


def min(x, axis: Axis = None, keepdims: bool = False):
    """Smallest entry over `axis`. Shape: reduced over axis."""
    return _np.min(x, axis=axis, keepdims=keepdims)


def any(x, axis: Axis = None, keepdims: bool = False):
    """Whether any entry over `axis` is nonzero, as bools. Shape: reduced over axis."""
    return _np.any(x, axis=axis, keepdims=keepdims)


def all(x, axis: Axis = None, keepdims: bool = False):
    """Whether every entry over `axis` is nonzero, as bools. Shape: reduced over axis."""
    return _np.all(x, axis=axis, keepdims=keepdims)


def logsumexp(x, axis: Axis = None, keepdims: bool = False):
    """`log(sum(exp(x)))` over `axis`, computed stably. Shape: reduced over axis."""
    return _np.logsumexp(x, axis=axis, keepdims=keepdims)


def count_nonzero(x, axis: Axis = None, keepdims: bool = False):
    """The number of nonzero entries over `axis`, as int32. Shape: reduced over axis."""
    return _np.count_nonzero(x, axis=axis, keepdims=keepdims)


def argmax(x, axis: int | None = None):
    """Index of the first largest entry along `axis` (of the flattened `x` when None), int32.

    Shape: `x.shape` without `axis` (a scalar when None).
    """
    return _np.argmax(x, axis=axis)


def argmin(x, axis: int | None = None):
    """Index of the first smallest entry along `axis` (of the flattened `x` when None), int32.

    Shape: `x.shape` without `axis` (a scalar when None).
    """
    return _np.argmin(x, axis=axis)


def cumsum(x, axis: int | None = None):
    """Running sum along `axis` (of the flattened `x` when None).

    Shape: unchanged, or `(x.size,)` when `axis` is None.
    """
    return _np.cumsum(x, axis=axis)


# --------------------------------------------------------------------------- linear algebra


def matmul(x1, x2):
    """Matrix product, as NumPy's `@`: batch dims broadcast, 1-D operands are vectors.

    Shape: `(..., n, k) @ (..., k, m) -> (broadcast(...), n, m)`.
    """
    return _np.matmul(x1, x2)


def dot(x1, x2):
    """NumPy's `dot`: sums the last axis of `x1` with the second to last of `x2`.

    Shape: `x1.shape[:-1] + x2.shape[:-2] + x2.shape[-1:]` (scalars multiply).
    """
    return _np.dot(x1, x2)


def einsum(subscripts: str, *operands):
    """Einstein summation, as `numpy.einsum`. Shape: given by `subscripts`."""
    return _np.einsum(subscripts, *operands)


def tensordot(a, b, axes=2):
    """Sum of products over axes: the last `axes` of `a` with the first `axes` of `b`.

    Args:
        a, b: the tensors.
        axes: an int, or a pair of axis lists `(axes_a, axes_b)`.

    Returns:
        The free axes of `a` followed by the free axes of `b`.
    """
    return _np.tensordot(a, b, axes=axes)


# --------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    """`x` with a new shape of the same size; one entry may be -1. Shape: `newshape`."""
    return _np.reshape(x, newshape)


def transpose(x, axes=None):
    """Permute the axes (reverse them when None). Shape: `x.shape` permuted by `axes`."""
    return _np.transpose(x, axes)


def expand_dims(x, axis: int | tuple[int, ...]):
    """Insert size-1 dims at `axis` (positions in the output). Shape: ndim + len(axis)."""
    return _np.expand_dims(x, axis)


def squeeze(x, axis: Axis = None):
    """Remove size-1 dims at `axis` (all of them when None). Shape: those dims removed."""
    return _np.squeeze(x, axis=axis)


def concatenate(xs, axis: int = 0):
    """Join tensors along an existing axis. Shape: sizes along `axis` add up."""
    return _np.concatenate(xs, axis=axis)


def stack(xs, axis: int = 0):
    """Join same-shape tensors along a new axis. Shape: `len(xs)` inserted at `axis`."""
    return _np.stack(xs, axis=axis)


def split(x, indices_or_sections, axis: int = 0):
    """Split `x` along `axis` into equal sections (an int) or at the given indices (a list).

    Returns:
        A list of tensors; an int must divide `x.shape[axis]`.
    """
    return _np.split(x, indices_or_sections, axis=axis)


def tile(x, repeats):
    """Repeat `x` as a whole, `repeats[i]` times along axis i (aligned on the right).

    Shape: `x.shape * repeats`, with the shorter of the two padded with 1s on the left.
    """
    return _np.tile(x, repeats)


def repeat(x, repeats, axis: int | None = None):
    """Repeat each entry `repeats` times along `axis` (of the flattened `x` when None).

    Shape: `x.shape` with `axis` grown to `sum(repeats)`.
    """
    return _np.repeat(x, repeats, axis=axis)


def pad(x, pad_width, mode: str = "constant", constant_values=0):
    """Pad `x` as `numpy.pad` does.

    Args:
        x: the tensor.
        pad_width: an int, a `(before, after)` pair, or one pair per axis.
        mode: "constant", "reflect" or "symmetric" (JAX also takes NumPy's others).
        constant_values: the fill value for "constant".

    Returns:
        Shape: each dim grown by its `before + after`.
    """
    return _np.pad(x, pad_width, mode=mode, constant_values=constant_values)


def broadcast_to(x, shape):
    """`x` broadcast to `shape`. Shape: `shape`."""
    return _np.broadcast_to(x, shape)


def flip(x, axis: Axis = None):
    """Reverse the order of entries along `axis` (every axis when None). Shape: unchanged."""
    return _np.flip(x, axis=axis)


def moveaxis(x, source, destination):
    """Move axes `source` to positions `destination`, keeping the others in order.

    Shape: `x.shape` permuted accordingly.
    """
    return _np.moveaxis(x, source, destination)


def take(x, indices, axis: int | None = None):
    """Entries of `x` at `indices` along `axis` (of the flattened `x` when None).

    Negative indices count from the end. Shape: `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
    """
    return _np.take(x, indices, axis=axis)


def take_along_axis(x, indices, axis: int | None):
    """Pick `x` at `indices` along `axis`, matching the other axes (they broadcast).

    Shape: broadcast of `x` and `indices` except along `axis`, which is `indices.shape[axis]`.
    """
    return _np.take_along_axis(x, indices, axis)


def slice(x, start_indices, shape):
    """The block of `x` that starts at `start_indices` and has `shape`. Shape: `shape`."""
    return _np.slice(x, start_indices, shape)


# --------------------------------------------------------------------------- creation


def zeros(shape, dtype: str | None = None):
    """A tensor of zeros; `dtype` defaults to `floatx()`. Shape: `shape`."""
    return _np.zeros(shape, dtype=dtype)


def ones(shape, dtype: str | None = None):
    """A tensor of ones; `dtype` defaults to `floatx()`. Shape: `shape`."""
    return _np.ones(shape, dtype=dtype)


def full(shape, fill_value, dtype: str | None = None):
    """A tensor filled with `fill_value`, whose dtype is inferred when `dtype` is None.

    Shape: `shape` (`fill_value` may be a tensor that broadcasts to it).
    """
    return _np.full(shape, fill_value, dtype=dtype)


def copy(x):
    """A new tensor with the value of `x` that shares no buffer with it. Shape: `x.shape`."""
    return _np.copy(x)


def zeros_like(x, dtype: str | None = None):
    """Zeros with the shape of `x` and its dtype unless `dtype` is given. Shape: `x.shape`."""
    return _np.zeros_like(x, dtype=dtype)


def ones_like(x, dtype: str | None = None):
    """Ones with the shape of `x` and its dtype unless `dtype` is given. Shape: `x.shape`."""
    return _np.ones_like(x, dtype=dtype)


def full_like(x, fill_value, dtype: str | None = None):
    """`fill_value` with the shape of `x` and its dtype unless `dtype` is given. Shape: `x.shape`."""
    return _np.full_like(x, fill_value, dtype=dtype)


def arange(start, stop=None, step=1, dtype: str | None = None):
    """Evenly spaced values in `[start, stop)`; `arange(n)` counts from 0.

    The dtype is int32, or floatx when a bound is a float. Shape: `(ceil((stop - start) / step),)`.
    """
    return _np.arange(start, stop, step, dtype=dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: str | None = None):
    """Ones on the k-th diagonal, zeros elsewhere; `dtype` defaults to `floatx()`.

    Shape: `(N, M)` (`M` defaults to `N`).
    """
    return _np.eye(N, M, k, dtype=dtype)


# --------------------------------------------------------------------------- other


def top_k(x, k: int, sorted: bool = True):
    """The `k` largest entries along the last axis and their int32 indices.

    Returns:
        `(values, indices)`, each of shape `x.shape[:-1] + (k,)`, largest first.
    """
    return _np.top_k(x, k, sorted=sorted)


def in_top_k(targets, predictions, k: int):
    """Whether each target class is among the `k` highest predictions.

    Ties at the boundary count as inside; a non-finite target score is outside.

    Args:
        targets: int class indices, shape `(batch,)`.
        predictions: scores, shape `(batch, classes)`.
        k: how many of the highest scores count.

    Returns:
        bools of shape `(batch,)`.
    """
    return _np.in_top_k(targets, predictions, k)


def sort(x, axis: int = -1):
    """`x` sorted ascending along `axis`. Shape: unchanged."""
    return _np.sort(x, axis=axis)


def argsort(x, axis: int = -1):
    """The int32 indices that sort `x` along `axis` (stable: ties keep their order).

    Shape: unchanged.
    """
    return _np.argsort(x, axis=axis)


# --------------------------------------------------------------------------- helpers of the ops below
# Ops written from the ops above: one definition for every engine, differentiable
# wherever the ops they use are.

_core = _engine.core


def _tensor(x):
    return _core.convert_to_tensor(x)


def _shape(x) -> tuple:
    return tuple(_core.shape(x))


def _dtype(x) -> str:
    return _core.dtype(x)


def _is_float_dtype(dtype: str) -> bool:
    return "float" in dtype


def _floating(x):
    """`x` as a tensor, ints and bools cast to floatx."""
    x = _tensor(x)
    return x if _is_float_dtype(_dtype(x)) else _core.cast(x, _config.floatx())


def _axes_tuple(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def _index_along(x, start: int, stop: int, axis: int):
    """`x[start:stop]` along `axis` (a gather, so every engine differentiates it)."""
    return take(x, _onp.arange(start, stop, dtype="int32"), axis=axis)


# --------------------------------------------------------------------------- more element-wise


def tan(x):
    """Tangent, element-wise (ints give floatx). Shape: unchanged."""
    return _np.tan(x)


def sinh(x):
    """Hyperbolic sine, element-wise (ints give floatx). Shape: unchanged."""
    return _np.sinh(x)


def cosh(x):
    """Hyperbolic cosine, element-wise (ints give floatx). Shape: unchanged."""
    return _np.cosh(x)


def arcsin(x):
    """Inverse sine, in `[-pi/2, pi/2]` (ints give floatx). Shape: unchanged."""
    return _np.arcsin(x)


def arccos(x):
    """Inverse cosine, in `[0, pi]` (ints give floatx). Shape: unchanged."""
    return _np.arccos(x)


def arctan(x):
    """Inverse tangent, in `(-pi/2, pi/2)` (ints give floatx). Shape: unchanged."""
    return _np.arctan(x)


def arcsinh(x):
    """Inverse hyperbolic sine, element-wise (ints give floatx). Shape: unchanged."""
    return _np.arcsinh(x)


def arccosh(x):
    """Inverse hyperbolic cosine, element-wise; NaN below 1 (ints give floatx). Shape: unchanged."""
    return _np.arccosh(x)


def arctanh(x):
    """Inverse hyperbolic tangent; +-inf at +-1, NaN outside (ints give floatx). Shape: unchanged."""
    return _np.arctanh(x)


def arctan2(x1, x2):
    """The angle of the point `(x2, x1)`, in `[-pi, pi]`, element-wise (ints give floatx).

    Args:
        x1: the y coordinates.
        x2: the x coordinates.

    Returns:
        Shape: broadcast(x1, x2).

    Example:
        >>> lamina.ops.arctan2([1.0, -1.0], [-1.0, -1.0])  # [3*pi/4, -3*pi/4]
    """
    return _np.arctan2(x1, x2)


def log2(x):
    """Base-2 logarithm, element-wise (ints give floatx). Shape: unchanged."""
    return _np.log2(x)


def log10(x):
    """Base-10 logarithm, element-wise (ints give floatx). Shape: unchanged."""
    return _np.log10(x)


def exp2(x):
    """`2 ** x`, element-wise (ints give floatx). Shape: unchanged."""
    return _np.exp2(x)


def i0(x):
    """The modified Bessel function of the first kind, order 0 (ints give floatx).

    Shape: unchanged.
    """
    return _np.i0(x)


def fmod(x1, x2):
    """The remainder of `x1 / x2` truncated toward zero: the sign of `x1`, as C's `fmod`.

    Unlike `mod`, whose result takes the sign of `x2`. Shape: broadcast(x1, x2).

    Example:
        >>> lamina.ops.fmod([-7, 7], 3)  # [-1, 1]; mod gives [2, 1]
    """
    return _np.fmod(x1, x2)


def nextafter(x1, x2):
    """The next float after `x1` toward `x2`, element-wise, in their float dtype.

    On PyTensor it runs eagerly only. Shape: broadcast(x1, x2).
    """
    return _np.nextafter(x1, x2)


def gcd(x1, x2):
    """The greatest common divisor of ints `|x1|` and `|x2|`, element-wise (0 for 0 and 0).

    Shape: broadcast(x1, x2).
    """
    return _np.gcd(x1, x2)


def lcm(x1, x2):
    """The least common multiple of ints `|x1|` and `|x2|`, element-wise (0 if either is 0).

    Shape: broadcast(x1, x2).
    """
    return _np.lcm(x1, x2)


def absolute(x):
    """`|x|`, element-wise, as `abs`; bools and unsigned ints are returned as they are.

    Shape: unchanged.
    """
    x = _tensor(x)
    dtype = _dtype(x)
    return x if dtype == "bool" or dtype.startswith("uint") else abs(x)


def fabs(x):
    """`|x|` as floats (ints give floatx). Shape: unchanged."""
    return abs(_floating(x))


def reciprocal(x):
    """`1 / x`, element-wise (ints give floatx). Shape: unchanged."""
    return divide(1, x)


def true_divide(x1, x2):
    """`x1 / x2`: the same as `divide`. Shape: broadcast(x1, x2)."""
    return divide(x1, x2)


def divide_no_nan(x1, x2):
    """`x1 / x2`, but 0 where `x2` is 0 (ints give floatx). Shape: broadcast(x1, x2).

    The gradient is 0 where `x2` is 0, never NaN.

    Example:
        >>> lamina.ops.divide_no_nan([1.0, 2.0], [0.0, 4.0])  # [0.0, 0.5]
    """
    zero = equal(x2, 0)
    safe = where(zero, 1, x2)
    return where(zero, 0, divide(x1, safe))


def trunc(x):
    """Round toward zero, element-wise (ints and bools are returned as they are).

    Shape: unchanged.
    """
    x = _tensor(x)
    if not _is_float_dtype(_dtype(x)):
        return x
    return where(less(x, 0), ceil(x), floor(x))


def signbit(x):
    """Whether the sign bit of each entry is set (true for -0.0 too), as bools.

    Shape: unchanged.
    """
    x = _tensor(x)
    dtype = _dtype(x)
    if dtype == "bool":
        return zeros_like(x, dtype="bool")
    if not _is_float_dtype(dtype):
        return less(x, 0)
    # -0.0 is told from 0.0 by the infinity it divides 1 into.
    negative_zero = logical_and(equal(x, 0), less(divide(1, x), 0))
    return logical_or(less(x, 0), negative_zero)


def hypot(x1, x2):
    """`sqrt(x1**2 + x2**2)`, without overflow or underflow in between (ints give floatx).

    Shape: broadcast(x1, x2).
    """
    x1, x2 = _floating(x1), _floating(x2)
    a1, a2 = abs(x1), abs(x2)
    scale = maximum(a1, a2)
    safe = where(equal(scale, 0), 1, scale)
    out = multiply(scale, sqrt(add(square(divide(a1, safe)), square(divide(a2, safe)))))
    return where(logical_or(isinf(x1), isinf(x2)), _onp.inf, out)


def logaddexp(x1, x2):
    """`log(exp(x1) + exp(x2))`, computed stably (ints give floatx). Shape: broadcast(x1, x2)."""
    x1, x2 = _floating(x1), _floating(x2)
    top = maximum(x1, x2)
    out = add(top, log1p(exp(negative(abs(subtract(x1, x2))))))
    # Equal infinities would give inf - inf.
    return where(isinf(top), top, out)


def logaddexp2(x1, x2):
    """`log2(2**x1 + 2**x2)`, computed stably (ints give floatx). Shape: broadcast(x1, x2)."""
    x1, x2 = _floating(x1), _floating(x2)
    top = maximum(x1, x2)
    out = add(top, divide(log1p(exp2(negative(abs(subtract(x1, x2))))), _math.log(2.0)))
    return where(isinf(top), top, out)


def logical_xor(x1, x2):
    """Truth of `x1 xor x2`, element-wise (nonzero is true). Shape: broadcast(x1, x2)."""
    return logical_and(logical_or(x1, x2), logical_not(logical_and(x1, x2)))


def fmax(x1, x2):
    """The larger of `x1` and `x2`, ignoring NaN: NaN only where both are NaN.

    Shape: broadcast(x1, x2).
    """
    return where(isnan(x2), x1, where(isnan(x1), x2, maximum(x1, x2)))


def fmin(x1, x2):
    """The smaller of `x1` and `x2`, ignoring NaN: NaN only where both are NaN.

    Shape: broadcast(x1, x2).
    """
    return where(isnan(x2), x1, where(isnan(x1), x2, minimum(x1, x2)))


def heaviside(x1, x2):
    """The Heaviside step: 0 where `x1 < 0`, `x2` where `x1 == 0`, 1 where `x1 > 0`.

    Ints give floatx. Shape: broadcast(x1, x2).
    """
    x1 = _floating(x1)
    x2 = _core.cast(x2, _dtype(x1))
    return where(less(x1, 0), 0, where(greater(x1, 0), 1, x2))


def ldexp(x1, x2):
    """`x1 * 2 ** x2`, with integer exponents `x2` (ints `x1` give floatx).

    Shape: broadcast(x1, x2).
    """
    x1 = _floating(x1)
    x2 = _tensor(x2)
    if _is_float_dtype(_dtype(x2)):
        raise TypeError(
            f"ldexp: the exponents x2 must be integers; got dtype {_dtype(x2)}. "
            "Cast them with lamina.ops.cast(x2, 'int32')."
        )
    return multiply(x1, exp2(_core.cast(x2, _dtype(x1))))


def sinc(x):
    """`sin(pi * x) / (pi * x)`, 1 at 0 (ints give floatx). Shape: unchanged."""
    x = _floating(x)
    zero = equal(x, 0)
    scaled = multiply(where(zero, 1, x), _math.pi)
    return where(zero, 1, divide(sin(scaled), scaled))


def cbrt(x):
    """The real cube root, element-wise (ints give floatx). Shape: unchanged."""
    x = _floating(x)
    return multiply(sign(x), power(abs(x), 1.0 / 3.0))


def deg2rad(x):
    """Degrees to radians, element-wise (ints give floatx). Shape: unchanged."""
    return multiply(_floating(x), _math.pi / 180.0)


def rad2deg(x):
    """Radians to degrees, element-wise (ints give floatx). Shape: unchanged."""
    return multiply(_floating(x), 180.0 / _math.pi)


def isneginf(x):
    """Whether each entry is -inf, as bools. Shape: unchanged."""
    return logical_and(isinf(x), less(x, 0))


def isposinf(x):
    """Whether each entry is +inf, as bools. Shape: unchanged."""
    return logical_and(isinf(x), greater(x, 0))


def isreal(x):
    """Whether each entry has no imaginary part: true for lamina's real dtypes. Shape: unchanged."""
    return ones_like(x, dtype="bool")


def real(x):
    """The real part of `x`; lamina's dtypes are real, so `x` itself. Shape: unchanged."""
    return _tensor(x)


def imag(x):
    """The imaginary part of `x`; lamina's dtypes are real, so zeros. Shape: unchanged."""
    return zeros_like(x)


def conj(x):
    """The complex conjugate; lamina's dtypes are real, so `x` itself. Shape: unchanged."""
    return _tensor(x)


def conjugate(x):
    """The complex conjugate: the same as `conj`. Shape: unchanged."""
    return conj(x)


def angle(x):
    """The argument of each entry: 0 for positive reals, pi for negative ones (ints give floatx).

    Shape: unchanged.
    """
    x = _floating(x)
    return arctan2(zeros_like(x), x)


# The largest finite bfloat16, which NumPy's finfo does not know.
_BFLOAT16_MAX = 3.3895313892515355e38


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    """`x` with NaN, +inf and -inf replaced by finite numbers.

    Args:
        x: the tensor (ints and bools are returned as they are).
        nan: the value for NaN.
        posinf: the value for +inf; the largest finite value of the dtype when None.
        neginf: the value for -inf; the smallest finite value of the dtype when None.

    Returns:
        Shape: unchanged.

    Example:
        >>> lamina.ops.nan_to_num([float("nan"), float("inf"), 1.0], posinf=9.0)  # [0, 9, 1]
    """
    x = _tensor(x)
    dtype = _dtype(x)
    if not _is_float_dtype(dtype):
        return x
    largest = _BFLOAT16_MAX if dtype == "bfloat16" else float(_onp.finfo(dtype).max)
    posinf = largest if posinf is None else posinf
    neginf = -largest if neginf is None else neginf
    x = where(isnan(x), _core.cast(nan, dtype), x)
    x = where(isposinf(x), _core.cast(posinf, dtype), x)
    return where(isneginf(x), _core.cast(neginf, dtype), x)


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether `|x1 - x2| <= atol + rtol * |x2|`, element-wise, as bools.

    Equal infinities are close; NaN is close to NaN only with `equal_nan`.
    Shape: broadcast(x1, x2).
    """
    x1, x2 = _floating(x1), _floating(x2)
    finite = logical_and(isfinite(x1), isfinite(x2))
    tolerance = add(multiply(abs(x2), rtol), atol)
    close = logical_and(finite, less_equal(abs(subtract(x1, x2)), tolerance))
    out = logical_or(equal(x1, x2), close)
    if equal_nan:
        out = logical_or(out, logical_and(isnan(x1), isnan(x2)))
    return out


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether every entry of `x1` and `x2` is close (see `isclose`), as a bool scalar."""
    return all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isin(x1, x2, assume_unique: bool = False, invert: bool = False):
    """Whether each entry of `x1` occurs in `x2`, as bools (not in it, with `invert`).

    `assume_unique` is accepted for NumPy's signature and changes nothing.
    Shape: `x1.shape`.
    """
    x1 = _tensor(x1)
    found = any(equal(expand_dims(x1, -1), ravel(x2)), axis=-1)
    return logical_not(found) if invert else found


def bitwise_and(x, y):
    """Bitwise AND of ints (logical AND of bools). Shape: broadcast(x, y)."""
    return _np.bitwise_and(x, y)


def bitwise_or(x, y):
    """Bitwise OR of ints (logical OR of bools). Shape: broadcast(x, y)."""
    return _np.bitwise_or(x, y)


def bitwise_xor(x, y):
    """Bitwise XOR of ints (logical XOR of bools). Shape: broadcast(x, y)."""
    return _np.bitwise_xor(x, y)


def bitwise_not(x):
    """Bitwise NOT of ints, `-x - 1` for signed ones (logical NOT of bools). Shape: unchanged."""
    return _np.bitwise_not(x)


def bitwise_invert(x):
    """Bitwise NOT: the same as `bitwise_not`. Shape: unchanged."""
    return bitwise_not(x)


def left_shift(x, y):
    """The bits of ints `x` shifted left by `y`: `x * 2**y`. Shape: broadcast(x, y)."""
    return _np.left_shift(x, y)


def right_shift(x, y):
    """The bits of ints `x` shifted right by `y`, keeping the sign: `x // 2**y`.

    Shape: broadcast(x, y).
    """
    return _np.right_shift(x, y)


def bitwise_left_shift(x, y):
    """The same as `left_shift`. Shape: broadcast(x, y)."""
    return left_shift(x, y)


def bitwise_right_shift(x, y):
    """The same as `right_shift`. Shape: broadcast(x, y)."""
    return right_shift(x, y)


def select(condlist, choicelist, default=0):
    """Per entry, the value of the first choice whose condition is true, else `default`.

    Args:
        condlist: a list of bool tensors.
        choicelist: a list of tensors, as long as `condlist`.
        default: the value where no condition holds.

    Returns:
        Shape: broadcast of every condition, choice and the default.

    Example:
        >>> x = lamina.ops.arange(6)
        >>> lamina.ops.select([x < 2, x > 3], [x, x**2], default=-1)  # [0, 1, -1, -1, 16, 25]
    """
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: condlist and choicelist must be as long; got {len(condlist)} "
            f"conditions and {len(choicelist)} choices."
        )
    if not condlist:
        raise ValueError("select: condlist is empty; give at least one condition and choice.")
    out = default
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        out = where(condition, choice, out)
    return out


# --------------------------------------------------------------------------- more reductions


def amax(x, axis: Axis = None, keepdims: bool = False):
    """Largest entry over `axis`: the same as `max`. Shape: reduced over axis."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis: Axis = None, keepdims: bool = False):
    """Smallest entry over `axis`: the same as `min`. Shape: reduced over axis."""
    return min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis: Axis = None, keepdims: bool = False):
    """The range `max - min` over `axis`, in the dtype of `x`. Shape: reduced over axis."""
    return subtract(max(x, axis=axis, keepdims=keepdims), min(x, axis=axis, keepdims=keepdims))


def cumprod(x, axis: int | None = None, dtype: str | None = None):
    """Running product along `axis` (of the flattened `x` when None).

    Args:
        x: the tensor.
        axis: the axis, or None for the flattened `x`.
        dtype: the result dtype (`x` is cast to it first); without it the dtype
            of `x`, but int32 for bools.

    Returns:
        Shape: unchanged, or `(x.size,)` when `axis` is None.

    Example:
        >>> lamina.ops.cumprod([1, 2, 3, 4])  # [1, 2, 6, 24]
    """
    return _np.cumprod(x, axis=axis, dtype=dtype)


def average(x, axis: Axis = None, weights=None):
    """The weighted mean over `axis` (ints give floatx).

    Args:
        x: the tensor.
        axis: the axes to average over (every axis when None).
        weights: None (the plain mean), a tensor of the shape of `x`, or a 1-D
            tensor as long as `x` along the single `axis`.

    Returns:
        Shape: reduced over axis.

    Example:
        >>> lamina.ops.average([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])  # 2.75
    """
    x = _floating(x)
    if weights is None:
        return mean(x, axis=axis)
    weights = _core.cast(weights, _dtype(x))
    x_shape, w_shape = _shape(x), _shape(weights)
    if w_shape != x_shape:
        if len(w_shape) != 1 or not isinstance(axis, int):
            raise ValueError(
                f"average: weights of shape {w_shape} must have the shape of x {x_shape}, "
                "or be 1-D along a single int axis; reshape them or pass axis."
            )
        if w_shape[0] != x_shape[axis]:
            raise ValueError(
                f"average: 1-D weights of length {w_shape[0]} must match axis {axis} of x, "
                f"of size {x_shape[axis]}."
            )
        shape = [1] * len(x_shape)
        shape[axis] = w_shape[0]
        weights = reshape(weights, shape)
    total = sum(multiply(x, weights), axis=axis)
    return divide(total, sum(broadcast_to(weights, x_shape), axis=axis))


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x, q, axis, method, keepdims, skip_nan):
    """Quantiles `q` of `x` over `axis`, NumPy's layout: q's dims first."""
    if method not in _QUANTILE_METHODS:
        raise ValueError(
            f"quantile: method must be one of {', '.join(_QUANTILE_METHODS)}; got {method!r}."
        )
    x = _floating(x)
    dtype = _dtype(x)
    x_shape = _shape(x)
    axes = _axes_tuple(axis, len(x_shape))
    kept = [i for i in range(len(x_shape)) if i not in axes]
    # The reduced axes last, as one axis of n entries.
    n = 1
    for a in axes:
        n *= x_shape[a]
    rows = transpose(x, kept + list(axes))
    rows = reshape(rows, [x_shape[i] for i in kept] + [n])
    q = _core.cast(q, dtype)
    q_shape = _shape(q)
    q = reshape(q, (-1,))
    if skip_nan:
        missing = isnan(rows)
        # NaNs sort last as +inf; each row counts its own entries.
        rows = where(missing, _onp.inf, rows)
        count = sum(logical_not(missing), axis=-1, keepdims=True)
        last = _core.cast(maximum(count - 1, 0), dtype)
    else:
        last = _core.cast(n - 1, dtype)
    ordered = sort(rows, axis=-1)
    position = multiply(q, last)
    low, high = floor(position), ceil(position)
    if method == "nearest":
        low = high = round(position)
    elif method == "lower":
        high = low
    elif method == "higher":
        low = high

    def pick(at):
        index = _core.cast(at, "int32")
        if not skip_nan:
            index = broadcast_to(index, _shape(ordered)[:-1] + (_shape(index)[-1],))
        return take_along_axis(ordered, index, -1)

    below, above = pick(low), pick(high)
    if method == "midpoint":
        out = multiply(add(below, above), 0.5)
    elif method == "linear":
        out = add(below, multiply(subtract(above, below), subtract(position, low)))
    else:
        out = below
    if skip_nan:
        out = where(equal(count, 0), _onp.nan, out)
    # (kept..., q) -> (q..., kept...), then the dims of q and of keepdims.
    out = moveaxis(out, -1, 0)
    reduced = [1 if i in axes else d for i, d in enumerate(x_shape)] if keepdims else None
    rest = reduced if keepdims else [x_shape[i] for i in kept]
    return reshape(out, list(q_shape) + list(rest))


def quantile(x, q, axis: Axis = None, method: str = "linear", keepdims: bool = False):
    """The `q`-th quantiles of `x` over `axis`, as `numpy.quantile` (ints give floatx).

    Args:
        x: the tensor.
        q: a quantile in `[0, 1]`, or a tensor of them.
        axis: the axes to reduce (every axis when None).
        method: "linear" (interpolate), "lower", "higher", "midpoint" or "nearest".
        keepdims: keep the reduced axes with size 1.

    Returns:
        Shape: `q.shape` followed by `x.shape` reduced over axis.

    Example:
        >>> lamina.ops.quantile([1.0, 2.0, 3.0, 4.0], 0.5)  # 2.5
    """
    return _quantile(x, q, axis, method, keepdims, skip_nan=False)


def percentile(x, q, axis: Axis = None, method: str = "linear", keepdims: bool = False):
    """The `q`-th percentiles (`q` in `[0, 100]`); otherwise as `quantile`.

    Shape: `q.shape` followed by `x.shape` reduced over axis.
    """
    return quantile(x, divide(q, 100.0), axis=axis, method=method, keepdims=keepdims)


def median(x, axis: Axis = None, keepdims: bool = False):
    """The median over `axis`: the mean of the middle two for an even count (ints give floatx).

    Shape: reduced over axis.
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


# NaN-ignoring reductions: NaN entries count as absent.


def _nan_filled(x, fill):
    x = _tensor(x)
    if not _is_float_dtype(_dtype(x)):
        return x
    return where(isnan(x), fill, x)


def nansum(x, axis: Axis = None, keepdims: bool = False):
    """Sum over `axis`, NaN counted as 0. Shape: reduced over axis."""
    return sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)


def nanprod(x, axis: Axis = None, keepdims: bool = False):
    """Product over `axis`, NaN counted as 1. Shape: reduced over axis."""
    return prod(_nan_filled(x, 1), axis=axis, keepdims=keepdims)


def nanmean(x, axis: Axis = None, keepdims: bool = False):
    """Mean over `axis` of the entries that are not NaN; NaN where all are (ints give floatx).

    Shape: reduced over axis.
    """
    x = _floating(x)
    present = _core.cast(logical_not(isnan(x)), _dtype(x))
    total = sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)
    return divide(total, sum(present, axis=axis, keepdims=keepdims))


def nanvar(x, axis: Axis = None, keepdims: bool = False):
    """Population variance over `axis` of the entries that are not NaN (ints give floatx).

    Shape: reduced over axis.
    """
    x = _floating(x)
    present = logical_not(isnan(x))
    centre = nanmean(x, axis=axis, keepdims=True)
    deviations = where(present, square(subtract(x, centre)), 0)
    count = sum(_core.cast(present, _dtype(x)), axis=axis, keepdims=keepdims)
    return divide(sum(deviations, axis=axis, keepdims=keepdims), count)


def nanstd(x, axis: Axis = None, keepdims: bool = False):
    """Population standard deviation over `axis`, ignoring NaN (ints give floatx).

    Shape: reduced over axis.
    """
    return sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def nanmax(x, axis: Axis = None, keepdims: bool = False):
    """Largest entry over `axis`, ignoring NaN; NaN where all are NaN. Shape: reduced over axis."""
    x = _tensor(x)
    if not _is_float_dtype(_dtype(x)):
        return max(x, axis=axis, keepdims=keepdims)
    out = max(_nan_filled(x, -_onp.inf), axis=axis, keepdims=keepdims)
    return where(all(isnan(x), axis=axis, keepdims=keepdims), _onp.nan, out)


def nanmin(x, axis: Axis = None, keepdims: bool = False):
    """Smallest entry over `axis`, ignoring NaN; NaN where all are NaN. Shape: reduced over axis."""
    x = _tensor(x)
    if not _is_float_dtype(_dtype(x)):
        return min(x, axis=axis, keepdims=keepdims)
    out = min(_nan_filled(x, _onp.inf), axis=axis, keepdims=keepdims)
    return where(all(isnan(x), axis=axis, keepdims=keepdims), _onp.nan, out)


def _keep_arg_dims(index, x, axis, keepdims):
    if not keepdims:
        return index
    if axis is None:
        return reshape(index, [1] * len(_shape(x)))
    return expand_dims(index, axis)


def nanargmax(x, axis: int | None = None, keepdims: bool = False):
    """Index of the first largest entry along `axis`, ignoring NaN, as int32.

    An all-NaN slice gives the index of its first entry. Shape: `x.shape` without
    `axis` (a scalar when None); with keepdims that axis stays, with size 1.
    """
    index = argmax(_nan_filled(x, -_onp.inf), axis=axis)
    return _keep_arg_dims(index, x, axis, keepdims)


def nanargmin(x, axis: int | None = None, keepdims: bool = False):
    """Index of the first smallest entry along `axis`, ignoring NaN, as int32.

    An all-NaN slice gives the index of its first entry. Shape: as `nanargmax`.
    """
    index = argmin(_nan_filled(x, _onp.inf), axis=axis)
    return _keep_arg_dims(index, x, axis, keepdims)


def nancumsum(x, axis: int | None = None, dtype: str | None = None):
    """Running sum along `axis`, NaN counted as 0; `x` cast to `dtype` first when given.

    Shape: unchanged, or `(x.size,)` when `axis` is None.
    """
    x = _tensor(x) if dtype is None else _core.cast(x, dtype)
    out = cumsum(_nan_filled(x, 0), axis=axis)
    # Keras keeps the dtype of x here (bools count in int32), where cumsum widens.
    return _core.cast(out, "int32" if _dtype(x) == "bool" else _dtype(x))


def nancumprod(x, axis: int | None = None, dtype: str | None = None):
    """Running product along `axis`, NaN counted as 1; `x` cast to `dtype` first when given.

    Shape: unchanged, or `(x.size,)` when `axis` is None.
    """
    return cumprod(_nan_filled(x, 1), axis=axis, dtype=dtype)


def nanquantile(x, q, axis: Axis = None, method: str = "linear", keepdims: bool = False):
    """`quantile` of the entries that are not NaN; NaN where all are. Shape: as `quantile`."""
    return _quantile(x, q, axis, method, keepdims, skip_nan=True)


def nanpercentile(x, q, axis: Axis = None, method: str = "linear", keepdims: bool = False):
    """`percentile` of the entries that are not NaN; NaN where all are. Shape: as `quantile`."""
    return nanquantile(x, divide(q, 100.0), axis=axis, method=method, keepdims=keepdims)


def nanmedian(x, axis: Axis = None, keepdims: bool = False):
    """`median` of the entries that are not NaN; NaN where all are. Shape: reduced over axis."""
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- more linear algebra


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The diagonal of `x` over the axes `axis1` and `axis2`, `offset` above the main one.

    Args:
        x: a tensor of at least 2 dims.
        offset: the diagonal: 0 the main one, positive above it, negative below.
        axis1, axis2: the axes that hold the matrices.

    Returns:
        Shape: `x.shape` without `axis1` and `axis2`, followed by the diagonal's length.

    Example:
        >>> lamina.ops.diagonal([[1, 2], [3, 4]])  # [1, 4]
    """
    x = _tensor(x)
    ndim = len(_shape(x))
    if ndim < 2:
        raise ValueError(f"diagonal: x must have at least 2 dims; got shape {_shape(x)}.")
    x = moveaxis(x, (axis1 % ndim, axis2 % ndim), (-2, -1))
    shape = _shape(x)
    rows, cols = shape[-2], shape[-1]
    length = builtins.max(0, builtins.min(rows + builtins.min(offset, 0), cols - offset))
    length = builtins.min(length, rows, cols)
    start_row, start_col = builtins.max(-offset, 0), builtins.max(offset, 0)
    steps = _onp.arange(length, dtype="int64")
    flat_index = ((steps + start_row) * cols + steps + start_col).astype("int32")
    flat = reshape(x, list(shape[:-2]) + [rows * cols])
    return take(flat, flat_index, axis=-1)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The sum of the diagonal (see `diagonal`); bools and small ints sum in 32 bits.

    Shape: `x.shape` without `axis1` and `axis2`.
    """
    return sum(diagonal(x, offset=offset, axis1=axis1, axis2=axis2), axis=-1)


def diag(x, k: int = 0):
    """The k-th diagonal of a matrix, or a matrix with a vector on its k-th diagonal.

    Args:
        x: a 1-D tensor (placed on the diagonal) or a 2-D one (whose diagonal is taken).
        k: the diagonal: 0 the main one, positive above it, negative below.

    Returns:
        A `(n + |k|, n + |k|)` matrix for a vector of length n; a vector for a matrix.

    Example:
        >>> lamina.ops.diag([1, 2])  # [[1, 0], [0, 2]]
    """
    x = _tensor(x)
    shape = _shape(x)
    if len(shape) == 2:
        return diagonal(x, offset=k)
    if len(shape) != 1:
        raise ValueError(f"diag: x must be 1-D or 2-D; got shape {shape}.")
    n = shape[0] + builtins.abs(k)
    i, j = _onp.indices((n, n))
    on_diagonal = (j - i) == k
    source = _onp.clip(_onp.minimum(i, j), 0, builtins.max(shape[0] - 1, 0)).astype("int32")
    if shape[0] == 0:
        return zeros((n, n), dtype=_dtype(x))
    values = take(x, source)
    return where(on_diagonal, values, zeros_like(values))


def diagflat(x, k: int = 0):
    """A matrix with the flattened `x` on its k-th diagonal (see `diag`)."""
    return diag(ravel(x), k=k)


def outer(x1, x2):
    """The outer product of the flattened `x1` and `x2`. Shape: `(x1.size, x2.size)`."""
    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def inner(x1, x2):
    """Sum of products over the last axes of `x1` and `x2` (a product for scalars).

    Shape: `x1.shape[:-1] + x2.shape[:-1]`.
    """
    x1, x2 = _tensor(x1), _tensor(x2)
    n1, n2 = len(_shape(x1)), len(_shape(x2))
    if n1 == 0 or n2 == 0:
        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([n1 - 1], [n2 - 1]))


def vdot(x1, x2):
    """The dot product of the flattened `x1` and `x2`. Shape: a scalar."""
    return dot(ravel(x1), ravel(x2))


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None):
    """Cross products of vectors of 2 or 3 components, as `numpy.cross`.

    Args:
        x1, x2: the vectors, along `axisa` of `x1` and `axisb` of `x2`; the other
            dims broadcast. A 2-component vector has z = 0.
        axisa, axisb: the axes of the components.
        axisc: the axis of the result's components.
        axis: when given, used for `axisa`, `axisb` and `axisc`.

    Returns:
        3-component vectors along `axisc`, or the z components alone (that axis
        dropped) when both inputs have 2 components.

    Example:
        >>> lamina.ops.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])  # [0, 0, 1]
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(x1, axisa, -1), moveaxis(x2, axisb, -1)
    na, nb = _shape(a)[-1], _shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(
            f"cross: vectors must have 2 or 3 components; got {na} (x1) and {nb} (x2)."
        )

    def part(v, n, i):
        return take(v, i, axis=-1) if i < n else None

    def times(p, q):
        return None if p is None or q is None else multiply(p, q)

    def minus(p, q):
        if p is None:
            return negative(q)
        return p if q is None else subtract(p, q)

    a0, a1, a2 = (part(a, na, i) for i in range(3))
    b0, b1, b2 = (part(b, nb, i) for i in range(3))
    z = minus(times(a0, b1), times(a1, b0))
    if na == 2 and nb == 2:
        return z
    x = minus(times(a1, b2), times(a2, b1))
    y = minus(times(a2, b0), times(a0, b2))
    out = stack(list(_broadcast_all(x, y, z)), axis=-1)
    return moveaxis(out, -1, axisc)


def _broadcast_all(*xs):
    shape = _onp.broadcast_shapes(*[_shape(x) for x in xs])
    return [broadcast_to(x, shape) for x in xs]


def kron(x1, x2):
    """The Kronecker product: blocks of `x2` scaled by each entry of `x1`.

    Shape: the shapes multiplied dim by dim, the shorter one padded with 1s on the left.
    """
    x1, x2 = _tensor(x1), _tensor(x2)
    s1, s2 = _shape(x1), _shape(x2)
    ndim = builtins.max(len(s1), len(s2))
    s1 = (1,) * (ndim - len(s1)) + s1
    s2 = (1,) * (ndim - len(s2)) + s2
    a = reshape(x1, [d for size in s1 for d in (size, 1)])
    b = reshape(x2, [d for size in s2 for d in (1, size)])
    return reshape(multiply(a, b), [p * q for p, q in zip(s1, s2)])


def vander(x, N: int | None = None, increasing: bool = False):
    """The Vandermonde matrix of a vector: columns of powers of `x`.

    Args:
        x: a 1-D tensor.
        N: the number of columns (`len(x)` when None).
        increasing: powers from 0 up, instead of from `N - 1` down.

    Returns:
        Shape: `(len(x), N)`.
    """
    x = _tensor(x)
    if len(_shape(x)) != 1:
        raise ValueError(f"vander: x must be 1-D; got shape {_shape(x)}.")
    n = _shape(x)[0] if N is None else int(N)
    powers = _onp.arange(n) if increasing else _onp.arange(n - 1, -1, -1)
    powers = _core.convert_to_tensor(powers.astype("int32"))
    return power(expand_dims(x, -1), _core.cast(powers, _dtype(x)))


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1):
    """The integral of `y` along `axis` by the trapezoidal rule (ints give floatx).

    Args:
        y: the sampled values.
        x: the sample points (1-D along `axis`, or of the shape of `y`); spaced by
            `dx` when None.
        dx: the spacing when `x` is None.
        axis: the axis to integrate along.

    Returns:
        Shape: `y.shape` without `axis`.
    """
    y = _floating(y)
    ndim = len(_shape(y))
    axis = axis % ndim
    n = _shape(y)[axis]
    pairs = add(_index_along(y, 1, n, axis), _index_along(y, 0, n - 1, axis))
    if x is None:
        return multiply(sum(pairs, axis=axis), dx * 0.5)
    x = _core.cast(x, _dtype(y))
    if len(_shape(x)) == 1:
        shape = [1] * ndim
        shape[axis] = _shape(x)[0]
        x = reshape(x, shape)
    steps = diff(x, axis=axis)
    return multiply(sum(multiply(steps, pairs), axis=axis), 0.5)


def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x` (each row a variable).

    Shape: `(rows, rows)`, or a scalar for a 1-D `x`. Ints give floatx.
    """
    x = _floating(x)
    one_dim = len(_shape(x)) == 1
    if one_dim:
        x = expand_dims(x, 0)
    centred = subtract(x, mean(x, axis=1, keepdims=True))
    covariance = matmul(centred, transpose(centred))
    spread = sqrt(diagonal(covariance))
    out = clip(divide(covariance, outer(spread, spread)), -1.0, 1.0)
    return reshape(out, ()) if one_dim else out


def correlate(x1, x2, mode: str = "valid"):
    """The cross-correlation of two vectors, as `numpy.correlate` (ints give floatx).

    Args:
        x1, x2: 1-D tensors.
        mode: "valid" (where they overlap fully), "same" (as long as the longer one)
            or "full" (every overlap).

    Returns:
        Shape: `(max - min + 1,)`, `(max,)` or `(n1 + n2 - 1,)` by mode.

    Example:
        >>> lamina.ops.correlate([1.0, 2.0, 3.0], [0.0, 1.0])  # [2, 3]
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full'; got {mode!r}.")
    x1, x2 = _floating(x1), _floating(x2)
    if len(_shape(x1)) != 1 or len(_shape(x2)) != 1:
        raise ValueError(
            f"correlate: x1 and x2 must be 1-D; got shapes {_shape(x1)} and {_shape(x2)}."
        )
    n, m = _shape(x1)[0], _shape(x2)[0]
    padded = pad(x1, (m - 1, m - 1))
    windows = _onp.arange(n + m - 1)[:, None] + _onp.arange(m)[None, :]
    full = matmul(take(padded, windows.astype("int32")), x2)
    shortest, longest = builtins.min(n, m), builtins.max(n, m)
    if mode == "full":
        return full
    if mode == "valid":
        return _index_along(full, shortest - 1, longest, 0)
    # NumPy swaps the inputs when x2 is longer, which moves the centre.
    start = (shortest - 1) // 2 if n >= m else shortest - 1 - (shortest - 1) // 2
    return _index_along(full, start, start + longest, 0)


# --------------------------------------------------------------------------- more shapes


def swapaxes(x, axis1: int, axis2: int):
    """`x` with two axes exchanged. Shape: `x.shape` with those two dims swapped."""
    x = _tensor(x)
    ndim = len(_shape(x))
    axes = list(range(ndim))
    a, b = axis1 % ndim, axis2 % ndim
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, axes)


def ravel(x):
    """`x` flattened. Shape: `(x.size,)`."""
    return reshape(x, (-1,))


def size(x):
    """The number of entries of `x`, as a Python int (a scalar tensor for unknown dims)."""
    total = 1
    for d in _shape(x):
        total = total * d
    return total


def ndim(x) -> int:
    """The number of dims of `x`, as a Python int."""
    return len(_shape(x))


def get_item(x, key):
    """`x[key]`: NumPy's basic indexing (ints, slices, None, Ellipsis) and int or bool arrays.

    Shape: as NumPy's indexing gives.
    """
    return _tensor(x)[key]


def _at_least(x, ndim: int):
    x = _tensor(x)
    shape = _shape(x)
    if len(shape) >= ndim:
        return x
    if ndim == 2:
        return reshape(x, (1,) * (2 - len(shape)) + shape)
    # 3-D: NumPy puts a vector in the middle, (1, n, 1), and a matrix on top, (m, n, 1).
    if len(shape) == 0:
        return reshape(x, (1, 1, 1))
    if len(shape) == 1:
        return reshape(x, (1, shape[0], 1))
    return reshape(x, shape + (1,))


def hstack(xs):
    """Join tensors column-wise: along axis 1, or axis 0 for vectors. Shape: sizes add up."""
    xs = [_tensor(x) for x in xs]
    if builtins.all(len(_shape(x)) <= 1 for x in xs):
        return concatenate([reshape(x, (-1,)) for x in xs], axis=0)
    return concatenate(xs, axis=1)


def vstack(xs):
    """Join tensors row-wise, along axis 0 (vectors become rows). Shape: sizes add up."""
    return concatenate([_at_least(x, 2) for x in xs], axis=0)


def dstack(xs):
    """Join tensors depth-wise, along axis 2 (vectors become `(1, n, 1)`). Shape: sizes add up."""
    return concatenate([_at_least(x, 3) for x in xs], axis=2)


def append(x1, x2, axis: int | None = None):
    """`x2` appended to `x1` along `axis` (both flattened when None). Shape: sizes add up."""
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def array_split(x, indices_or_sections, axis: int = 0):
    """Split `x` like `split`, but an int need not divide the axis: the first parts get one more.

    Returns:
        A list of tensors.
    """
    if not isinstance(indices_or_sections, int):
        return split(x, indices_or_sections, axis=axis)
    sections = indices_or_sections
    if sections <= 0:
        raise ValueError(f"array_split: the number of sections must be positive; got {sections}.")
    total = _shape(x)[axis]
    each, extra = divmod(total, sections)
    sizes = [each + 1] * extra + [each] * (sections - extra)
    bounds = [int(b) for b in _onp.cumsum(sizes)[:-1]]
    return split(x, bounds, axis=axis)


def hsplit(x, indices_or_sections):
    """`split` along axis 1 (axis 0 for vectors). Returns a list of tensors."""
    axis = 0 if len(_shape(x)) == 1 else 1
    return split(x, indices_or_sections, axis=axis)


def vsplit(x, indices_or_sections):
    """`split` along axis 0 (x must be at least 2-D). Returns a list of tensors."""
    if len(_shape(x)) < 2:
        raise ValueError(f"vsplit: x must be at least 2-D; got shape {_shape(x)}.")
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """`split` along axis 2 (x must be at least 3-D). Returns a list of tensors."""
    if len(_shape(x)) < 3:
        raise ValueError(f"dsplit: x must be at least 3-D; got shape {_shape(x)}.")
    return split(x, indices_or_sections, axis=2)


def fliplr(x):
    """`x` reversed along axis 1 (x must be at least 2-D). Shape: unchanged."""
    if len(_shape(x)) < 2:
        raise ValueError(f"fliplr: x must be at least 2-D; got shape {_shape(x)}.")
    return flip(x, axis=1)


def flipud(x):
    """`x` reversed along axis 0. Shape: unchanged."""
    return flip(x, axis=0)


def rot90(array, k: int = 1, axes: tuple[int, int] = (0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes`, from the first toward
    the second.

    Shape: the two dims of `axes` swapped when `k` is odd.

    Example:
        >>> lamina.ops.rot90([[1, 2], [3, 4]])  # [[2, 4], [1, 3]]
    """
    array = _tensor(array)
    ndim = len(_shape(array))
    a, b = (int(v) % ndim for v in axes)
    if a == b or len(axes) != 2:
        raise ValueError(f"rot90: axes must be two different axes; got {axes}.")
    k = int(k) % 4
    if k == 0:
        return array
    if k == 2:
        return flip(flip(array, axis=a), axis=b)
    if k == 1:
        return swapaxes(flip(array, axis=b), a, b)
    return flip(swapaxes(array, a, b), axis=b)


def roll(x, shift, axis: Axis = None):
    """Entries shifted by `shift` along `axis`, wrapping around (of the flattened `x` when None).

    Args:
        x: the tensor.
        shift: an int, or one per axis.
        axis: an int, a tuple of ints, or None.

    Returns:
        Shape: unchanged.

    Example:
        >>> lamina.ops.roll([1, 2, 3, 4], 1)  # [4, 1, 2, 3]
    """
    x = _tensor(x)
    if axis is None:
        return reshape(roll(ravel(x), shift, axis=0), _shape(x))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shifts = (shift,) * len(axes) if isinstance(shift, int) else tuple(shift)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: give one shift per axis; got shifts {shifts} for axes {axes}.")
    for s, a in zip(shifts, axes):
        n = _shape(x)[a]
        if n:
            x = take(x, ((_onp.arange(n) - int(s)) % n).astype("int32"), axis=a)
    return x


def meshgrid(*x, indexing: str = "xy"):
    """Coordinate grids from 1-D coordinate vectors, as `numpy.meshgrid`.

    Args:
        *x: 1-D tensors.
        indexing: "xy" (the first two dims swapped, as for images) or "ij".

    Returns:
        A list of tensors of one shape: the vectors' lengths, in order for "ij".
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij'; got {indexing!r}.")
    vectors = [ravel(v) for v in x]
    lengths = [_shape(v)[0] for v in vectors]
    if indexing == "xy" and len(vectors) >= 2:
        lengths[0], lengths[1] = lengths[1], lengths[0]
    out = []
    for i, v in enumerate(vectors):
        place = i
        if indexing == "xy" and len(vectors) >= 2 and i < 2:
            place = 1 - i
        shape = [1] * len(vectors)
        shape[place] = lengths[place]
        out.append(broadcast_to(reshape(v, shape), lengths))
    return out


def _matrices(x, op: str):
    x = _tensor(x)
    if len(_shape(x)) < 2:
        raise ValueError(
            f"{op}: x must have at least 2 dims (matrices in the last two); got shape "
            f"{_shape(x)}. Reshape a vector to (1, n) first."
        )
    return x


def tril(x, k: int = 0):
    """`x` with the entries above the k-th diagonal set to 0 (over the last two dims).

    Shape: unchanged.
    """
    x = _matrices(x, "tril")
    rows, cols = _shape(x)[-2:]
    return where(_onp.tri(rows, cols, k, dtype=bool), x, zeros_like(x))


def triu(x, k: int = 0):
    """`x` with the entries below the k-th diagonal set to 0 (over the last two dims).

    Shape: unchanged.
    """
    x = _matrices(x, "triu")
    rows, cols = _shape(x)[-2:]
    return where(_onp.tri(rows, cols, k - 1, dtype=bool), zeros_like(x), x)


def diff(a, n: int = 1, axis: int = -1):
    """The n-th discrete difference along `axis`: `a[1:] - a[:-1]`, n times.

    Bools give `a[1:] != a[:-1]`. Shape: `a.shape` with `axis` shortened by `n`.
    """
    a = _tensor(a)
    ndim = len(_shape(a))
    axis = axis % ndim
    for _ in range(int(n)):
        size = _shape(a)[axis]
        later, earlier = _index_along(a, 1, size, axis), _index_along(a, 0, size - 1, axis)
        a = not_equal(later, earlier) if _dtype(a) == "bool" else subtract(later, earlier)
    return a


# --------------------------------------------------------------------------- more creation


def array(x, dtype: str | None = None):
    """A tensor of the value of `x` (a list, NumPy array, scalar or tensor). Shape: `x`'s."""
    return _core.convert_to_tensor(x, dtype)


def empty(shape, dtype: str | None = None):
    """A tensor of `shape` whose values are not to be relied on (lamina gives zeros).

    `dtype` defaults to `floatx()`. Shape: `shape`.
    """
    return zeros(shape, dtype=dtype)


def empty_like(x, dtype: str | None = None):
    """A tensor of the shape of `x` whose values are not to be relied on (lamina gives zeros).

    The dtype of `x` unless `dtype` is given. Shape: `x.shape`.
    """
    return zeros_like(x, dtype=dtype)


def identity(n: int, dtype: str | None = None):
    """The `n x n` identity matrix; `dtype` defaults to `floatx()`. Shape: `(n, n)`."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: str | None = None):
    """Ones at and below the k-th diagonal, zeros above; `dtype` defaults to `floatx()`.

    Shape: `(N, M)` (`M` defaults to `N`).
    """
    mask = _onp.tri(int(N), None if M is None else int(M), int(k))
    return _core.convert_to_tensor(mask, dtype or _config.floatx())


def _spaced_dtype(start, stop, dtype):
    if dtype is not None:
        return dtype
    for bound in (start, stop):
        if hasattr(bound, "dtype") and not isinstance(bound, _onp.ndarray):
            if _is_float_dtype(_dtype(bound)):
                return _dtype(bound)
    return _config.floatx()


def linspace(
    start,
    stop,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: str | None = None,
    axis: int = 0,
):
    """`num` evenly spaced values from `start` to `stop` (included with `endpoint`).

    Args:
        start, stop: scalars or tensors, which broadcast; the values run along a new axis.
        num: how many values.
        endpoint: whether `stop` is the last value (else the values stop one step short).
        retstep: also return the step.
        dtype: the result dtype; floatx (or the float dtype of a bound) when None.
            Ints are rounded toward -inf.
        axis: where the new axis goes.

    Returns:
        The values, shape `broadcast(start, stop)` with `num` inserted at `axis`;
        `(values, step)` with `retstep`.

    Example:
        >>> lamina.ops.linspace(0.0, 1.0, 5)  # [0, 0.25, 0.5, 0.75, 1]
    """
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative; got {num}.")
    out_dtype = _spaced_dtype(start, stop, dtype)
    work = out_dtype if _is_float_dtype(out_dtype) else _config.floatx()
    start, stop = _core.cast(start, work), _core.cast(stop, work)
    steps = num - 1 if endpoint else num
    delta = subtract(stop, start)
    step = divide(delta, steps) if steps > 0 else multiply(delta, _onp.nan)
    bound_shape = tuple(_onp.broadcast_shapes(_shape(start), _shape(stop)))
    index = _core.convert_to_tensor(
        _onp.arange(num).reshape((num,) + (1,) * len(bound_shape)), work
    )
    values = add(start, multiply(index, step if steps > 0 else delta))
    if endpoint and num > 1:
        is_last = _onp.arange(num).reshape(_shape(index)) == num - 1
        values = where(is_last, stop, values)
    values = broadcast_to(values, (num,) + bound_shape)
    if axis != 0:
        values = moveaxis(values, 0, axis)
    if not _is_float_dtype(out_dtype):
        values = _core.cast(floor(values), out_dtype)
    elif out_dtype != work:
        values = _core.cast(values, out_dtype)
    return (values, step) if retstep else values


def logspace(
    start,
    stop,
    num: int = 50,
    endpoint: bool = True,
    base=10,
    dtype: str | None = None,
    axis: int = 0,
):
    """`base ** linspace(start, stop, num)`: values evenly spaced on a log scale.

    Shape: as `linspace`.
    """
    out_dtype = _spaced_dtype(start, stop, dtype)
    work = out_dtype if _is_float_dtype(out_dtype) else _config.floatx()
    exponents = linspace(start, stop, num=num, endpoint=endpoint, dtype=work, axis=axis)
    values = power(_core.cast(base, work), exponents)
    return values if out_dtype == work else _core.cast(floor(values), out_dtype)


def geomspace(
    start,
    stop,
    num: int = 50,
    endpoint: bool = True,
    dtype: str | None = None,
    axis: int = 0,
):
    """`num` values from `start` to `stop` in geometric progression (both of one sign, nonzero).

    Shape: as `linspace`.

    Example:
        >>> lamina.ops.geomspace(1.0, 1000.0, 4)  # [1, 10, 100, 1000]
    """
    out_dtype = _spaced_dtype(start, stop, dtype)
    work = out_dtype if _is_float_dtype(out_dtype) else _config.floatx()
    start, stop = _core.cast(start, work), _core.cast(stop, work)
    direction = sign(start)
    logs = linspace(
        log(abs(start)), log(abs(stop)), num=num, endpoint=endpoint, dtype=work, axis=0
    )
    values = multiply(direction, exp(logs))
    # The ends exactly, as NumPy gives them.
    bound_shape = _shape(values)[1:]
    position = _onp.arange(num).reshape((num,) + (1,) * len(bound_shape))
    if num > 0:
        values = where(position == 0, start, values)
    if endpoint and num > 1:
        values = where(position == num - 1, stop, values)
    if axis != 0:
        values = moveaxis(values, 0, axis)
    return values if out_dtype == work else _core.cast(floor(values), out_dtype)


def _window(numpy_window, x, *args):
    return _core.convert_to_tensor(numpy_window(int(x), *args), _config.floatx())


def bartlett(x):
    """The Bartlett (triangular) window of `x` points, in floatx. Shape: `(x,)`."""
    return _window(_onp.bartlett, x)


def blackman(x):
    """The Blackman window of `x` points, in floatx. Shape: `(x,)`."""
    return _window(_onp.blackman, x)


def hamming(x):
    """The Hamming window of `x` points, in floatx. Shape: `(x,)`."""
    return _window(_onp.hamming, x)


def hanning(x):
    """The Hann window of `x` points, in floatx. Shape: `(x,)`."""
    return _window(_onp.hanning, x)


def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta`, in floatx.

    Shape: `(x,)`.
    """
    return _window(_onp.kaiser, x, float(_core.convert_to_numpy(beta)))


def _core_dims(signature: str):
    """The core dims of each input and output of a signature like "(m,n),(n)->(m)"."""

    def parse(side):
        groups = _re.findall(r"\(([^()]*)\)", side)
        return [tuple(d.strip() for d in g.split(",") if d.strip()) for g in groups]

    if "->" not in signature:
        raise ValueError(
            f"vectorize: signature must look like '(m,n),(n)->(m)'; got {signature!r}."
        )
    inputs, outputs = signature.replace(" ", "").split("->")
    return parse(inputs), parse(outputs)


def vectorize(pyfunc, *, excluded=None, signature: str | None = None):
    """Turn `pyfunc` into a function that maps it over the leading (loop) dims of its inputs.

    Args:
        pyfunc: the function; it gets slices of the inputs (scalars by default).
        excluded: positions of arguments passed to `pyfunc` unchanged.
        signature: the core dims of each input and output, as
            `"(m,n),(n)->(m)"`; the inputs' other dims, on the left, broadcast
            and are looped over. Without it every input is looped entry by entry.

    Returns:
        The vectorized function: its outputs are `pyfunc`'s stacked over the loop
        dims (a tuple of them when `pyfunc` returns several). Keyword arguments
        are passed to `pyfunc` unchanged. `pyfunc` is called once per loop entry.

    Example:
        >>> add = lamina.ops.vectorize(lambda a, b: a + b)
        >>> add([1, 2, 3, 4], 2)  # [3, 4, 5, 6]
    """
    excluded = set(excluded or ())
    core_in = _core_dims(signature)[0] if signature is not None else None

    def vectorized(*args, **kwargs):
        positions = [i for i in range(len(args)) if i not in excluded]
        tensors = [_tensor(args[i]) for i in positions]
        core = [0] * len(tensors) if core_in is None else [len(c) for c in core_in]
        if len(core) != len(tensors):
            raise ValueError(
                f"vectorize: the signature {signature!r} names {len(core)} inputs; got "
                f"{len(tensors)} arguments that are not excluded."
            )
        shapes = [_shape(t) for t in tensors]
        loop = tuple(_onp.broadcast_shapes(*[s[: len(s) - n] for s, n in zip(shapes, core)]))
        count = int(_onp.prod(loop))
        if count == 0:
            raise ValueError(f"vectorize: the loop dims {loop} are empty; nothing to call on.")
        flat = []
        for t, s, n in zip(tensors, shapes, core):
            inner = s[len(s) - n :]
            flat.append(reshape(broadcast_to(t, loop + inner), (count,) + inner))
        results = []
        for k in range(count):
            call = list(args)
            for i, t in zip(positions, flat):
                call[i] = t[k]
            results.append(pyfunc(*call, **kwargs))

        def gather(parts):
            parts = [_tensor(p) for p in parts]
            return reshape(stack(parts), loop + _shape(parts[0]))

        if isinstance(results[0], (tuple, list)):
            return tuple(gather(parts) for parts in zip(*results))
        return gather(results)

    return vectorized


def view(x, dtype: str | None = None):
    """The bits of `x` read as `dtype`, as NumPy's `ndarray.view` (no conversion of values).

    Args:
        x: the tensor.
        dtype: the dtype to read the bits as; `x` itself when None.

    Returns:
        Shape: `x.shape`, with the last dim scaled by the ratio of the item sizes
        (it must divide evenly). On PyTensor it runs eagerly only.

    Example:
        >>> lamina.ops.view(lamina.ops.array([1.0], "float32"), "int32")  # [1065353216]
    """
    return _np.view(x, dtype=dtype)


# --------------------------------------------------------------------------- searching and counting


def searchsorted(sorted_sequence, values, side: str = "left"):
    """Where `values` would be inserted into the ascending 1-D `sorted_sequence`, as int32.

    Args:
        sorted_sequence: a 1-D tensor sorted ascending.
        values: the values to place.
        side: "left" (before equal entries) or "right" (after them).

    Returns:
        Shape: `values.shape`.

    Example:
        >>> lamina.ops.searchsorted([1, 2, 2, 3], [2, 5])  # [1, 4]
    """
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right'; got {side!r}.")
    sorted_sequence = _tensor(sorted_sequence)
    if len(_shape(sorted_sequence)) != 1:
        raise ValueError(
            f"searchsorted: sorted_sequence must be 1-D; got shape {_shape(sorted_sequence)}."
        )
    compare = less if side == "left" else less_equal
    before = compare(sorted_sequence, expand_dims(values, -1))
    return _core.cast(sum(before, axis=-1), "int32")


def digitize(x, bins):
    """The index of the bin of each entry: `i` such that `bins[i-1] <= x < bins[i]`, as int32.

    `bins` is 1-D and ascending; values below it give 0, at or above its end `len(bins)`.
    Shape: `x.shape`.
    """
    return searchsorted(bins, x, side="right")


def argpartition(x, kth: int, axis: int = -1):
    """Int32 indices that partition `x` along `axis` around its `kth` entry.

    The entry at `kth` is the one a sort would put there, smaller ones come before
    it and larger ones after. lamina returns the indices of a full stable sort,
    which is such a partition. Shape: unchanged.
    """
    return argsort(x, axis=axis)


def unravel_index(indices, shape):
    """The coordinates in an array of `shape` of flat (C-order) `indices`.

    Returns:
        A tuple of tensors of the shape of `indices`, one per dim of `shape`, in
        the dtype of `indices`.

    Example:
        >>> lamina.ops.unravel_index([5, 7], (3, 4))  # ([1, 1], [1, 3])
    """
    indices = _tensor(indices)
    coords = []
    for dim in reversed(tuple(shape)):
        coords.append(mod(indices, dim))
        indices = floor_divide(indices, dim)
    return tuple(reversed(coords))


def _concrete(x, op: str):
    try:
        return _core.convert_to_numpy(x)
    except Exception as error:  # noqa: BLE001 - each engine raises its own error here
        raise ValueError(
            f"{op}: the size of the result depends on the values of its input, which are "
            "not known while a function is traced or compiled; call it eagerly."
        ) from error


def bincount(x, weights=None, minlength: int = 0, sparse: bool = False):
    """How often each non-negative int occurs in `x` (or the sum of its `weights`).

    Args:
        x: non-negative ints, 1-D (or 2-D: each row counted apart).
        weights: values of the shape of `x` to add up instead of ones.
        minlength: the least length of the result.
        sparse: must be False: lamina returns dense counts.

    Returns:
        Shape `(max(max(x) + 1, minlength),)` (with the rows first for 2-D `x`); int32
        counts, or the dtype of `weights`. Needs concrete `x` (not inside a trace).

    Example:
        >>> lamina.ops.bincount([0, 1, 1, 3])  # [1, 2, 0, 1]
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported; lamina returns dense counts.")
    x = _tensor(x)
    rank = len(_shape(x))
    if rank not in (1, 2):
        raise ValueError(f"bincount: x must be 1-D or 2-D; got shape {_shape(x)}.")
    values = _concrete(x, "bincount")
    if values.size and values.min() < 0:
        raise ValueError(
            f"bincount: x must be non-negative; its smallest entry is {values.min()}."
        )
    length = builtins.max(int(minlength), int(values.max()) + 1 if values.size else 0)
    hits = equal(expand_dims(x, -1), _core.convert_to_tensor(_onp.arange(length), _dtype(x)))
    if weights is None:
        return _core.cast(sum(hits, axis=-2), "int32")
    weights = _tensor(weights)
    return sum(where(hits, expand_dims(weights, -1), zeros_like(weights)[..., None]), axis=-2)


def histogram(x, bins: int = 10, range=None):
    """Counts of the entries of `x` in `bins` equal bins over `range`.

    Args:
        x: the values (flattened).
        bins: the number of bins.
        range: `(low, high)`; the smallest and largest entry of `x` when None. The last
            bin includes `high`; entries outside are not counted.

    Returns:
        `(counts, edges)`: int32 counts of shape `(bins,)` and the `bins + 1` edges.

    Example:
        >>> lamina.ops.histogram([0.5, 1.5, 1.7, 3.0], bins=3)  # ([1, 2, 1], [0.5, 1.33, 2.17, 3])
    """
    bins = int(bins)
    if bins < 1:
        raise ValueError(f"histogram: bins must be a positive int; got {bins}.")
    x = ravel(_floating(x))
    if range is None:
        low, high = min(x), max(x)
    else:
        low, high = (_core.cast(v, _dtype(x)) for v in range)
    # An empty range is widened by 0.5 on each side, as NumPy does.
    same = equal(low, high)
    low, high = where(same, subtract(low, 0.5), low), where(same, add(high, 0.5), high)
    edges = linspace(low, high, bins + 1, dtype=_dtype(x))
    inside = logical_and(greater_equal(x, low), less_equal(x, high))
    index = floor(multiply(divide(subtract(x, low), subtract(high, low)), bins))
    index = clip(_core.cast(index, "int32"), 0, bins - 1)
    # Entries that rounding put in a neighbouring bin go back by the edges themselves.
    index = where(less(x, take(edges, index)), subtract(index, 1), index)
    index = where(
        logical_and(greater_equal(x, take(edges, add(index, 1))), less(index, bins - 1)),
        add(index, 1),
        index,
    )
    hits = logical_and(
        equal(expand_dims(index, -1), _core.convert_to_tensor(_onp.arange(bins), "int32")),
        expand_dims(inside, -1),
    )
    return _core.cast(sum(hits, axis=0), "int32"), edges


def nonzero(x):
    """The int32 indices of the nonzero entries of `x`, one tensor per dim.

    Needs concrete `x` (the result's size depends on its values).

    Example:
        >>> lamina.ops.nonzero([[0, 1], [2, 0]])  # ([0, 1], [1, 0])
    """
    values = _concrete(x, "nonzero")
    return tuple(_core.convert_to_tensor(i.astype("int32")) for i in _onp.nonzero(values))


def unique(
    x,
    sorted: bool = True,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    size: int | None = None,
    fill_value=None,
):
    """The distinct entries of `x` (of the flattened `x` unless `axis` is given), sorted.

    Args:
        x: the tensor; needs concrete values (not inside a trace).
        sorted: must be True: the entries always come sorted.
        return_index: also return where each one first occurs (int32).
        return_inverse: also return, for each entry of `x`, the index of its value (int32).
        return_counts: also return how often each one occurs (int32).
        axis: the axis along which whole slices are compared, or None.
        size: when given, the result is cut or padded to this many values.
        fill_value: the padding value (0 when None); indices and counts pad with 0.

    Returns:
        The values, or a tuple of the values and the arrays asked for, in the order above.

    Example:
        >>> lamina.ops.unique([3, 1, 3, 2])  # [1, 2, 3]
    """
    if not sorted:
        raise ValueError("unique: sorted=False is not supported; the values always come sorted.")
    values = _concrete(x, "unique")
    dtype = _dtype(_tensor(x))
    found = _onp.unique(
        values, return_index=True, return_inverse=True, return_counts=True, axis=axis
    )
    found_values, first, inverse, counts = found
    inverse = inverse.reshape(values.shape if axis is None else (-1,))
    if size is not None:
        size = int(size)
        along = 0 if axis is None else axis
        count = found_values.shape[along]
        if count >= size:
            keep = _onp.arange(size)
            found_values = _onp.take(found_values, keep, axis=along)
            first, counts = first[:size], counts[:size]
        else:
            pad = size - count
            fill = 0 if fill_value is None else fill_value
            widths = [(0, 0)] * found_values.ndim
            widths[along] = (0, pad)
            found_values = _onp.pad(found_values, widths, constant_values=fill)
            first = _onp.pad(first, (0, pad))
            counts = _onp.pad(counts, (0, pad))
    out = [_core.convert_to_tensor(found_values, dtype)]
    for wanted, extra in (
        (return_index, first),
        (return_inverse, inverse),
        (return_counts, counts),
    ):
        if wanted:
            out.append(_core.convert_to_tensor(extra.astype("int32")))
    return out[0] if len(out) == 1 else tuple(out)


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
