"""random functions of the backend contract on tensorflow.

Every function is stateless: the numbers depend on `seed` alone, an int tensor
of shape (2,). `seed=None` draws a fresh seed from NumPy's global generator,
so those calls are not reproducible unless NumPy is seeded.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from lamina import config
from lamina.backend.tensorflow.core import convert_to_tensor


def _seed(seed):
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1, size=2)
    elif isinstance(seed, int):
        seed = [0, seed]
    return tf.cast(convert_to_tensor(seed), "int32")


def _float_dtype(dtype):
    return dtype or config.floatx()


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.stateless_normal(
        shape, seed=_seed(seed), mean=mean, stddev=stddev, dtype=_float_dtype(dtype)
    )


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return tf.random.stateless_uniform(
        shape, seed=_seed(seed), minval=minval, maxval=maxval, dtype=_float_dtype(dtype)
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.stateless_truncated_normal(
        shape, seed=_seed(seed), mean=mean, stddev=stddev, dtype=_float_dtype(dtype)
    )


def randint(shape, minval, maxval, dtype="int32", seed=None):
    # TensorFlow draws int32/int64 only; other int dtypes are cast from int32.
    draw = dtype if dtype in ("int32", "int64") else "int32"
    values = tf.random.stateless_uniform(
        shape, seed=_seed(seed), minval=minval, maxval=maxval, dtype=draw
    )
    return tf.cast(values, dtype)


def _noise_shape(inputs, noise_shape):
    if noise_shape is None:
        return tf.shape(inputs)
    # A None entry takes the size of the matching input dim, as in Keras.
    full = tf.shape(inputs)
    return tf.stack([full[i] if d is None else d for i, d in enumerate(noise_shape)])


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    rate = tf.cast(rate, inputs.dtype)
    draw = tf.random.stateless_uniform(
        _noise_shape(inputs, noise_shape), seed=_seed(seed), dtype=inputs.dtype
    )
    # Scale by a multiply, not a division: the gradient of a division by a
    # tensor would also differentiate the denominator, four more passes over
    # the activations. At rate 1 nothing is kept, so the inf is never selected.
    scaled = inputs * (1 / (1 - rate))
    return tf.where(draw >= rate, scaled, tf.zeros((), inputs.dtype))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    # Sorting random keys gives a uniformly random permutation of the axis.
    keys = tf.random.stateless_uniform(tf.shape(x)[axis : axis + 1], seed=_seed(seed))
    return tf.gather(x, tf.argsort(keys), axis=axis)


def _draw_float(dtype: str) -> str:
    # TensorFlow's stateless gamma and binomial draw float32/float64 (gamma
    # also float16); bfloat16 and float16 are drawn in float32 and rounded.
    return "float64" if dtype == "float64" else "float32"


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    draws = tf.random.stateless_categorical(logits, num_samples, seed=_seed(seed), dtype="int64")
    return tf.cast(draws, dtype)


def _gamma(shape, alpha, dtype, seed):
    draw = _draw_float(dtype)
    # stateless_gamma broadcasts alpha against the trailing dims only: give it the full shape.
    alpha = tf.broadcast_to(tf.cast(convert_to_tensor(alpha), draw), shape)
    return tf.random.stateless_gamma(shape, seed=seed, alpha=alpha, dtype=draw)


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return tf.cast(_gamma(shape, alpha, dtype, _seed(seed)), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    draw = _draw_float(dtype)
    counts = tf.broadcast_to(tf.cast(convert_to_tensor(counts), draw), shape)
    probabilities = tf.broadcast_to(tf.cast(convert_to_tensor(probabilities), draw), shape)
    values = tf.random.stateless_binomial(
        shape, seed=_seed(seed), counts=counts, probs=probabilities, output_dtype=draw
    )
    return tf.cast(values, dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    # X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta) from two derived seeds.
    seeds = tf.random.experimental.stateless_split(_seed(seed), 2)
    x = _gamma(shape, alpha, dtype, seeds[0])
    y = _gamma(shape, beta, dtype, seeds[1])
    return tf.cast(x / (x + y), dtype)
