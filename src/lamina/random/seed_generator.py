"""SeedGenerator: a stream of seeds for the stateless random ops."""

from __future__ import annotations

import numpy as np

from lamina import ops as _ops
from lamina.backend._variable import Variable
from lamina.random._global import draw_seed

_STEP = np.array([0, 1], dtype="int32")


class SeedGenerator:
    """Produces a new seed at each `next()`, from state kept in a variable.

    The state lives in a variable so that a compiled training step threads it
    through like any other state: dropout masks differ at every step and are
    reproducible from the initial seed.

    Args:
        seed: an int; None draws one from lamina's global seed
            (`lamina.utils.set_random_seed` makes that reproducible).
        name: the state variable's name.

    Example:
        >>> gen = lamina.random.SeedGenerator(42)
        >>> x = lamina.random.normal((2, 3), seed=gen)
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if kwargs:
            raise TypeError(f"SeedGenerator got unexpected arguments: {sorted(kwargs)}.")
        if seed is None:
            seed = draw_seed()
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"SeedGenerator seed must be an int or None; got {seed!r}.")
        self._initial_seed = int(seed)
        self.name = name or "seed_generator"
        self.state = Variable(
            np.array([self._initial_seed, 0], dtype="int32"),
            dtype="int32",
            trainable=False,
            name=f"{self.name}_state",
        )

    def next(self):
        """The current seed, a (2,) int tensor; advances the state."""
        seed = self.state.value
        # Through lamina's ops: the state may live on an accelerator, where a
        # NumPy operand cannot meet it.
        self.state.assign(_ops.add(seed, _STEP))
        return seed

    def get_config(self) -> dict:
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)


def make_seed(seed):
    """A (2,) seed tensor from an int, a SeedGenerator, a seed tensor or None."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        seed = draw_seed()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.array([int(seed) % (2**31 - 1), 0], dtype="int32")
    return seed
