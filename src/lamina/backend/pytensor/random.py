"""random functions of the backend contract on pytensor.

Stateless and counter-based: element i of a draw is a hash of (seed, i), the
splitmix64 finalizer written with uint64 arithmetic (multiply, xor, and
division by powers of two for shifts). The same code runs with NumPy on
concrete seeds and as PyTensor graph on symbolic ones (a seed held in the
compiled training step's state), so a seed gives the same numbers eagerly and
compiled, and a draw never touches a random-state object.

`seed=None` draws a fresh seed from NumPy's global generator, so those calls
are not reproducible unless NumPy is seeded.
"""

from __future__ import annotations

import math

import numpy as np
import pytensor.tensor as pt
import scipy.special

from lamina import config
from lamina.backend.pytensor import numpy as lnp
from lamina.backend.pytensor.core import (
    _any_symbolic,
    _eager,
    _is_symbolic,
    _unwrap,
    cast,
    convert_to_tensor,
)
from lamina.backend.pytensor.core import (
    shape as _shape_of,
)

# A 32-bit integer mixer (Wellons's "triple32"): shifts, xors and odd multipliers.
_ROUNDS = ((17, 0xED5AD4BB), (11, 0xAC4C1B51), (15, 0x31848BAB))
_LAST_SHIFT = 14
_STREAM = 0x9E3779B9


def _seed(seed):
    seed = _unwrap(seed)
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1, size=2)
    elif isinstance(seed, int):
        seed = [0, seed]
    return convert_to_tensor(seed)


