"""Rescaling and UnitNormalization: values, configs, saving and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import config, layers, ops
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

CASES = [
    ("Rescaling", {"scale": 1 / 255}, (2, 4, 4, 3)),
    ("Rescaling", {"scale": 2.0, "offset": -1.0}, (3, 5)),
    ("UnitNormalization", {}, (3, 5)),
    ("UnitNormalization", {"axis": [1, 2]}, (2, 3, 4)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _inputs(shape, seed=0):
    return (np.random.default_rng(seed).random(shape) * 255).astype("float32")


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape):
    run_layer_test(
        getattr(layers, name),
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
    )


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape))
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    for key in theirs_config.keys() - {"name", "dtype"}:
        assert ours_config[key] == theirs_config[key], key


def test_rescaling_per_channel_in_both_data_formats():
    scale = np.array([1.0, 2.0, 3.0], "float32")
    x = _inputs((2, 4, 4, 3))
    got = ops.convert_to_numpy(layers.Rescaling(scale, offset=1.0)(x))
    np.testing.assert_allclose(got, x * scale + 1.0, rtol=1e-6)
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        x_first = np.moveaxis(x, -1, 1)
        got_first = ops.convert_to_numpy(layers.Rescaling(scale)(x_first))
        np.testing.assert_allclose(got_first, x_first * scale[:, None, None], rtol=1e-6)
    finally:
        config.set_image_data_format(previous)


def test_rescaling_per_channel_saves_and_loads(tmp_path):
    scale = np.array([0.5, 2.0], "float32")
    model = lamina.Sequential([lamina.Input((3, 2)), layers.Rescaling(scale, offset=0.25)])
    path = str(tmp_path / "rescaling.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    x = _inputs((4, 3, 2))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), x * scale + 0.25, rtol=1e-6)


def test_unit_normalization_values_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.UnitNormalization()(x)), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6
    )


def test_unit_normalization_bad_axis():
    with pytest.raises(TypeError, match="axis must be an int or a list of ints"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(ValueError, match=r"axis 3 is out of range for input shape \(2, 3\)"):
        layers.UnitNormalization(axis=3).compute_output_shape((2, 3))
