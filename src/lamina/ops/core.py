"""lamina.ops.core: tensors, dtypes, shapes, devices and control flow."""

from __future__ import annotations

from collections.abc import Callable

from lamina.backend import engine as _engine

__all__ = [
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "default_device",
    "device_names",
    "dtype",
    "engine_version",
    "fori_loop",
    "is_tensor",
    "scan",
    "shape",
    "stop_gradient",
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


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
