"""ReLU, LeakyReLU, PReLU, ELU and Softmax layers: values, configs, masks and Keras parity."""

import warnings

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

# (class name, constructor kwargs, input shape with batch, trainable weights)
CASES = [
    ("ReLU", {}, (3, 5), 0),
    ("ReLU", {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.25}, (2, 3, 4), 0),
    ("LeakyReLU", {}, (3, 5), 0),
    ("LeakyReLU", {"negative_slope": 0.05}, (2, 3, 4), 0),
    ("ELU", {"alpha": 0.7}, (3, 5), 0),
    ("Softmax", {}, (3, 5), 0),
    ("Softmax", {"axis": 1}, (2, 3, 4), 0),
    ("Softmax", {"axis": (1, 2)}, (2, 3, 4), 0),
    ("PReLU", {"alpha_initializer": "random_uniform"}, (3, 5), 1),
    ("PReLU", {"alpha_initializer": "random_uniform", "shared_axes": [1, 2]}, (2, 3, 4, 5), 1),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _inputs(shape, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype("float32")


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, trainable):
    run_layer_test(
        getattr(layers, name),
        kwargs,
        shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=0,
        run_training=name == "PReLU" and "shared_axes" not in kwargs,
    )


@pytest.mark.parametrize(("name", "kwargs", "shape", "trainable"), CASES, ids=IDS)
def test_keras_parity(keras, name, kwargs, shape, trainable):
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    if name == "ELU":  # Keras 3 leaves alpha out of its config; lamina keeps it
        ignored.add("alpha")
        assert ours_config["alpha"] == kwargs["alpha"]
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key in theirs_config.keys() - ignored:
        assert ours_config[key] == theirs_config[key], key


def test_relu_values():
    x = np.array([-2.0, -0.5, 0.0, 0.2, 1.0, 3.0, 8.0], "float32")
    got = ops.convert_to_numpy(layers.ReLU(max_value=6.0, negative_slope=0.5, threshold=0.5)(x))
    expected = np.where(x >= 6.0, 6.0, np.where(x >= 0.5, x, 0.5 * (x - 0.5)))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_prelu_learns_one_slope_per_shared_group():
    layer = layers.PReLU(alpha_initializer="ones", shared_axes=[1, 2])
    x = _inputs((2, 3, 4, 5))
    got = ops.convert_to_numpy(layer(x))
    assert tuple(layer.alpha.shape) == (1, 1, 5)
    np.testing.assert_allclose(got, x, rtol=1e-6)  # a slope of 1 below zero: identity
    layer.alpha.assign(np.full((1, 1, 5), 0.25, "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), np.where(x > 0, x, 0.25 * x))


def test_softmax_mask_gives_masked_entries_zero():
    x = _inputs((2, 4))
    mask = np.array([[True, True, False, True], [False, False, False, False]])
    got = ops.convert_to_numpy(layers.Softmax()(x, mask=mask))
    kept = np.exp(x[0][mask[0]]) / np.exp(x[0][mask[0]]).sum()
    np.testing.assert_allclose(got[0][mask[0]], kept, rtol=1e-5)
    assert got[0][2] == 0.0 and not got[1].any()
    # A 0/1 float mask, broadcast over the batch, means the same.
    float_mask = np.array([[1.0, 1.0, 0.0, 1.0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(layers.Softmax()(x[:1], mask=float_mask)), got[:1], rtol=1e-6
    )


def test_softmax_mask_parity(keras):
    x = _inputs((2, 3, 4))
    mask = np.random.default_rng(1).random((2, 1, 4)) > 0.4
    ours = ops.convert_to_numpy(layers.Softmax()(x, mask=mask))
    theirs = keras.ops.convert_to_numpy(keras.layers.Softmax()(x, mask=mask))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_in_a_model_that_trains_and_saves(tmp_path):
    model = lamina.Sequential(
        [
            lamina.Input((6,)),
            layers.Dense(8),
            layers.LeakyReLU(0.1),
            layers.Dense(8),
            layers.PReLU(),
            layers.Dense(8),
            layers.ELU(0.5),
            layers.Dense(3),
            layers.ReLU(max_value=6.0),
            layers.Softmax(),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _inputs((32, 6)), np.random.default_rng(0).integers(0, 3, 32)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "activations.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert loaded.layers[5].alpha == 0.5
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.ReLU(max_value=-1.0), r"ReLU's max_value must be a number >= 0 or None"),
        (lambda: layers.ReLU(negative_slope=None), r"negative_slope must be a number >= 0"),
        (lambda: layers.ReLU(threshold=-0.1), r"threshold must be a number >= 0; got threshold"),
        (lambda: layers.LeakyReLU(-0.2), r"LeakyReLU's negative_slope must be a number >= 0"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_leaky_relu_accepts_alpha_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1 and "negative_slope" in str(caught[0].message)


def test_prelu_bad_shared_axes_and_unknown_sizes():
    with pytest.raises(
        ValueError, match=r"shared_axes must be axes of the input.*got shared_axes"
    ):
        layers.PReLU(shared_axes=[3])(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match=r"known size on axis 1.*shared_axes=\[1\]"):
        lamina.Sequential([lamina.Input((None, 4)), layers.PReLU()])
    layer = layers.PReLU()
    layer(np.zeros((2, 3), "float32"))
    with pytest.raises(InputShapeError):
        layer(np.zeros((2, 4), "float32"))


def test_softmax_rejects_a_mask_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"mask must broadcast to the inputs.*\(2, 4\).*\(2, 3\)"):
        layers.Softmax()(np.zeros((2, 4), "float32"), mask=np.ones((2, 3), bool))
