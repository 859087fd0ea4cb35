"""random functions of the backend contract on jax.

Every function is stateless: the numbers depend on `seed` alone, an int tensor
of shape (2,) that becomes the data of a threefry key. `seed=None` draws a
fresh seed from NumPy's global generator, so those calls are not reproducible
unless NumPy is seeded.

Each draw is one jitted program (shape and dtype static): called eagerly, the
unjitted version would compile and dispatch every small step on its own.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config
from lamina.backend.jax.core import _jax_dtype, convert_to_tensor


def _seed(seed):
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1, size=2)
    elif isinstance(seed, int):
        seed = [0, seed]
    return convert_to_tensor(seed)


def _key(seed):
    return jax.random.wrap_key_data(seed.astype("uint32"), impl="threefry2x32")


def _float_dtype(dtype):
    return _jax_dtype(dtype or config.floatx())


def _static_shape(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _normal(seed, shape, mean, stddev, dtype):
    values = jax.random.normal(_key(seed), shape, dtype=dtype)
    return (values * stddev + mean).astype(dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _normal(_seed(seed), _static_shape(shape), mean, stddev, _float_dtype(dtype))


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _uniform(seed, shape, minval, maxval, dtype):
    return jax.random.uniform(_key(seed), shape, dtype=dtype, minval=minval, maxval=maxval)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _uniform(_seed(seed), _static_shape(shape), minval, maxval, _float_dtype(dtype))


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _truncated_normal(seed, shape, mean, stddev, dtype):
    # Cut at two standard deviations, as tf.random.truncated_normal does.
    values = jax.random.truncated_normal(_key(seed), -2.0, 2.0, shape, dtype=dtype)
    return (values * stddev + mean).astype(dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _truncated_normal(_seed(seed), _static_shape(shape), mean, stddev, _float_dtype(dtype))


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _randint(seed, shape, minval, maxval, dtype):
    return jax.random.randint(_key(seed), shape, minval, maxval, dtype=dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return _randint(_seed(seed), _static_shape(shape), minval, maxval, _jax_dtype(dtype))


def _noise_shape(inputs, noise_shape):
    if noise_shape is None:
        return inputs.shape
    # A None entry takes the size of the matching input dim, as in Keras.
    return tuple(inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))


@partial(jax.jit, static_argnames=("noise_shape",))
def _dropout(inputs, rate, noise_shape, seed):
    draw = jax.random.uniform(_key(seed), noise_shape, dtype=inputs.dtype)
    # At rate 1 nothing is kept, so the division by zero is never selected.
    scaled = inputs / (1 - jnp.asarray(rate, inputs.dtype))
    return jnp.where(draw >= rate, scaled, jnp.zeros_like(inputs))


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    return _dropout(inputs, rate, _static_shape(_noise_shape(inputs, noise_shape)), _seed(seed))


@partial(jax.jit, static_argnames=("axis",))
def _shuffle(x, axis, seed):
    return jax.random.permutation(_key(seed), x, axis=axis, independent=False)


def shuffle(x, axis=0, seed=None):
    return _shuffle(convert_to_tensor(x), axis, _seed(seed))


@partial(jax.jit, static_argnames=("num_samples", "dtype"))
def _categorical(seed, logits, num_samples, dtype):
    shape = (logits.shape[0], num_samples)
    draws = jax.random.categorical(_key(seed), logits[:, None, :], axis=-1, shape=shape)
    return draws.astype(dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    return _categorical(_seed(seed), logits, int(num_samples), _jax_dtype(dtype))


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _gamma(seed, shape, alpha, dtype):
    return jax.random.gamma(_key(seed), alpha.astype(dtype), shape=shape, dtype=dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    return _gamma(_seed(seed), _static_shape(shape), convert_to_tensor(alpha), dtype)


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _binomial(seed, shape, counts, probabilities, dtype):
    n = counts.astype(dtype)
    p = probabilities.astype(dtype)
    return jax.random.binomial(_key(seed), n, p, shape=shape, dtype=dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    counts, probabilities = convert_to_tensor(counts), convert_to_tensor(probabilities)
    return _binomial(_seed(seed), _static_shape(shape), counts, probabilities, dtype)


@partial(jax.jit, static_argnames=("shape", "dtype"))
def _beta(seed, shape, alpha, beta, dtype):
    return jax.random.beta(_key(seed), alpha.astype(dtype), beta.astype(dtype), shape, dtype=dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    alpha, beta = convert_to_tensor(alpha), convert_to_tensor(beta)
    return _beta(_seed(seed), _static_shape(shape), alpha, beta, dtype)
