"""lamina.ops.core: tensors, dtypes, shapes, devices and control flow."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lamina.backend import engine as _engine

__all__ = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "default_device",
    "device_names",
    "dtype",
    "engine_version",
    "fori_loop",
    "is_tensor",
    "map",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
]


def convert_to_tensor(x, dtype: str | None = None):
    """Make an engine tensor from a tensor, Python scalar, list or NumPy array.

    Args:
        x: the data.
        dtype: the dtype name, or None to infer it: Python floats and float64
            NumPy data become `floatx()`, Python ints `int32`, other NumPy
            dtypes are kept (JAX without 64-bit mode narrows int64 to int32).

    Returns:
        A tensor of the selected engine. Shape: `np.shape(x)`.
    """
    return _engine.core.convert_to_tensor(x, dtype)


def convert_to_numpy(x):
    """Return `x` as a NumPy array. Shape: unchanged."""
    return _engine.core.convert_to_numpy(x)


def is_tensor(x) -> bool:
    """Whether `x` is a tensor of the selected engine."""
    return _engine.core.is_tensor(x)


def shape(x) -> tuple:
    """The shape of `x` as a tuple of ints (a scalar tensor for a dim unknown while compiling)."""
    return _engine.core.shape(x)


def dtype(x) -> str:
    """The dtype name of `x`, such as 'float32'."""
    return _engine.core.dtype(x)


def cast(x, dtype: str):
    """`x` converted to `dtype`. Shape: unchanged."""
    return _engine.core.cast(x, dtype)


def stop_gradient(x):
    """`x`, through which no gradient flows. Shape: unchanged."""
    return _engine.core.stop_gradient(x)


def device_names() -> list[str]:
    """The devices the engine sees, such as ['cpu:0', 'gpu:0']."""
    return _engine.core.device_names()


def default_device() -> str:
    """The device the engine places new tensors on, such as 'gpu:0'."""
    return _engine.core.default_device()


def engine_version() -> str:
    """The version of the selected engine, such as '2.21.0'."""
    return _engine.core.engine_version()


def cond(pred, true_fn: Callable, false_fn: Callable):
    """Call `true_fn()` if `pred` else `false_fn()`, also inside compiled code.

    Args:
        pred: a scalar bool tensor or Python bool.
        true_fn, false_fn: functions without arguments that return tensors of
            the same structure, shapes and dtypes.

    Returns:
        The output of the chosen function.
    """
    return _engine.core.cond(pred, true_fn, false_fn)


def scan(fn: Callable, init, xs, reverse: bool = False):
    """Loop `fn` over the leading axis of `xs`, carrying a state.

    Args:
        fn: `fn(carry, x) -> (carry, y)`; `carry` and `y` are tensors or
            lists/tuples of tensors, and `carry` keeps its structure and dtypes.
        init: the first carry.
        xs: a tensor or a list/tuple of tensors with the same leading dim n.
        reverse: loop from the last element to the first.

    Returns:
        `(carry, ys)`: the last carry and every `y` stacked on axis 0, with
        `ys[i]` computed from `xs[i]`. Shape: `ys` is `(n, *y.shape)`.
    """
    return _engine.core.scan(fn, init, xs, reverse=reverse)


def fori_loop(lower, upper, body_fn: Callable, init_val):
    """`val = body_fn(i, val)` for `i` in `range(lower, upper)`; returns the last `val`."""
    return _engine.core.fori_loop(lower, upper, body_fn, init_val)


# --------------------------------------------------------------------------- structure and updates
# Written from the other ops, so every engine runs and differentiates them.


def custom_gradient(f: Callable) -> Callable:
    """Decorate `f` to give it its own gradient.

    `f(*args)` returns `(output, grad_fn)`; `grad_fn(upstream)` gets the
    gradient of the loss with respect to `output` and returns the gradient
    with respect to each argument (one tensor for one argument, else a tuple).
    Calling the decorated function returns `output` alone.

    Args:
        f: the function, of tensors, returning `(output, grad_fn)`; `output`
            is one tensor.

    Returns:
        The decorated function.

    Example:
        >>> @lamina.ops.custom_gradient
        ... def clip_gradient(x):
        ...     def grad_fn(upstream):
        ...         return lamina.ops.clip(upstream, -1.0, 1.0)
        ...     return x, grad_fn
    """
    return _engine.core.custom_gradient(f)


def unstack(x, num: int | None = None, axis: int = 0) -> list:
    """Split `x` along `axis` into a list of its slices.

    Args:
        x: the tensor.
        num: the expected number of slices (checked), or None.
        axis: the axis taken apart.

    Returns:
        A list of `x.shape[axis]` tensors of x's shape without `axis`.

    Example:
        >>> lamina.ops.unstack([[1, 2], [3, 4]])  # [[1, 2], [3, 4]] as two tensors
    """
    x = _engine.core.convert_to_tensor(x)
    size = _engine.core.shape(x)[axis]
    if not isinstance(size, int):
        raise ValueError(
            f"unstack needs the size of axis {axis} while tracing; got an unknown size. "
            "Give the input a known shape there."
        )
    if num is not None and num != size:
        raise ValueError(f"unstack: num={num} but axis {axis} has size {size}.")
    lead = (slice(None),) * (axis % len(_engine.core.shape(x)))
    return [x[(*lead, i)] for i in range(size)]


def _dtype_range(dtype: str):
    if dtype == "bool":
        return 0, 1
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
    elif dtype == "bfloat16":
        import ml_dtypes

        info = ml_dtypes.finfo(ml_dtypes.bfloat16)
    else:
        info = np.finfo(dtype)
    return info.min, info.max


def saturate_cast(x, dtype: str):
    """`x` cast to `dtype`, with values outside the dtype's range clipped to it first.

    Unlike `cast`, large floats cast to a narrow integer give the integer's
    largest value instead of wrapping around.

    Args:
        x: the tensor.
        dtype: the target dtype name.

    Returns:
        A tensor of x's shape in `dtype`.

    Example:
        >>> lamina.ops.saturate_cast([-1.0, 300.0], "uint8")  # [0, 255]
    """
    x = _engine.core.convert_to_tensor(x)
    source = _engine.core.dtype(x)
    if source == "bool":
        return _engine.core.cast(x, dtype)
    in_min, in_max = _dtype_range(source)
    out_min, out_max = _dtype_range(dtype)
    lo, hi = max(in_min, out_min), min(in_max, out_max)
    if source.startswith("float") or source == "bfloat16":
        # Bounds the source float can hold that still fit the target.
        np_source = np.float32 if source == "bfloat16" else np.dtype(source).type
        lo_f, hi_f = np_source(lo), np_source(hi)
        if float(lo_f) < float(out_min):
            lo_f = np.nextafter(lo_f, np_source(0))
        if float(hi_f) > float(out_max):
            hi_f = np.nextafter(hi_f, np_source(0))
        lo, hi = float(lo_f), float(hi_f)
    if lo > in_min or hi < in_max:
        x = _engine.numpy.clip(x, lo, hi)
    return _engine.core.cast(x, dtype)


def switch(index, branches: list, *operands):
    """Call `branches[index](*operands)`, also inside compiled code.

    Args:
        index: an int or scalar int tensor; it is clipped to
            `[0, len(branches) - 1]`.
        branches: functions that take `operands` and return tensors of the
            same structure, shapes and dtypes.
        *operands: the arguments passed to the chosen branch.

    Returns:
        The output of the chosen branch.

    Example:
        >>> lamina.ops.switch(1, [lambda x: x + 1, lambda x: x * 2], 3.0)  # 6.0
    """
    branches = list(branches)
    if not branches:
        raise ValueError("switch needs at least one branch; got an empty list.")
    if isinstance(index, (int, np.integer)):
        return branches[min(max(int(index), 0), len(branches) - 1)](*operands)
    index = _engine.numpy.clip(_engine.core.cast(index, "int32"), 0, len(branches) - 1)

    def pick(lo: int, hi: int):
        if hi - lo == 1:
            return branches[lo](*operands)
        mid = (lo + hi) // 2
        return _engine.core.cond(
            _engine.numpy.less(index, mid), lambda: pick(lo, mid), lambda: pick(mid, hi)
        )

    return pick(0, len(branches))


def map(f: Callable, xs):
    """Apply `f` to each slice of `xs` along its leading axis and stack the results.

    Args:
        f: a function of one slice (or, for a list/tuple `xs`, of a tuple of
            slices) that returns a tensor or a list/tuple of tensors.
        xs: a tensor or a list/tuple of tensors with the same leading dim.

    Returns:
        `f`'s outputs stacked on a new leading axis, in `f`'s structure.

    Example:
        >>> lamina.ops.map(lambda row: row * 2, [[1, 2], [3, 4]])  # [[2, 4], [6, 8]]
    """

    def step(carry, x):
        return carry, f(tuple(x) if isinstance(xs, tuple) else x)

    _, ys = _engine.core.scan(step, _engine.core.convert_to_tensor(0, "int32"), xs)
    return ys


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates`.

    Args:
        inputs: the tensor updated.
        start_indices: one start per axis (ints or a tensor); the block must
            fit inside `inputs`.
        updates: the new block, of the same rank as `inputs`.

    Returns:
        A new tensor of inputs' shape and dtype.

    Example:
        >>> lamina.ops.slice_update(np.zeros((2, 3)), (1, 1), np.ones((1, 2)))
        ... # [[0, 0, 0], [0, 1, 1]]
    """
    inputs = _engine.core.convert_to_tensor(inputs)
    updates = _engine.core.cast(updates, _engine.core.dtype(inputs))
    shape, block = _engine.core.shape(inputs), _engine.core.shape(updates)
    if len(shape) != len(block):
        raise ValueError(
            f"slice_update: updates must have the rank of inputs; got shapes {tuple(block)} "
            f"and {tuple(shape)}."
        )
    if isinstance(start_indices, (list, tuple)) and len(start_indices) != len(shape):
        raise ValueError(
            f"slice_update: start_indices needs one start per axis ({len(shape)}); got "
            f"{len(start_indices)}."
        )
    if isinstance(start_indices, (list, tuple)) and all(
        isinstance(s, (int, np.integer)) for s in start_indices
    ):
        return _static_slice_update(inputs, [int(s) for s in start_indices], updates)
    starts = _engine.core.cast(start_indices, "int32")
    keep = None
    gathered = updates
    for axis, (size, width) in enumerate(zip(shape, block)):
        offset = _engine.numpy.subtract(
            _engine.numpy.arange(size, dtype="int32"), _engine.numpy.take(starts, axis)
        )
        inside = _engine.numpy.logical_and(
            _engine.numpy.greater_equal(offset, 0), _engine.numpy.less(offset, width)
        )
        gathered = _engine.numpy.take(gathered, _engine.numpy.clip(offset, 0, width - 1), axis)
        view = [1] * len(shape)
        view[axis] = size
        inside = _engine.numpy.reshape(inside, view)
        keep = inside if keep is None else _engine.numpy.logical_and(keep, inside)
    return _engine.numpy.where(keep, gathered, inputs)


