"""core functions of the backend contract on tensorflow."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lamina import config

_PY_SCALARS = (bool, int, float)


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


def _has_tensor(x) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(item) for item in x)
    return is_tensor(x)


def _is_host_data(x) -> bool:
    # Python and NumPy data follow lamina's dtype rules; everything else
    # (tensors, variables, objects with a conversion protocol) converts natively,
    # so that traced values never go through NumPy.
    if isinstance(x, (list, tuple)):
        return not _has_tensor(x)
    return isinstance(x, (*_PY_SCALARS, np.ndarray, np.generic))


def convert_to_tensor(x, dtype=None):
    if not _is_host_data(x):
        tensor = tf.convert_to_tensor(x)
        if dtype is not None and tensor.dtype.name != dtype:
            tensor = tf.cast(tensor, dtype)
        return tensor
    if dtype is None:
        dtype = _infer_dtype(x)
    if dtype is None:
        return tf.convert_to_tensor(x)
    # Going through NumPy lets a Python float become an int tensor, as numpy does.
    return tf.convert_to_tensor(np.asarray(x, dtype=tf.as_dtype(dtype).as_numpy_dtype))


def convert_to_numpy(x):
    if isinstance(x, tf.Variable):
        x = x.value()
    if is_tensor(x):
        return x.numpy()
    return np.asarray(x)


def is_tensor(x) -> bool:
    return tf.is_tensor(x) or isinstance(x, tf.Variable)


def shape(x) -> tuple:
    x = convert_to_tensor(x)
    static = x.shape.as_list()
    if None not in static:
        return tuple(static)
    # Inside tf.function an unknown dim is only known as a tensor.
    dynamic = tf.shape(x)
    return tuple(dynamic[i] if d is None else d for i, d in enumerate(static))


def dtype(x) -> str:
    return convert_to_tensor(x).dtype.name


def cast(x, dtype):
    x = convert_to_tensor(x)
    return x if x.dtype.name == dtype else tf.cast(x, dtype)


def stop_gradient(x):
    return tf.stop_gradient(convert_to_tensor(x))


def custom_gradient(f):
    return tf.custom_gradient(f)


def _short_name(device) -> str:
    # "/device:GPU:0" -> "gpu:0"
    kind, index = device.name.split(":")[-2:]
    return f"{kind.lower()}:{index}"


def device_names() -> list[str]:
    return [_short_name(d) for d in tf.config.list_logical_devices()]


def default_device() -> str:
    names = device_names()
    gpus = [n for n in names if n.startswith("gpu")]
    return gpus[0] if gpus else names[0]


def engine_version() -> str:
    return tf.__version__


def cond(pred, true_fn, false_fn):
    return tf.cond(convert_to_tensor(pred, "bool"), true_fn, false_fn)


def _scan_step(fn, carry, xs_flat, xs, i):
    x_i = tf.nest.pack_sequence_as(xs, [x[i] for x in xs_flat])
    return fn(carry, x_i)


def scan(fn, init, xs, reverse=False):
    xs = tf.nest.map_structure(convert_to_tensor, xs)
    init = tf.nest.map_structure(convert_to_tensor, init)
    xs_flat = tf.nest.flatten(xs)
    length = tf.shape(xs_flat[0])[0]
    first = length - 1 if reverse else 0
    # The first step runs outside the loop: it tells the structure and dtypes
    # of `y`, which the loop's TensorArrays need before they can be created.
    carry, y = _scan_step(fn, init, xs_flat, xs, first)
    if y is None:
        y_flat = []
    else:
        y_flat = [convert_to_tensor(t) for t in tf.nest.flatten(y)]
    arrays = [
        tf.TensorArray(t.dtype, size=length, element_shape=t.shape).write(first, t) for t in y_flat
    ]
    step = -1 if reverse else 1

    def body(i, carry, arrays):
        carry, y_i = _scan_step(fn, carry, xs_flat, xs, i)
        y_i = [] if y_i is None else tf.nest.flatten(y_i)
        arrays = [a.write(i, t) for a, t in zip(arrays, y_i, strict=True)]
        return i + step, carry, arrays

    def keep_going(i, carry, arrays):
        return tf.logical_and(i >= 0, i < length)

    _, carry, arrays = tf.while_loop(keep_going, body, (first + step, carry, arrays))
    if y is None:
        return carry, None
    return carry, tf.nest.pack_sequence_as(y, [a.stack() for a in arrays])


def fori_loop(lower, upper, body_fn, init_val):
    def keep_going(i, value):
        return i < upper

    def body(i, value):
        return i + 1, body_fn(i, value)

    _, value = tf.while_loop(keep_going, body, (convert_to_tensor(lower), init_val))
    return value


def _eager_scope():
    """Ops run eagerly here even inside a `tf.function` being traced: a variable
    created during a trace gets an eager value, not a graph tensor."""
    return tf.init_scope()
