"""lamina's global source of seeds, reset by `lamina.utils.set_random_seed`."""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def set_global_seed(seed: int) -> None:
    global _rng
    _rng = np.random.default_rng(seed)


def draw_seed() -> int:
    """A fresh 31-bit seed from the global generator."""
    return int(_rng.integers(0, 2**31 - 1))


def numpy_generator(seed: int | None) -> np.random.Generator:
    """A NumPy generator for host-side randomness (initializers, shuffling)."""
    return np.random.default_rng(draw_seed() if seed is None else seed)
