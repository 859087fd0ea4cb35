"""functional functions of the backend contract on tensorflow."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lamina import config as _config
from lamina.backend._spec import TensorSpec


def _watchable(p):
    return p if isinstance(p, (tf.Tensor, tf.Variable)) else tf.convert_to_tensor(p)


def value_and_grad(fn, has_aux=False):
    def g(params, *args):
        params = [_watchable(p) for p in params]
        with tf.GradientTape() as tape:
            for p in params:
                tape.watch(p)
            out = fn(params, *args)
        value = out[0] if has_aux else out
        # Zeros, not None, for params the value ignores: what JAX returns.
        grads = tape.gradient(value, params, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        # A gather's gradient comes as IndexedSlices: every engine returns tensors.
        return out, [
            tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads
        ]

    return g


def compile(fn, donate_argnums=(), jit_compile=None):
    # TensorFlow manages buffers itself, so there is nothing to donate.
    del donate_argnums
    # autograph=False: lamina code is plain Python over ops; converting it is slow and
    # would turn Python control flow on static values into graph control flow.
    function = tf.function(fn, jit_compile=jit_compile, reduce_retracing=True, autograph=False)
    return _Compiled(function)


_UNSET = object()


class _Compiled:
    """A `tf.function` whose repeated calls go straight to the traced graph.

    A `tf.function` call works out a trace type for every argument and looks
    it up among its traces: for a training step, whose arguments are every
    weight, slot and metric total of the model, that costs more than half a
    millisecond a step. Here a call first builds a cheap key from the
    arguments' nesting, shapes and dtypes; a known key runs its concrete
    function on the flat list of tensors at once. A new key asks the
    `tf.function` for its concrete function (tracing, or reusing a trace with
    relaxed shapes, by TensorFlow's own rules) and checks that its inputs line
    up with the flat tensors. Calls it cannot key (keyword arguments, dicts,
    other objects, graph mode) go through the `tf.function` as they are, and
    so does a key whose concrete function does not line up.
    """

    __slots__ = ("_function", "_concrete", "__weakref__")

    def __init__(self, function):
        self._function = function
        self._concrete = {}

    def __getattr__(self, name):
        # get_concrete_function, python_function, ...: the tf.function's own.
        return getattr(self._function, name)

    def __call__(self, *args, **kwargs):
        if kwargs or not tf.executing_eagerly():
            return self._function(*args, **kwargs)
        leaves = []
        key = _key(args, leaves)
        if key is None:
            return self._function(*args)
        concrete = self._concrete.get(key, _UNSET)
        if concrete is _UNSET:
            concrete = self._concrete[key] = _concrete_function(self._function, args, leaves)
        if concrete is None:
            return self._function(*args)
        inputs = [
            leaf if isinstance(leaf, tf.Tensor) else tf.convert_to_tensor(leaf) for leaf in leaves
        ]
        return concrete._call_flat(inputs, concrete.captured_inputs)


def _key(value, leaves):
    """A hashable key for `value`'s nesting, shapes and dtypes; None if it has none.

    Tensors and arrays are graph inputs (appended to `leaves`, in the order
    TensorFlow flattens them); None and Python scalars are traced in as
    constants, so their values are part of the key.
    """
    if isinstance(value, tf.Tensor):
        leaves.append(value)
        return (value._shape_tuple(), value.dtype)
    if isinstance(value, np.ndarray):
        leaves.append(value)
        return (value.shape, value.dtype.str)
    if isinstance(value, (list, tuple)):
        parts = []
        for item in value:
            part = _key(item, leaves)
            if part is None and item is not None:
                return None
            parts.append(part)
        return (type(value), tuple(parts))
    if value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return (type(value), value)
    return None  # dicts, variables, other objects: the tf.function's own call


def _concrete_function(function, args, leaves):
    """The concrete function for `args`, or None where its inputs do not line up with `leaves`."""
    try:
        concrete = function.get_concrete_function(*args)
        concrete._call_flat  # noqa: B018 - present on every TensorFlow lamina supports
        placeholders = concrete.inputs[: len(concrete.inputs) - len(concrete.captured_inputs)]
    except (AttributeError, TypeError):
        return None
    if len(placeholders) != len(leaves):
        return None
    for placeholder, leaf in zip(placeholders, leaves):
        dtype = leaf.dtype if isinstance(leaf, tf.Tensor) else tf.as_dtype(leaf.dtype)
        if placeholder.dtype != dtype or not placeholder.shape.is_compatible_with(leaf.shape):
            return None
    return concrete


def compiles_eager_calls() -> bool:
    # TensorFlow's eager ops call its kernels directly: a layer called eagerly
    # runs op by op, as in Keras.
    return False


def _tf_spec(spec) -> tf.TensorSpec:
    shape = None if spec.shape is None else tuple(spec.shape)
    return tf.TensorSpec(shape, tf.as_dtype(spec.dtype or _config.floatx()))


def _lamina_spec(x):
    if not isinstance(x, (tf.Tensor, tf.Variable)):
        return x
    shape = tuple(x.shape.as_list()) if x.shape.rank is not None else None
    return TensorSpec(shape, x.dtype.name)


def eval_shape(fn, *specs):
    tf_specs = tf.nest.map_structure(_tf_spec, list(specs))
    # Tracing builds the graph, whose static shapes keep unknown dims as None,
    # and runs nothing.
    concrete = tf.function(fn).get_concrete_function(*tf_specs)
    return tf.nest.map_structure(_lamina_spec, concrete.structured_outputs)