def _static_slice_update(inputs, starts: list, updates):
    """slice_update with known starts: padding and a mask, no gathers."""
    shape, block = _engine.core.shape(inputs), _engine.core.shape(updates)
    pad = []
    for start, size, width in zip(starts, shape, block):
        if start < 0 or start + width > size:
            raise ValueError(
                f"slice_update: a block of shape {tuple(block)} at {tuple(starts)} does not fit "
                f"in shape {tuple(shape)}."
            )
        pad.append((start, size - start - width))
    placed = _engine.numpy.pad(updates, pad)
    mask = np.zeros(shape, bool)
    mask[tuple(slice(s, s + w) for s, w in zip(starts, block))] = True
    return _engine.numpy.where(_engine.core.convert_to_tensor(mask), placed, inputs)


def _flat_index(indices, shape):
    """Row-major positions of `indices` `(n, k)` in the first k dims of `shape`."""
    indices = _engine.core.cast(indices, "int32")
    depth = _engine.core.shape(indices)[-1]
    strides = np.cumprod((list(shape[1:depth]) + [1])[::-1])[::-1].astype("int32")
    return _engine.numpy.sum(_engine.numpy.multiply(indices, strides), axis=-1), depth


def _check_scatter(indices, shape, name: str):
    indices_shape = tuple(_engine.core.shape(indices))
    if len(indices_shape) != 2 or indices_shape[-1] > len(shape):
        raise ValueError(
            f"{name}: indices must be (n, k) with k <= rank ({len(shape)}); got shape "
            f"{indices_shape}."
        )


