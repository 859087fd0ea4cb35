"""Real Keras 3 on lamina's engine, as the reference for parity tests."""

import os

import pytest


@pytest.fixture(scope="session")
def keras_ref():
    """The `keras` module running on the same engine as lamina; skips when unavailable."""
    import lamina

    engine = lamina.backend.backend()
    os.environ["KERAS_BACKEND"] = engine
    try:
        import keras
    except Exception as error:  # noqa: BLE001 - any import failure means: no reference
        pytest.skip(f"Keras 3 is not importable on the {engine} engine: {error}")
    if keras.backend.backend() != engine:
        pytest.skip(
            f"Keras was already imported with backend {keras.backend.backend()!r}; "
            f"parity needs {engine!r}."
        )
    return keras
