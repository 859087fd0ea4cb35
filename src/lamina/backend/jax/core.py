"""core functions of the backend contract on jax.

Without 64-bit mode JAX has no int64/float64 arrays: those dtypes become
int32/float32 here. lamina turns 64-bit mode on at import only when floatx is
float64.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config

if config.floatx() == "float64":
    jax.config.update("jax_enable_x64", True)

_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32"}


def _jax_dtype(name):
    # Asking JAX for a 64-bit dtype it cannot hold raises a warning; narrow it first.
    if name is None or jax.config.jax_enable_x64:
        return name
    name = np.dtype(name).name if not isinstance(name, str) else name
    return _NARROW.get(name, name)


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
        return config.floatx() if x.dtype == np.float64 else _jax_dtype(x.dtype.name)
    if isinstance(x, (list, tuple)):
        kind = np.asarray(x).dtype
        if kind == np.float64:
            return config.floatx()
        if kind == np.int64:
            return "int32"
    return None


def _has_tensor(x) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(item) for item in x)
    return is_tensor(x)


def _is_host_data(x) -> bool:
    # Python and NumPy data follow lamina's dtype rules; everything else
    # (arrays, tracers, objects with __jax_array__) converts natively, so that
    # traced values never go through NumPy.
    if isinstance(x, (list, tuple)):
        return not _has_tensor(x)
    return isinstance(x, (bool, int, float, np.ndarray, np.generic))


def convert_to_tensor(x, dtype=None):
    dtype = _jax_dtype(dtype)
    if not _is_host_data(x):
        array = jnp.asarray(x)
        if dtype is not None and array.dtype.name != dtype:
            array = array.astype(dtype)
        return array
    if dtype is None:
        dtype = _infer_dtype(x)
    if dtype is not None:
        # Going through NumPy lets a Python float become an int array, as numpy does.
        x = np.asarray(x, dtype=jnp.dtype(dtype))
    return jnp.asarray(x)


def convert_to_numpy(x):
    return np.asarray(x)


def is_tensor(x) -> bool:
    return isinstance(x, jax.Array)


def shape(x) -> tuple:
    return tuple(jnp.shape(x))


def dtype(x) -> str:
    return convert_to_tensor(x).dtype.name


def cast(x, dtype):
    x = convert_to_tensor(x)
    dtype = _jax_dtype(dtype)
    return x if x.dtype.name == dtype else x.astype(dtype)


def stop_gradient(x):
    return jax.lax.stop_gradient(convert_to_tensor(x))


def custom_gradient(f):
    def forward(*args):
        out, grad_fn = f(*args)

        def vjp(upstream):
            grads = grad_fn(upstream)
            return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)

        return out, vjp

    return jax.custom_gradient(forward)


def device_names() -> list[str]:
    return [f"{d.platform}:{d.id}" for d in jax.devices()]


def default_device() -> str:
    return device_names()[0]


def engine_version() -> str:
    return jax.__version__


def cond(pred, true_fn, false_fn):
    return jax.lax.cond(pred, true_fn, false_fn)


def _to_tensors(tree):
    return jax.tree_util.tree_map(convert_to_tensor, tree)


def scan(fn, init, xs, reverse=False):
    return jax.lax.scan(fn, _to_tensors(init), _to_tensors(xs), reverse=reverse)


def fori_loop(lower, upper, body_fn, init_val):
    return jax.lax.fori_loop(lower, upper, body_fn, init_val)


def _eager_scope():
    """Ops run eagerly here even inside a function JAX is tracing: a variable
    created during a trace gets a concrete value, not the trace's tracer."""
    return jax.ensure_compile_time_eval()
