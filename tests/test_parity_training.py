"""One epoch of training matches Keras 3 on the same engine, from identical weights:
an MLP and the demo CNN (`lamina demo`), with SGD and with Adam, shuffle=False."""

import os
import warnings

import numpy as np
import pytest

import lamina
from lamina.cli.demo import build_model

RTOL = 1e-3  # relative, on the last epoch's loss and on evaluate


@pytest.fixture(scope="module")
def keras_ref():
    engine = lamina.backend.backend()
    os.environ["KERAS_BACKEND"] = engine
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import keras
    except Exception as error:
        pytest.skip(f"keras 3 cannot be imported on the {engine} backend: {error}")
    if keras.backend.backend() != engine:
        pytest.skip(f"keras was imported with {keras.backend.backend()}; parity needs {engine}.")
    return keras


def _mlp(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(16,)),
            lib.layers.Dense(32, activation="relu"),
            lib.layers.Dense(16, activation="tanh"),
            lib.layers.Dense(10, activation="softmax"),
        ]
    )


def _cnn(lib):
    model = build_model(lib, (8, 8, 1))
    # Dropout masks come from each library's own random stream and cannot match; the
    # rest of the demo network is compared as is.
    for layer in model.layers:
        if isinstance(layer, lib.layers.Dropout):
            layer.rate = 0.0
    return model


def _data(shape):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(64, *shape)).astype("float32")
    return x, rng.integers(0, 10, size=(64,))


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_one_epoch_matches_keras(keras_training_ref, kind, optimizer):
    build, shape = (_mlp, (16,)) if kind == "mlp" else (_cnn, (8, 8, 1))
    x, y = _data(shape)
    theirs = build(keras_training_ref)
    ours = build(lamina)
    ours.set_weights([np.asarray(lamina.ops.convert_to_numpy(v.value)) for v in theirs.weights])
    results = []
    for model in (ours, theirs):
        model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        results.append((history.history["loss"][-1], model.evaluate(x, y, verbose=0)[0]))
    (loss, evaluated), (keras_loss, keras_evaluated) = results
    np.testing.assert_allclose(loss, keras_loss, rtol=RTOL)
    np.testing.assert_allclose(evaluated, keras_evaluated, rtol=RTOL)
