"""functional functions of the backend contract on tensorflow."""

from __future__ import annotations

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
        return out, list(grads)

    return g


def compile(fn, donate_argnums=(), jit_compile=None):
    # TensorFlow manages buffers itself, so there is nothing to donate.
    del donate_argnums
    # autograph=False: lamina code is plain Python over ops; converting it is slow and
    # would turn Python control flow on static values into graph control flow.
    return tf.function(fn, jit_compile=jit_compile, reduce_retracing=True, autograph=False)


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
