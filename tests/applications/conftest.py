"""Keras 3 on lamina's engine as the reference for the applications, and the
checks each family's tests share."""

import os
import sys

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fresh_layer_names():
    """Both libraries number unnamed layers per session ("input_layer_3"):
    start each test from a clean count, so the names compare."""
    import lamina

    lamina.utils.clear_session(free_memory=False)
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "utils"):
        sys.modules["keras"].utils.clear_session(free_memory=False)
    yield
    if lamina.backend.backend() == "jax":
        # Drop the compiled programs of the test's models: a JAX pass compiles
        # dozens of large ones, and XLA's CPU JIT failed ("LLVM compilation
        # error: Cannot allocate memory", then a segfault) as they piled up.
        import gc

        import jax

        gc.collect()
        jax.clear_caches()


@pytest.fixture(scope="session")
def keras_ref():
    """The `keras` module on lamina's engine; skips where Keras cannot run."""
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


@pytest.fixture
def keras_layers_ref(keras_ref):
    """Keras, for the checks that do not depend on the engine (layer names,
    classes, weight shapes, signatures). They run once, in the NumPy pass,
    where Keras builds its models fastest (its JAX backend traces every layer
    call); the forward checks run on every engine."""
    if keras_ref.backend.backend() != "numpy":
        pytest.skip(
            "the architecture does not depend on the engine: it is compared with Keras's "
            "in the numpy pass"
        )
    return keras_ref


def layer_summary(model):
    """(name, class, weight shapes) of each layer, in order; what a weights
    file written by the other library needs to match."""
    rows = []
    for layer in model.layers:
        shapes = tuple(tuple(int(d) for d in w.shape) for w in layer.weights)
        rows.append((layer.name, type(layer).__name__, shapes))
    return rows


def assert_same_architecture(ours, theirs):
    """Same layers (names, classes, weight shapes) in the same order, same
    output shape and parameter count."""
    assert ours.name == theirs.name
    assert layer_summary(ours) == layer_summary(theirs)
    assert tuple(ours.output.shape) == tuple(theirs.output.shape)
    assert ours.count_params() == theirs.count_params()


def assert_same_predictions(ours, theirs, x, rtol=1e-4, atol=1e-5):
    """With Keras's weights, lamina's model computes what Keras's does.

    Fifty randomly initialized layers can grow the activations to 1e3 or
    more, where float32 sums in another order differ by more than `atol`:
    the tolerance also scales with the largest output."""
    ours.set_weights(theirs.get_weights())
    expected = np.asarray(theirs.predict(x, verbose=0))
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), expected, rtol=rtol, atol=atol + rtol * scale
    )


def write_keras2_weights(model, path):
    """`model`'s weights in the Keras 2 HDF5 layout of the published
    application files: a group per layer, listed in `layer_names`, each
    listing its datasets in `weight_names`."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        for layer in model.layers:
            group = f.create_group(layer.name)
            names = []
            for weight in layer.weights:
                name = f"{layer.name}/{weight.name}:0"
                names.append(name.encode())
                group.create_dataset(name, data=np.asarray(weight.numpy()))
            group.attrs["weight_names"] = names


def images(shape, seed=0):
    """A small batch of images in [0, 255]."""
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")
