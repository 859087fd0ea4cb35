"""lamina.ops.numpy: NumPy-like operations on the selected engine.

Shape rules use NumPy's broadcasting: `broadcast(a, b)` aligns the shapes on
the right, and each pair of dims must match or one of them be 1.

Dtype rules: a Python scalar takes the dtype of the tensor it meets; ints
meeting floats give the float dtype (not float64); functions that need floats
(sqrt, exp, divide, mean, ...) compute ints in `floatx()`.
"""

from __future__ import annotations

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


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
