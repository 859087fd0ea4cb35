"""Draws from the gamma, beta, binomial and categorical distributions.

Each function is stateless in the engine's random ops, like lamina's other
random functions: `seed` (an int, a `SeedGenerator` or None) becomes a (2,)
seed tensor, and the same seed gives the same numbers on the same engine.
Engines draw different numbers from the same seed.
"""

from __future__ import annotations

import numbers

from lamina.ops import core as _ops_core
from lamina.ops import random as _ops
from lamina.random.seed_generator import make_seed as _make_seed
from lamina.utils.dtype_utils import standardize_dtype as _standardize_dtype

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def _float_dtype(dtype, function: str) -> str:
    name = _standardize_dtype(dtype)
    if name not in _FLOATS:
        raise ValueError(
            f"lamina.random.{function} draws floats; got dtype={dtype!r}. Pass one of "
            f"{', '.join(_FLOATS)}, or None for floatx(), and cast the result if you need "
            "another type."
        )
    return name


def gamma(shape, alpha, dtype=None, seed=None):
    """Draws from the gamma distribution with shape `alpha` and scale 1.

    The draws have mean `alpha` and variance `alpha`.

    Args:
        shape: the shape of the result.
        alpha: the concentration, a positive float or a tensor broadcastable
            to `shape`.
        dtype: a float dtype; None for `floatx()`.
        seed: an int, a `lamina.random.SeedGenerator`, or None for a fresh
            seed from lamina's global seed.

    Returns:
        A tensor of `shape` and `dtype`.

    Example:
        >>> x = lamina.random.gamma((2, 3), alpha=2.0, seed=1)
    """
    dtype = _float_dtype(dtype, "gamma")
    return _ops.gamma(shape, alpha, dtype=dtype, seed=_make_seed(seed))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draws from the beta distribution with parameters `alpha` and `beta`.

    The draws lie in [0, 1], with mean `alpha / (alpha + beta)`.

    Args:
        shape: the shape of the result.
        alpha: the first concentration, a positive float or a tensor
            broadcastable to `shape`.
        beta: the second concentration, likewise.
        dtype: a float dtype; None for `floatx()`.
        seed: an int, a `lamina.random.SeedGenerator`, or None.

    Returns:
        A tensor of `shape` and `dtype`.

    Example:
        >>> x = lamina.random.beta((4,), alpha=2.0, beta=5.0, seed=1)
    """
    dtype = _float_dtype(dtype, "beta")
    return _ops.beta(shape, alpha, beta, dtype=dtype, seed=_make_seed(seed))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draws the number of successes in `counts` trials of probability `probabilities`.

    As in Keras, the counts come back as floats.

    Args:
        shape: the shape of the result.
        counts: the number of trials, a non-negative whole number or a
            tensor broadcastable to `shape`.
        probabilities: the probability of success of each trial, in [0, 1],
            a float or a tensor broadcastable to `shape`.
        dtype: a float dtype; None for `floatx()`.
        seed: an int, a `lamina.random.SeedGenerator`, or None.

    Returns:
        A tensor of `shape` and `dtype` holding whole numbers in `[0, counts]`.

    Example:
        >>> x = lamina.random.binomial((5,), counts=10, probabilities=0.3, seed=1)
    """
    dtype = _float_dtype(dtype, "binomial")
    return _ops.binomial(shape, counts, probabilities, dtype=dtype, seed=_make_seed(seed))


def categorical(logits, num_samples: int, dtype="int32", seed=None):
    """Draws class indices from the distributions given by the rows of `logits`.

    Args:
        logits: a 2-D tensor `(batch_size, num_classes)`; each row holds the
            unnormalized log-probabilities of the classes.
        num_samples: the number of independent draws per row.
        dtype: an integer dtype for the result.
        seed: an int, a `lamina.random.SeedGenerator`, or None.

    Returns:
        A tensor `(batch_size, num_samples)` of class indices.

    Example:
        >>> logits = np.log([[0.2, 0.8], [0.9, 0.1]])
        >>> lamina.random.categorical(logits, 5, seed=1).shape
        (2, 5)
    """
    logits = _ops_core.convert_to_tensor(logits)
    shape = tuple(_ops_core.shape(logits))
    if len(shape) != 2:
        raise ValueError(
            f"lamina.random.categorical expects logits of shape (batch_size, num_classes); got "
            f"shape {shape}. Add a batch axis with logits[None] for one distribution."
        )
    if (
        isinstance(num_samples, bool)
        or not isinstance(num_samples, numbers.Integral)
        or num_samples < 0
    ):
        raise ValueError(f"num_samples must be a non-negative int; got {num_samples!r}.")
    name = _standardize_dtype(dtype)
    if name not in _INTS:
        raise ValueError(
            f"lamina.random.categorical returns class indices; got dtype={dtype!r}. Pass an "
            f"integer dtype such as 'int32' (the default) or 'int64'."
        )
    return _ops.categorical(logits, num_samples, dtype=name, seed=_make_seed(seed))
