"""Fixtures for saving tests: real Keras 3 on the same engine, for files both ways."""

import os
import warnings

import pytest


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
        pytest.skip(f"keras was imported with {keras.backend.backend()}; files need {engine}.")
    return keras
