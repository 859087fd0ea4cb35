"""Real Keras 3 on lamina's engine, as the reference for numerical parity."""

import os
import warnings

import pytest


@pytest.fixture(scope="session")
def keras_ref():
    import lamina

    engine = lamina.backend.backend()
    os.environ["KERAS_BACKEND"] = engine
    try:
        # Keras's own import may emit deprecation warnings from its dependencies;
        # they are not lamina's and must not fail the run.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import keras
    except Exception as error:  # keras missing or unable to load this engine
        pytest.skip(f"keras 3 cannot be imported on the {engine} backend: {error}")
    if keras.backend.backend() != engine:
        pytest.skip(
            f"keras was already imported with the {keras.backend.backend()} backend; "
            f"parity needs {engine}."
        )
    return keras