def scatter(indices, values, shape):
    """A tensor of zeros of `shape` with `values` added at `indices`.

    Args:
        indices: int `(n, k)`: each row addresses an element (k = rank) or a
            slice (k < rank) of the output.
        values: `(n, *shape[k:])`; values at the same index are summed.
        shape: the output shape.

    Returns:
        A tensor of `shape`, in values' dtype.

    Example:
        >>> lamina.ops.scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (4,))  # [4, 0, 2, 0]
    """
    shape = tuple(int(d) for d in shape)
    indices = _engine.core.convert_to_tensor(indices)
    values = _engine.core.convert_to_tensor(values)
    _check_scatter(indices, shape, "scatter")
    position, depth = _flat_index(indices, shape)
    cells = int(np.prod(shape[:depth]))
    rows = _engine.numpy.reshape(values, (-1, *shape[depth:]))
    out = _engine.math.segment_sum(rows, position, cells)
    return _engine.numpy.reshape(out, shape)


def scatter_update(inputs, indices, updates, reduction: str | None = None):
    """`inputs` with the elements (or slices) at `indices` set to, or combined with, `updates`.

    Args:
        inputs: the tensor updated.
        indices: int `(n, k)`, as for `scatter`.
        updates: `(n, *inputs.shape[k:])`.
        reduction: None replaces (where indices repeat, the last update wins);
            "add", "max" and "min" combine the old value with all updates.

    Returns:
        A new tensor of inputs' shape and dtype.

    Example:
        >>> lamina.ops.scatter_update(np.zeros(3), [[1]], [5.0])  # [0, 5, 0]
    """
    if reduction not in (None, "add", "max", "min"):
        raise ValueError(
            f"scatter_update: reduction must be None, 'add', 'max' or 'min'; got {reduction!r}."
        )
    inputs = _engine.core.convert_to_tensor(inputs)
    shape = tuple(_engine.core.shape(inputs))
    dtype = _engine.core.dtype(inputs)
    indices = _engine.core.convert_to_tensor(indices)
    _check_scatter(indices, shape, "scatter_update")
    updates = _engine.core.cast(updates, dtype)
    position, depth = _flat_index(indices, shape)
    cells = int(np.prod(shape[:depth]))
    flat = _engine.numpy.reshape(inputs, (cells, *shape[depth:]))
    rows = _engine.numpy.reshape(updates, (-1, *shape[depth:]))
    n = _engine.core.shape(rows)[0]
    if reduction == "add":
        out = _engine.numpy.add(flat, _engine.math.segment_sum(rows, position, cells))
        return _engine.numpy.reshape(out, shape)
    order = _engine.numpy.arange(n, dtype="int32")
    last = _engine.math.segment_max(order, position, cells)  # the last update of each cell
    touched = _engine.numpy.greater_equal(
        _engine.math.segment_sum(_engine.numpy.ones_like(order), position, cells), 1
    )
    view = (cells,) + (1,) * (len(shape) - depth)
    touched = _engine.numpy.reshape(touched, view)
    if reduction is None:
        picked = _engine.numpy.take(rows, _engine.numpy.clip(last, 0, n - 1), axis=0)
        out = _engine.numpy.where(touched, picked, flat)
    elif reduction == "max":
        best = _engine.math.segment_max(rows, position, cells)
        out = _engine.numpy.where(touched, _engine.numpy.maximum(flat, best), flat)
    else:
        best = _engine.numpy.negative(
            _engine.math.segment_max(_engine.numpy.negative(rows), position, cells)
        )
        out = _engine.numpy.where(touched, _engine.numpy.minimum(flat, best), flat)
    return _engine.numpy.reshape(out, shape)


