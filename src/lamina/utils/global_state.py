"""`clear_session`: forget lamina's global state."""

from __future__ import annotations

import gc
import importlib
import itertools


def clear_session(free_memory: bool = True) -> None:
    """Resets the global state lamina keeps between models.

    Automatic names start again ("dense", not "dense_12"), for layers,
    symbolic tensors, metrics and optimizers, and the global dtype policy goes
    back to `floatx()`'s. Existing models, layers and variables keep working.
    The random seed stream of `lamina.utils.set_random_seed` goes on where it
    was, as in Keras.

    Args:
        free_memory: also run Python's garbage collector, so that objects of
            dropped models are freed now.

    Example:
        >>> lamina.utils.clear_session()
        >>> lamina.layers.Dense(2).name
        'dense'
    """
    # By module path: some of these modules share their name with a function their
    # package exports (`lamina.dtype_policies.dtype_policy`).
    for module, counter in (
        ("lamina.layers.layer", "_name_counts"),
        ("lamina.metrics._naming", "_counts"),
        ("lamina.optimizers._naming", "_counts"),
    ):
        getattr(importlib.import_module(module), counter).clear()
    importlib.import_module("lamina.backend._keras_tensor")._uid = itertools.count()
    importlib.import_module("lamina.dtype_policies.dtype_policy")._global_policy.clear()
    if free_memory:
        gc.collect()
