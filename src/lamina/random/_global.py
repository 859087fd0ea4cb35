"""lamina's global source of seeds, reset by `lamina.utils.set_random_seed`."""

from __future__ import annotations

import numpy as np

# Made on first use: `numpy.random` takes milliseconds to import, which
# `import lamina` need not spend.
_rng: np.random.Generator | None = None


def set_global_seed(seed: int) -> None:
    global _rng
    _rng = np.random.default_rng(seed)


def draw_seed() -> int:
    """A fresh 31-bit seed from the global generator."""
    global _rng
    if _rng is None:
        _rng = np.random.default_rng()
    return int(_rng.integers(0, 2**31 - 1))


def numpy_generator(seed: int | None) -> np.random.Generator:
    """A NumPy generator for host-side randomness (initializers, shuffling)."""
    return np.random.default_rng(draw_seed() if seed is None else seed)