def _mix(z, xp):
    """The triple32 hash of int64 values in [0, 2**32).

    Written without relying on integer wraparound, which PyTensor's fused
    kernels do not keep at 32 bits: products are split into 16-bit halves of
    the multiplier, so every intermediate stays below 2**49.
    """
    for shift, multiplier in _ROUNDS:
        z = xp.bitwise_xor(z, z // 2**shift)
        low, high = multiplier % 2**16, multiplier // 2**16
        z = (z * low + ((z * high) % 2**16) * 2**16) % 2**32
    return xp.bitwise_xor(z, z // 2**_LAST_SHIFT)


def _bits(seed, count, stream: int = 0):
    """Hashes in [0, 2**32) of (seed, stream, 0 .. count - 1), an int64 vector of length `count`."""
    seed = convert_to_tensor(seed)
    xp = pt if _any_symbolic(seed, count) else np
    # Any int seed (negative too) maps onto [0, 2**32) per half.
    halves = xp.mod(
        xp.asarray(seed).astype("int64") if xp is np else pt.cast(seed, "int64"), 2**32
    )
    first, second = xp.reshape(halves[0], (1,)), xp.reshape(halves[1], (1,))
    stream_key = (stream * _STREAM) % 2**32
    key = _mix(xp.bitwise_xor(_mix(xp.bitwise_xor(first, stream_key), xp), second), xp)
    counter = xp.arange(count, dtype="int64")
    return _mix(xp.bitwise_xor(_mix(counter, xp), key), xp)


def _size(shape):
    dims = [_unwrap(d) for d in shape]
    if _any_symbolic(*dims):
        total = 1
        for d in dims:
            total = total * d
        return total, dims
    dims = [int(d) for d in dims]
    return math.prod(dims), tuple(dims)


def _shape_arg(shape):
    shape = _unwrap(shape)
    return (shape,) if isinstance(shape, int) else tuple(shape)


def _unit(seed, shape, dtype: str, stream: int = 0):
    """Uniform floats in [0, 1) of `dtype`, shaped `shape`."""
    count, dims = _size(_shape_arg(shape))
    high = _bits(seed, count, 2 * stream)
    xp = pt if _is_symbolic(high) else np
    if dtype == "float64":
        # 53 random bits: 32 from one word, 21 from another; exact in float64.
        low = _bits(seed, count, 2 * stream + 1) // 2**11
        values = (high.astype("float64") * 2.0**21 + low.astype("float64")) * 2.0**-53
    else:
        # The top 24 bits are an exact float32 fraction.
        values = (high // 2**8).astype("float32") * np.float32(2.0**-24)
    values = xp.reshape(values, dims).astype(dtype)
    return values if xp is pt else _eager(values)


def _float_dtype(dtype):
    return dtype or config.floatx()


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    unit = _unit(_seed(seed), shape, dtype)
    span = lnp.subtract(maxval, minval)
    return cast(lnp.add(lnp.multiply(unit, cast(span, dtype)), cast(minval, dtype)), dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    compute = "float64" if dtype == "float64" else "float32"
    seed = _seed(seed)
    # Box-Muller on two independent streams; 1 - u lies in (0, 1], so the log is finite.
    u1 = lnp.subtract(1.0, _unit(seed, shape, compute, stream=0))
    u2 = _unit(seed, shape, compute, stream=1)
    radius = lnp.sqrt(lnp.multiply(-2.0, lnp.log(u1)))
    values = lnp.multiply(radius, lnp.cos(lnp.multiply(2 * math.pi, u2)))
    return cast(lnp.add(lnp.multiply(values, stddev), mean), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    # Cut at two standard deviations, as tf.random.truncated_normal does: the
    # inverse normal CDF of a uniform between CDF(-2) and CDF(2).
    dtype = _float_dtype(dtype)
    compute = "float64" if dtype == "float64" else "float32"
    low = 0.5 * (1 + math.erf(-2 / math.sqrt(2)))
    high = 1 - low
    unit = _unit(_seed(seed), shape, compute)
    u = lnp.add(lnp.multiply(unit, high - low), low)
    centered = lnp.subtract(lnp.multiply(u, 2.0), 1.0)
    if _is_symbolic(centered):
        inverse = pt.erfinv(centered)
    else:
        inverse = _eager(scipy.special.erfinv(centered).astype(compute))
    values = lnp.clip(lnp.multiply(inverse, math.sqrt(2)), -2.0, 2.0)
    return cast(lnp.add(lnp.multiply(values, stddev), mean), dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    unit = _unit(_seed(seed), shape, "float64")
    span = lnp.subtract(cast(maxval, "float64"), cast(minval, "float64"))
    values = lnp.floor(lnp.add(lnp.multiply(unit, span), cast(minval, "float64")))
    return cast(values, dtype)


def _noise_shape(inputs, noise_shape):
    full = _shape_of(inputs)
    if noise_shape is None:
        return full
    # A None entry takes the size of the matching input dim, as in Keras.
    return tuple(full[i] if d is None else d for i, d in enumerate(noise_shape))


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    dtype = lnp._dtype(inputs)
    draw = uniform(_noise_shape(inputs, noise_shape), dtype=dtype, seed=seed)
    keep = lnp.greater_equal(draw, cast(rate, dtype))
    # At rate 1 nothing is kept, so the division by zero is never selected.
    scaled = lnp.divide(inputs, lnp.subtract(1.0, cast(rate, dtype)))
    return lnp.where(keep, scaled, lnp.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    length = _shape_of(x)[axis]
    keys = _unit(_seed(seed), (length,), "float64")
    order = lnp.argsort(keys)
    return lnp.take(x, order, axis=axis)


# Special functions for inverse-CDF sampling: PyTensor's on graphs, SciPy's on arrays.
_SPECIAL = {
    "gammaincinv": (pt.gammaincinv, scipy.special.gammaincinv),
    "betaincinv": (pt.betaincinv, scipy.special.betaincinv),
    "betainc": (pt.betainc, scipy.special.betainc),
}


def _special(name: str, *args):
    args = [convert_to_tensor(a) for a in args]
    graph_fn, array_fn = _SPECIAL[name]
    if _any_symbolic(*args):
        return graph_fn(*args)
    return _eager(array_fn(*[np.asarray(a) for a in args]))


def _float64_parameter(value, shape):
    return lnp.broadcast_to(cast(convert_to_tensor(value), "float64"), _shape_arg(shape))


def categorical(logits, num_samples, dtype="int32", seed=None):
    # The Gumbel-max trick: argmax(logits + Gumbel noise) is a draw from softmax(logits).
    logits = cast(convert_to_tensor(logits), "float64")
    batch, classes = _shape_of(logits)
    unit = _unit(_seed(seed), (batch, num_samples, classes), "float64")
    noise = lnp.negative(lnp.log(lnp.negative(lnp.log(unit))))
    scores = lnp.add(lnp.expand_dims(logits, 1), noise)
    return cast(lnp.argmax(scores, axis=-1), dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    # The inverse of the regularized lower incomplete gamma function at a uniform draw.
    dtype = _float_dtype(dtype)
    unit = _unit(_seed(seed), shape, "float64")
    return cast(_special("gammaincinv", _float64_parameter(alpha, shape), unit), dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    # The inverse of the regularized incomplete beta function at a uniform draw.
    dtype = _float_dtype(dtype)
    unit = _unit(_seed(seed), shape, "float64")
    a, b = _float64_parameter(alpha, shape), _float64_parameter(beta, shape)
    return cast(_special("betaincinv", a, b, unit), dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    # Inverse-CDF sampling: the smallest k in [0, n] with CDF(k) > u, found by
    # bisection. CDF(k) = I_{1-p}(n - k, k + 1), the regularized incomplete beta.
    dtype = _float_dtype(dtype)
    n = lnp.floor(_float64_parameter(counts, shape))
    q = lnp.subtract(1.0, _float64_parameter(probabilities, shape))
    unit = _unit(_seed(seed), shape, "float64")
    if _any_symbolic(n):
        rounds = 32  # enough for any count below 2**32
    else:
        largest = float(np.max(np.asarray(n), initial=0.0))
        rounds = max(1, math.ceil(math.log2(largest + 1.0))) + 1
    low, high = lnp.zeros_like(n), n
    for _ in range(rounds):
        mid = lnp.floor(lnp.multiply(lnp.add(low, high), 0.5))
        # At k = n the CDF is 1; the other branch gets a valid first argument.
        below = _special("betainc", lnp.maximum(lnp.subtract(n, mid), 1.0), lnp.add(mid, 1.0), q)
        cdf = lnp.where(lnp.greater_equal(mid, n), lnp.ones_like(n), below)
        left = lnp.greater(cdf, unit)
        high = lnp.where(left, mid, high)
        low = lnp.where(left, low, lnp.add(mid, 1.0))
    return cast(low, dtype)
