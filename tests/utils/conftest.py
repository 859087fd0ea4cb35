"""Fixtures for model, trainer and callback tests: Keras 3 as the reference, and a
compilation cache so that JAX compiles each distinct step once per run."""

import os
import tempfile
import warnings

import pytest


def _share_jax_compilations() -> None:
    # Tests build many small models with the same shapes; XLA would compile the same
    # step again for each (seconds on a small CPU). The cache makes repeats free.
    import lamina

    if lamina.backend.backend() != "jax":
        return
    import jax

    if jax.config.jax_compilation_cache_dir:
        return
    jax.config.update("jax_compilation_cache_dir", tempfile.mkdtemp(prefix="lamina-jax-cache-"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


_share_jax_compilations()


@pytest.fixture(scope="session")
def keras_ref():
    import lamina

    engine = lamina.backend.backend()
    os.environ["KERAS_BACKEND"] = engine
    try:
        # Keras's own import may warn about its dependencies; not lamina's to fix.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import keras
    except Exception as error:  # keras missing or unable to load this engine
        pytest.skip(f"keras 3 cannot be imported on the {engine} backend: {error}")
    if keras.backend.backend() != engine:
        pytest.skip(f"keras was imported with {keras.backend.backend()}; parity needs {engine}.")
    return keras
