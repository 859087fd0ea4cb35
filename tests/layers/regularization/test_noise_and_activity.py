"""ActivityRegularization, AlphaDropout and SpatialDropout3D."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]
ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

# (class name, kwargs, input shape with batch)
CASES = [
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.01}, (4, 6)),
    ("ActivityRegularization", {}, (2, 3, 4)),
    ("AlphaDropout", {"rate": 0.3, "seed": 1}, (4, 6)),
    ("AlphaDropout", {"rate": 0.2, "noise_shape": (None, 1, 5), "seed": 2}, (2, 4, 5)),
    ("AlphaDropout", {"rate": 0.0}, (4, 6)),
    (
        "SpatialDropout3D",
        {"rate": 0.5, "seed": 3, "data_format": "channels_last"},
        (2, 2, 3, 2, 4),
    ),
    ("SpatialDropout3D", {"rate": 0.5, "data_format": "channels_first"}, (2, 4, 2, 3, 2)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape):
    for training in (False, True):
        run_layer_test(
            getattr(layers, name),
            kwargs,
            shape,
            expected_output_shape=shape,
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            run_training=False,
            call_kwargs={"training": training},
        )


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    # Random draws differ between libraries; at inference both are the identity.
    assert_keras_parity(ours, theirs, _inputs(shape), call_kwargs={"training": False})
    assert ours.compute_output_shape((None, *shape[1:])) == tuple(
        theirs.compute_output_shape((None, *shape[1:]))
    )
    ignored = {"name", "dtype", "trainable"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key, value in theirs_config.items():
        if key not in ignored:
            assert ours_config[key] == value, key
    assert type(ours).from_config(theirs_config).get_config().keys() == ours_config.keys()


# --------------------------------------------------------------------------- activity


def test_activity_regularization_adds_the_penalty_per_sample():
    x = _inputs((4, 6))
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    y = layer(x)
    np.testing.assert_array_equal(ops.convert_to_numpy(y), x)
    expected = (0.1 * np.abs(x).sum() + 0.01 * (x**2).sum()) / 4
    (loss,) = layer.losses
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)
    assert "activity_regularizer" not in layer.get_config()


def test_activity_regularization_enters_the_training_loss():
    inputs = lamina.Input((3,))
    dense = layers.Dense(2, kernel_initializer="ones")
    model = lamina.Model(inputs, layers.ActivityRegularization(l2=0.5)(dense(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = _inputs((4, 3)), np.zeros((4, 2), "float32")
    out = x @ np.ones((3, 2), "float32")
    expected = np.mean(out**2) + 0.5 * (out**2).sum() / 4
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=4, verbose=0), expected, rtol=1e-5)


# --------------------------------------------------------------------------- alpha dropout


def test_alpha_dropout_values_and_statistics():
    rate = 0.2
    a = ((1 - rate) * (1 + rate * ALPHA_P**2)) ** -0.5
    b = -a * ALPHA_P * rate
    x = _inputs((200, 100))
    layer = layers.AlphaDropout(rate, seed=0)
    y = ops.convert_to_numpy(layer(x, training=True))
    kept = np.isclose(y, a * x + b, atol=1e-5)
    dropped = np.isclose(y, a * ALPHA_P + b, atol=1e-5)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - rate) < 0.02
    # Self-normalizing: zero mean and unit variance survive.
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)


def test_alpha_dropout_seed_and_noise_shape():
    x = _inputs((2, 4, 5))
    first = ops.convert_to_numpy(layers.AlphaDropout(0.5, seed=7)(x, training=True))
    again = ops.convert_to_numpy(layers.AlphaDropout(0.5, seed=7)(x, training=True))
    np.testing.assert_array_equal(first, again)
    layer = layers.AlphaDropout(0.5, noise_shape=(None, 1, 5), seed=3)
    y = ops.convert_to_numpy(layer(np.zeros((2, 4, 5), "float32"), training=True))
    assert np.all(y == y[:, :1, :])  # the same mask at every step
    with pytest.raises(ValueError, match="noise_shape"):
        layers.AlphaDropout(0.5, noise_shape=(None, 5))(x, training=True)


# --------------------------------------------------------------------------- spatial 3D


@pytest.mark.parametrize("data_format", FORMATS)
def test_spatial_dropout3d_drops_whole_volumes(data_format):
    shape = (3, 2, 3, 2, 5) if data_format == "channels_last" else (3, 5, 2, 3, 2)
    layer = layers.SpatialDropout3D(0.5, data_format=data_format, seed=4)
    y = ops.convert_to_numpy(layer(np.ones(shape, "float32"), training=True))
    per_map = np.moveaxis(y, 1, -1) if data_format == "channels_first" else y
    per_map = per_map.reshape(3, -1, 5)
    assert np.all(per_map.min(axis=1) == per_map.max(axis=1))
    assert set(np.unique(per_map)) == {0.0, 2.0}
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(np.ones(shape, "float32"))), 1.0)


def test_spatial_dropout3d_needs_rank_5():
    layer = layers.SpatialDropout3D(0.5)
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.zeros((2, 3, 4, 5), "float32"))
    assert layer.name in str(info.value)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.AlphaDropout(1.5), "rate=1.5"),
        (lambda: layers.SpatialDropout3D(-0.1), "rate=-0.1"),
        (lambda: layers.ActivityRegularization(l1=-1.0), "l1=-1.0"),
        (lambda: layers.SpatialDropout3D(0.1, data_format="NDHWC"), "data_format"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --------------------------------------------------------------------------- in a model


def test_trains_and_saves(tmp_path):
    inputs = lamina.Input((2, 3, 2, 4))
    x = layers.SpatialDropout3D(0.25, seed=1)(inputs)
    x = layers.Dense(3)(layers.AlphaDropout(0.1, seed=2)(x))
    outputs = layers.ActivityRegularization(l1=0.01)(x)
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    data = _inputs((4, 2, 3, 2, 4))
    history = model.fit(
        data, np.zeros((4, 2, 3, 2, 3), "float32"), epochs=2, batch_size=2, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()
    expected = model.predict(data, verbose=0)
    path = str(tmp_path / "noise.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, atol=1e-6)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
