"""UpSampling3D, ZeroPadding3D and Cropping3D."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

FORMATS = ["channels_last", "channels_first"]

# (class name, kwargs, channels_last input shape with batch)
CASES = [
    ("UpSampling3D", {}, (2, 2, 3, 2, 3)),
    ("UpSampling3D", {"size": (1, 3, 2)}, (2, 2, 3, 2, 3)),
    ("UpSampling3D", {"size": 2}, (1, 1, 2, 3, 2)),
    ("ZeroPadding3D", {}, (2, 2, 3, 2, 3)),
    ("ZeroPadding3D", {"padding": 2}, (2, 2, 3, 2, 3)),
    ("ZeroPadding3D", {"padding": (1, 0, 2)}, (2, 2, 3, 2, 3)),
    ("ZeroPadding3D", {"padding": ((1, 0), (0, 2), (3, 1))}, (2, 2, 3, 2, 3)),
    ("Cropping3D", {}, (2, 4, 5, 3, 2)),
    ("Cropping3D", {"cropping": (1, 0, 2)}, (2, 4, 5, 6, 2)),
    ("Cropping3D", {"cropping": ((1, 0), (0, 2), (1, 1))}, (2, 4, 5, 3, 2)),
    ("Cropping3D", {"cropping": ((0, 2), (1, 0), (0, 0))}, (2, 4, 5, 3, 2)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _in_format(shape, data_format):
    return tuple(shape) if data_format == "channels_last" else (shape[0], shape[-1], *shape[1:-1])


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _numpy_reference(name, layer, x):
    """The layer's result with NumPy, on channels_last `x`."""
    if name == "UpSampling3D":
        for axis, factor in zip((1, 2, 3), layer.size):
            x = x.repeat(factor, axis=axis)
        return x
    if name == "ZeroPadding3D":
        return np.pad(x, ((0, 0), *layer.padding, (0, 0)))
    (a, b), (c, d), (e, f) = layer.cropping
    return x[:, a : x.shape[1] - b, c : x.shape[2] - d, e : x.shape[3] - f, :]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(name, kwargs, shape, data_format):
    cls = getattr(layers, name)
    kwargs = {**kwargs, "data_format": data_format}
    shape = _in_format(shape, data_format)
    run_layer_test(
        cls,
        kwargs,
        shape,
        expected_output_shape=cls(**kwargs).compute_output_shape(shape),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        run_training=False,  # nothing to fit in a weightless layer; see test_trains_and_saves
    )


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_matches_numpy(name, kwargs, shape, data_format):
    x = _inputs(shape)
    layer = getattr(layers, name)(**kwargs, data_format=data_format)
    expected = _numpy_reference(name, layer, x)
    if data_format == "channels_first":
        x, expected = np.moveaxis(x, -1, 1), np.moveaxis(expected, -1, 1)
    y = ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(y, expected)
    assert layer.compute_output_shape(x.shape) == expected.shape


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(name, kwargs, shape, data_format):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 is not importable on this engine")
    kwargs = {**kwargs, "data_format": data_format}
    shape = _in_format(shape, data_format)
    ours = getattr(layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    assert_keras_parity(ours, theirs, _inputs(shape))
    unknown = (None, *shape[1:])
    assert ours.compute_output_shape(unknown) == tuple(theirs.compute_output_shape(unknown))
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() == theirs_config.keys()
    for key, value in theirs_config.items():
        if key not in ("name", "dtype"):
            assert ours_config[key] == value, key


def test_unknown_spatial_sizes_stay_unknown():
    y = layers.UpSampling3D(2, data_format="channels_last")(lamina.Input((None, 3, None, 2)))
    assert y.shape == (None, None, 6, None, 2)
    y = layers.ZeroPadding3D(1, data_format="channels_first")(lamina.Input((2, None, 3, 4)))
    assert y.shape == (None, 2, None, 5, 6)
    y = layers.Cropping3D(1, data_format="channels_last")(lamina.Input((None, 3, 4, 2)))
    assert y.shape == (None, None, 1, 2, 2)


def test_trains_and_saves(tmp_path):
    inputs = lamina.Input((2, 3, 2, 2))
    x = layers.ZeroPadding3D(((1, 0), (0, 1), (1, 1)), data_format="channels_last")(inputs)
    x = layers.UpSampling3D((1, 2, 1), data_format="channels_last")(x)
    x = layers.Cropping3D(((0, 1), (1, 2), (0, 1)), data_format="channels_last")(x)
    model = lamina.Model(inputs, layers.Dense(3)(x))
    assert model.output.shape == (None, 2, 5, 3, 3)
    model.compile(optimizer="sgd", loss="mse")
    data = _inputs((4, 2, 3, 2, 2))
    history = model.fit(
        data, np.zeros((4, 2, 5, 3, 3), "float32"), epochs=2, batch_size=2, verbose=0
    )
    assert np.isfinite(history.history["loss"]).all()
    expected = model.predict(data, verbose=0)
    path = str(tmp_path / "volumes.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, atol=1e-6)
    assert loaded.layers[3].cropping == ((0, 1), (1, 2), (0, 1))


@pytest.mark.parametrize(
    "layer", [layers.UpSampling3D(), layers.ZeroPadding3D(), layers.Cropping3D()]
)
def test_wrong_rank_names_layer_and_shape(layer):
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.zeros((2, 3, 4, 5), "float32"))
    assert layer.name in str(info.value) and "(2, 3, 4, 5)" in str(info.value)


def test_cropping_too_much():
    with pytest.raises(ValueError, match="removes every slice"):
        layers.Cropping3D(((2, 2), (0, 0), (0, 0)), data_format="channels_last")(
            np.zeros((1, 4, 4, 4, 1), "float32")
        )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.UpSampling3D((2, 2)), "size"),
        (lambda: layers.UpSampling3D(0), "size"),
        (lambda: layers.ZeroPadding3D((1, 2)), "padding"),
        (lambda: layers.ZeroPadding3D(((1, 2), (1, 2), (1, 2, 3))), r"padding\[2\]"),
        (lambda: layers.Cropping3D(-1), "cropping"),
        (lambda: layers.Cropping3D("same"), "cropping"),
        (lambda: layers.ZeroPadding3D(data_format="NDHWC"), "data_format"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