def associative_scan(f: Callable, elems, reverse: bool = False, axis: int = 0):
    """All prefix combinations of `elems` along `axis` under an associative `f`.

    Output `i` is `f(...f(f(e[0], e[1]), e[2])..., e[i])`, computed in
    `log2(n)` rounds of whole-tensor calls to `f` (a parallel scan), so `f`
    must be associative and work on batches of elements.

    Args:
        f: `f(a, b) -> c`, element-wise over the scanned axis; `a`, `b` and
            `c` share the structure of `elems`.
        elems: a tensor, or a list/tuple of tensors with the same size along
            `axis`.
        reverse: scan from the last element to the first.
        axis: the scanned axis.

    Returns:
        The prefix results, in the structure and shapes of `elems`.

    Example:
        >>> lamina.ops.associative_scan(lambda a, b: a + b, np.array([1, 2, 3, 4]))  # [1, 3, 6, 10]
    """
    single = not isinstance(elems, (list, tuple))
    flat = [_engine.core.convert_to_tensor(e) for e in ([elems] if single else elems)]
    if not flat:
        raise ValueError("associative_scan needs at least one tensor in elems.")
    sizes = {_engine.core.shape(e)[axis] for e in flat}
    if len(sizes) != 1 or not all(isinstance(s, int) for s in sizes):
        raise ValueError(
            f"associative_scan: every tensor needs the same known size along axis {axis}; "
            f"got sizes {sorted(str(s) for s in sizes)}."
        )

    def pack(parts):
        return parts[0] if single else type(elems)(parts)

    def combine(a, b):
        out = f(pack(a), pack(b))
        return [out] if single else list(out)

    def take(parts, start, stop, step=1):
        # Basic slicing, whose gradient is dense on every engine.
        out = []
        for p in parts:
            lead = (slice(None),) * (axis % len(_engine.core.shape(p)))
            out.append(p[(*lead, slice(start, stop, step))])
        return out

    def interleave(even, odd, n):
        out = []
        for e, o in zip(even, odd):
            rank = len(_engine.core.shape(e))
            ax = axis % rank
            pairs = _engine.numpy.stack([take([e], 0, n // 2)[0], o], axis=ax + 1)
            shape = list(_engine.core.shape(pairs))
            merged = _engine.numpy.reshape(pairs, shape[:ax] + [shape[ax] * 2] + shape[ax + 2 :])
            if n % 2:
                merged = _engine.numpy.concatenate([merged, take([e], n // 2, n // 2 + 1)[0]], ax)
            out.append(merged)
        return out

    def scan(parts):
        n = _engine.core.shape(parts[0])[axis]
        if n < 2:
            return parts
        odd = scan(combine(take(parts, 0, n - 1, 2), take(parts, 1, n, 2)))
        if n % 2 == 0:
            even = combine(take(odd, 0, n // 2 - 1), take(parts, 2, n, 2))
        else:
            even = combine(odd, take(parts, 2, n, 2))
        even = [
            _engine.numpy.concatenate([take([p], 0, 1)[0], e], axis=axis)
            for p, e in zip(parts, even)
        ]
        return interleave(even, odd, n)

    if reverse:
        flat = [_engine.numpy.flip(e, axis=axis) for e in flat]
    out = scan(flat)
    if reverse:
        out = [_engine.numpy.flip(e, axis=axis) for e in out]
    return pack(out)


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
