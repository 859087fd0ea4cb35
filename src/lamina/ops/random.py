"""lamina.ops.random: stateless random numbers.

`seed` is an int tensor of shape (2,) (lamina's `SeedGenerator` makes them):
the same seed gives the same numbers on the same engine. `seed=None` draws a
fresh seed from NumPy's global generator, which is not reproducible unless
NumPy is seeded. Engines draw different numbers from the same seed.
"""

from __future__ import annotations

from lamina.backend import engine as _engine

__all__ = [
    "beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint", "shuffle",
    "truncated_normal", "uniform",
]  # fmt: skip


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype: str | None = None, seed=None):
    """Draws from a normal distribution; `dtype` defaults to `floatx()`. Shape: `shape`."""
    return _engine.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype: str | None = None, seed=None):
    """Draws uniformly from `[minval, maxval)`; `dtype` defaults to `floatx()`. Shape: `shape`."""
    return _engine.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def truncated_normal(
    shape, mean: float = 0.0, stddev: float = 1.0, dtype: str | None = None, seed=None
):
    """Draws from a normal distribution cut at two standard deviations from `mean`.

    `dtype` defaults to `floatx()`. Shape: `shape`.
    """
    return _engine.random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def randint(shape, minval: int, maxval: int, dtype: str = "int32", seed=None):
    """Draws integers uniformly from `[minval, maxval)`. Shape: `shape`."""
    return _engine.random.randint(shape, minval, maxval, dtype=dtype, seed=seed)


def dropout(inputs, rate: float, noise_shape=None, seed=None):
    """Zero each entry with probability `rate` and scale the kept ones by `1 / (1 - rate)`.

    Args:
        inputs: the tensor.
        rate: the probability of dropping an entry, in `[0, 1]`.
        noise_shape: the shape of the keep mask, broadcast against `inputs`
            (a None entry takes the size of that dim of `inputs`); None for
            `inputs.shape`.
        seed: the seed.

    Returns:
        A tensor of the shape and dtype of `inputs`.
    """
    return _engine.random.dropout(inputs, rate, noise_shape=noise_shape, seed=seed)


def shuffle(x, axis: int = 0, seed=None):
    """Permute `x` randomly along `axis` (whole slices move together). Shape: unchanged."""
    return _engine.random.shuffle(x, axis=axis, seed=seed)


def gamma(shape, alpha, dtype: str | None = None, seed=None):
    """Draws from gamma distributions of shape `alpha` (scale 1). Shape: `shape`.

    `lamina.random.gamma` checks its arguments and calls this."""
    return _engine.random.gamma(shape, alpha, dtype=dtype, seed=seed)


def beta(shape, alpha, beta, dtype: str | None = None, seed=None):  # noqa: A002
    """Draws from beta distributions with parameters `alpha`, `beta`. Shape: `shape`."""
    return _engine.random.beta(shape, alpha, beta, dtype=dtype, seed=seed)


def binomial(shape, counts, probabilities, dtype: str | None = None, seed=None):
    """Draws success counts of `counts` trials with success `probabilities`, as floats.
    Shape: `shape`."""
    return _engine.random.binomial(shape, counts, probabilities, dtype=dtype, seed=seed)


def categorical(logits, num_samples: int, dtype: str = "int32", seed=None):
    """Draws `num_samples` class indices per row of `logits` (batch, classes).
    Shape: `(batch, num_samples)`."""
    return _engine.random.categorical(logits, num_samples, dtype=dtype, seed=seed)
