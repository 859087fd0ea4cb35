"""set_random_seed: one call makes a script reproducible."""

from __future__ import annotations

import random

import numpy as np

from lamina.random._global import set_global_seed


def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy, and lamina's own seeds (initializers,
    dropout, shuffling), so the same script gives the same result on the same engine."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"set_random_seed() takes an int; got {seed!r} ({type(seed).__name__}).")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    set_global_seed(seed)
