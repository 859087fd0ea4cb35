"""lamina.random: random tensors from explicit seeds (Keras's `keras.random`).

`seed` may be an int, a `SeedGenerator`, or None (a fresh seed from lamina's
global generator; `lamina.utils.set_random_seed` makes it reproducible).
"""

from __future__ import annotations

from lamina.ops import random as _ops
from lamina.random._distributions import beta as beta
from lamina.random._distributions import binomial as binomial
from lamina.random._distributions import categorical as categorical
from lamina.random._distributions import gamma as gamma
from lamina.random.seed_generator import SeedGenerator as SeedGenerator
from lamina.random.seed_generator import make_seed as _make_seed


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution."""
    return _ops.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=_make_seed(seed))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on [minval, maxval)."""
    return _ops.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=_make_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution truncated to two standard deviations."""
    return _ops.truncated_normal(
        shape, mean=mean, stddev=stddev, dtype=dtype, seed=_make_seed(seed)
    )


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Samples integers uniformly from [minval, maxval)."""
    return _ops.randint(shape, minval, maxval, dtype=dtype, seed=_make_seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries with probability `rate` and scales the rest by 1 / (1 - rate)."""
    return _ops.dropout(inputs, rate, noise_shape=noise_shape, seed=_make_seed(seed))


def shuffle(x, axis=0, seed=None):
    """Shuffles `x` along `axis`."""
    return _ops.shuffle(x, axis=axis, seed=_make_seed(seed))
