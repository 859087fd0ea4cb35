"""random functions of the backend contract on NumPy.

Every function is stateless: the numbers depend on `seed` alone, an int tensor
of shape (2,) whose two values make the 128-bit key of a Philox generator.
`seed=None` draws a fresh seed from NumPy's global generator, so those calls
are not reproducible unless NumPy is seeded.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from lamina.backend.numpy.core import _floatx, _np_dtype, convert_to_tensor

_MASK64 = (1 << 64) - 1


def _generator(seed) -> np.random.Generator:
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1, size=2)
    elif isinstance(seed, int):
        seed = [0, seed]
    values = np.asarray(getval(convert_to_tensor(seed))).astype("int64").reshape(-1)
    if values.shape != (2,):
        raise ValueError(f"seed must be an int or an int tensor of shape (2,); got {seed!r}.")
    key = ((int(values[0]) & _MASK64) << 64) | (int(values[1]) & _MASK64)
    return np.random.Generator(np.random.Philox(key=key))


def _float_dtype(dtype) -> np.dtype:
    return _floatx() if dtype is None else _np_dtype(dtype)


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    # NumPy's generators draw float32 and float64 only; narrower dtypes round after.
    return np.dtype("float64") if dtype == np.float64 else np.dtype("float32")


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


def _scalar(value, dtype):
    return np.asarray(getval(convert_to_tensor(value)), dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    draw_dtype = _draw_dtype(dtype)
    values = _generator(seed).standard_normal(_shape(shape), dtype=draw_dtype)
    out = values * _scalar(stddev, draw_dtype) + _scalar(mean, draw_dtype)
    return out.astype(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    draw_dtype = _draw_dtype(dtype)
    low, high = _scalar(minval, draw_dtype), _scalar(maxval, draw_dtype)
    values = _generator(seed).random(_shape(shape), dtype=draw_dtype)
    out = (values * (high - low) + low).astype(dtype)
    # Rounding can land on maxval, which the half-open range excludes.
    return np.where(out >= high.astype(dtype), np.asarray(low, dtype), out)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    draw_dtype = _draw_dtype(dtype)
    generator = _generator(seed)
    shape = _shape(shape)
    values = generator.standard_normal(shape, dtype=draw_dtype)
    # Cut at two standard deviations, as tf.random.truncated_normal does: redraw
    # the values outside until none is left (about 5% each round).
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = generator.standard_normal(int(outside.sum()), dtype=draw_dtype)
        outside = np.abs(values) > 2
    out = values * _scalar(stddev, draw_dtype) + _scalar(mean, draw_dtype)
    return out.astype(dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = _np_dtype(dtype)
    low = int(np.asarray(getval(convert_to_tensor(minval))))
    high = int(np.asarray(getval(convert_to_tensor(maxval))))
    return _generator(seed).integers(low, high, size=_shape(shape)).astype(dtype)


def _noise_shape(inputs, noise_shape):
    if noise_shape is None:
        return tuple(inputs.shape)
    # A None entry takes the size of the matching input dim, as in Keras.
    return tuple(inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    rate = float(np.asarray(getval(convert_to_tensor(rate))))
    if rate >= 1:
        return inputs * np.zeros((), inputs.dtype)
    draw = _generator(seed).random(_noise_shape(inputs, noise_shape), dtype="float32")
    # The kept cells are scaled by 1 / (1 - rate); the mask is a constant.
    mask = (draw >= rate).astype(inputs.dtype) * np.asarray(1 / (1 - rate), inputs.dtype)
    return anp.multiply(inputs, mask)


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    order = _generator(seed).permutation(x.shape[axis])
    return x[(slice(None),) * (axis % x.ndim) + (order,)]


def _parameter(value, dtype="float64"):
    return np.asarray(getval(convert_to_tensor(value)), dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = _parameter(logits)
    # Inverse-CDF sampling per row: the number of classes whose cumulative
    # probability lies below a uniform draw is the drawn class.
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    cdf = np.cumsum(shifted / shifted.sum(axis=-1, keepdims=True), axis=-1)
    u = _generator(seed).random((logits.shape[0], int(num_samples)))
    draws = (cdf[:, None, :] <= u[..., None]).sum(axis=-1)
    # Rounding can leave the last cumulative value just below 1: stay in range.
    return np.minimum(draws, logits.shape[-1] - 1).astype(_np_dtype(dtype))


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    alpha = np.broadcast_to(_parameter(alpha), _shape(shape))
    return _generator(seed).standard_gamma(alpha).astype(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    shape = _shape(shape)
    counts = np.broadcast_to(_parameter(counts), shape).astype("int64")
    probabilities = np.broadcast_to(_parameter(probabilities), shape)
    return _generator(seed).binomial(counts, probabilities).astype(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    shape = _shape(shape)
    alpha = np.broadcast_to(_parameter(alpha), shape)
    beta = np.broadcast_to(_parameter(beta), shape)
    return _generator(seed).beta(alpha, beta).astype(dtype)
