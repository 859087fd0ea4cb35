"""Random initializers, drawn on the host with NumPy.

Drawing on the host makes initial weights identical on every engine for the
same seed. An initializer built with an int seed returns the same values at
every call (as Keras does with a seed); with `seed=None` each call draws a
fresh seed from lamina's global generator, so `lamina.utils.set_random_seed`
makes a whole model's initialization reproducible.
"""

from __future__ import annotations

import math

import numpy as np

from lamina.initializers.initializer import Initializer, float_dtype, standardize_shape

# The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


def _generator(seed) -> np.random.Generator:
    from lamina.random._global import numpy_generator
    from lamina.random.seed_generator import SeedGenerator

    if isinstance(seed, SeedGenerator):
        state = np.asarray(seed.next()).astype("int64").ravel().tolist()
        return np.random.default_rng(state)
    return numpy_generator(seed)


def _truncated_normal(rng: np.random.Generator, shape: tuple, mean, stddev) -> np.ndarray:
    """Normal samples redrawn until all lie within two standard deviations."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class RandomInitializer(Initializer):
    """Base class of the seeded initializers.

    Args:
        seed: an int for the same values at every call, None for fresh values
            at every call, or a `lamina.random.SeedGenerator`.
    """

    def __init__(self, seed=None):
        from lamina.random.seed_generator import SeedGenerator

        if isinstance(seed, dict):  # a serialized SeedGenerator
            seed = SeedGenerator.from_config(seed.get("config", seed))
        valid_int = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
        if not (seed is None or valid_int or isinstance(seed, SeedGenerator)):
            raise ValueError(
                f"`seed` must be an int, a lamina.random.SeedGenerator or None; got seed={seed!r}."
            )
        self.seed = int(seed) if valid_int else seed

    def _rng(self) -> np.random.Generator:
        return _generator(self.seed)

    def get_config(self) -> dict:
        from lamina.random.seed_generator import SeedGenerator

        seed = self.seed
        if isinstance(seed, SeedGenerator):
            seed = {"class_name": "SeedGenerator", "config": seed.get_config()}
        return {"seed": seed}


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.RandomNormal(stddev=1.0, seed=0)((2, 3))
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = float_dtype(dtype, type(self).__name__)
        values = self._rng().normal(self.mean, self.stddev, standardize_shape(shape))
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Draws from a normal distribution truncated to two standard deviations.

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.TruncatedNormal(seed=0)((2, 3))
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = float_dtype(dtype, type(self).__name__)
        shape = standardize_shape(shape)
        return _truncated_normal(self._rng(), shape, self.mean, self.stddev).astype(dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Draws from a uniform distribution on `[minval, maxval)`.

    Args:
        minval: the lower bound.
        maxval: the upper bound.
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.RandomUniform(-1.0, 1.0, seed=0)((2, 3))
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = float_dtype(dtype, type(self).__name__)
        values = self._rng().uniform(self.minval, self.maxval, standardize_shape(shape))
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape, with Keras's conventions.

    Dense kernels are `(in, out)`; conv kernels `(*spatial, in, out)`, whose
    fans are multiplied by the receptive field size.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (
            int(math.prod(shape[a] for a in input_axes)),
            int(math.prod(shape[a] for a in output_axes)),
        )
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class VarianceScaling(RandomInitializer):
    """Draws with a variance scaled to the weight's fans.

    The variance is `scale / n`, where `n` is fan_in, fan_out or their mean
    (`mode`). `distribution` is "truncated_normal" (the default; "normal" is
    an alias), "untruncated_normal" or "uniform" (on `[-limit, limit]` with
    `limit = sqrt(3 * scale / n)`).

    Args:
        scale: a positive float.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).
        input_axes, output_axes: the axes whose sizes make the fans, instead
            of Keras's kernel layout rule.

    Example:
        >>> lamina.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=0)((4, 3))
    """

    _modes = ("fan_in", "fan_out", "fan_avg")
    _distributions = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if not scale > 0.0:
            raise ValueError(f"`scale` must be a positive float; got scale={scale!r}.")
        if mode not in self._modes:
            raise ValueError(f"`mode` must be one of {self._modes}; got mode={mode!r}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._distributions:
            raise ValueError(
                f"`distribution` must be one of {self._distributions} (or 'normal'); "
                f"got distribution={distribution!r}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = float_dtype(dtype, type(self).__name__)
        shape = standardize_shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, shape, 0.0, math.sqrt(scale) / _TRUNCATED_STDDEV)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by the class."""

    _fixed: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._fixed
        super().__init__(
            scale=scale,
            mode=mode,
            distribution=distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        return {k: config[k] for k in ("seed", "input_axes", "output_axes")}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: uniform on `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.GlorotUniform(seed=0)((4, 3))
    """

    _fixed = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.GlorotNormal(seed=0)((4, 3))
    """

    _fixed = (1.0, "fan_avg", "truncated_normal")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with `stddev = sqrt(1 / fan_in)`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.LecunNormal(seed=0)((4, 3))
    """

    _fixed = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: uniform on `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.LecunUniform(seed=0)((4, 3))
    """

    _fixed = (1.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with `stddev = sqrt(2 / fan_in)`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.HeNormal(seed=0)((4, 3))
    """

    _fixed = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: uniform on `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.

    Args:
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.HeUniform(seed=0)((4, 3))
    """

    _fixed = (2.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times `gain`), from the QR decomposition of a normal draw.

    Shapes of rank > 2 are treated as a matrix of shape
    `(prod(shape[:-1]), shape[-1])`; its rows or its columns (whichever are
    fewer) are orthonormal.

    Args:
        gain: the multiplier of the orthogonal matrix.
        seed: an int, None or a SeedGenerator (see `RandomInitializer`).

    Example:
        >>> lamina.initializers.Orthogonal(seed=0)((3, 3))
    """

    def __init__(self, gain: float = 1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = float_dtype(dtype, type(self).__name__)
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "Orthogonal initializer needs a shape of rank 2 or more; "
                f"got shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        # Fixing the signs makes the distribution uniform over orthogonal matrices.
        q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}
