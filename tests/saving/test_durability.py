"""Saves survive being killed mid-write; Keras 2 full-model .h5 files load read-only."""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest

import lamina

_SAVER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import lamina

    path = sys.argv[1]
    model = lamina.Sequential([lamina.Input(shape=(3,)), lamina.layers.Dense(64), lamina.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    step = 0
    while True:
        model.layers[-1].bias.assign(np.full((2,), float(step), "float32"))
        model.save(path)
        if step == 0:
            print("ready", flush=True)
        step += 1
    """
)


@pytest.mark.timeout(120)
def test_killed_saver_always_leaves_a_loadable_file(tmp_path):
    path = str(tmp_path / "model.keras")
    rng = random.Random(7)
    for _ in range(2):
        process = subprocess.Popen(
            [sys.executable, "-c", _SAVER, path],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        try:
            assert process.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0.05, 0.6))
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            process.stdout.close()
        model = lamina.models.load_model(path)
        bias = model.layers[-1].bias.numpy()
        assert bias[0] == bias[1] and bias[0] >= 0
    # Only the target and, at most, the temporary file of the interrupted save remain.
    leftovers = [name for name in os.listdir(tmp_path) if name != "model.keras"]
    assert all(name.startswith(".model.keras.") for name in leftovers)


def _write_keras2_file(path, kernel, bias, extra_training=True):
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 3],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "dense_input",
                    },
                },
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "dense",
                        "trainable": True,
                        "dtype": "float32",
                        "units": 2,
                        "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {
                            "class_name": "GlorotUniform",
                            "config": {"seed": None},
                        },
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "activity_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                    },
                },
            ],
        },
    }
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        if extra_training:
            f.attrs["training_config"] = json.dumps(
                {
                    "loss": "mse",
                    "metrics": None,
                    "optimizer_config": {
                        "class_name": "Adam",
                        "config": {"name": "Adam", "learning_rate": 0.01, "decay": 0.0},
                    },
                }
            )
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense"]
        group = weights.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        group.create_dataset("dense/kernel:0", data=kernel)
        group.create_dataset("dense/bias:0", data=bias)


def test_keras2_h5_model_loads(tmp_path):
    kernel = np.arange(6, dtype="float32").reshape(3, 2) / 10
    bias = np.array([0.5, -0.5], "float32")
    path = str(tmp_path / "legacy.h5")
    _write_keras2_file(path, kernel, bias)
    model = lamina.models.load_model(path)
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    np.testing.assert_allclose(
        model.predict(x, verbose=0), np.maximum(x @ kernel + bias, 0), atol=1e-6
    )
    assert model.compiled and float(model.optimizer.learning_rate) == pytest.approx(0.01)
    fresh = lamina.Sequential([lamina.Input(shape=(3,)), lamina.layers.Dense(2, name="dense")])
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.layers[0].kernel.numpy(), kernel)


def test_keras2_h5_with_unmappable_weights_says_so(tmp_path):
    path = str(tmp_path / "legacy.h5")
    _write_keras2_file(path, np.zeros((3, 2), "float32"), np.zeros((2,), "float32"))
    with h5py.File(path, "a") as f:
        group = f["model_weights/dense"]
        group.attrs["weight_names"] = [b"dense/kernel:0"]
    with pytest.raises(ValueError, match="cannot be mapped"):
        lamina.models.load_model(path)
