"""Resizing and CenterCrop: shapes in both data formats, values, configs, and
Keras 3 parity on the engine this process runs."""

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.testing.layer_test import keras_module, run_layer_test

F32 = {"rtol": 1e-5, "atol": 1e-4}  # pixel values up to 255


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {backend.backend()} engine here")
    return module


@pytest.mark.parametrize(
    ("name", "kwargs", "shape", "expected"),
    [
        ("Resizing", {"height": 3, "width": 4}, (2, 6, 5, 3), (2, 3, 4, 3)),
        ("Resizing", {"height": 3, "width": 4, "data_format": "channels_first"}, (2, 3, 6, 5),
         (2, 3, 3, 4)),
        ("Resizing", {"height": 4, "width": 4, "crop_to_aspect_ratio": True}, (2, 6, 8, 1),
         (2, 4, 4, 1)),
        ("CenterCrop", {"height": 3, "width": 2}, (2, 6, 5, 3), (2, 3, 2, 3)),
        ("CenterCrop", {"height": 3, "width": 2, "data_format": "channels_first"}, (2, 3, 6, 5),
         (2, 3, 3, 2)),
        ("CenterCrop", {"height": 8, "width": 8}, (2, 6, 5, 1), (2, 8, 8, 1)),
    ],
)  # fmt: skip
def test_layer_behaviour(name, kwargs, shape, expected):
    run_layer_test(
        getattr(layers, name),
        kwargs,
        shape,
        expected_output_shape=expected,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
    )


def test_center_crop_takes_the_middle():
    x = np.arange(5 * 6, dtype="float32").reshape(5, 6, 1)
    got = ops.convert_to_numpy(layers.CenterCrop(3, 2)(x))
    np.testing.assert_array_equal(got, x[1:4, 2:4])
    first = layers.CenterCrop(3, 2, data_format="channels_first")(x.transpose(2, 0, 1))
    np.testing.assert_array_equal(ops.convert_to_numpy(first), x[1:4, 2:4].transpose(2, 0, 1))


def test_resizing_is_ops_image_resize():
    x = _images((2, 7, 5, 3))
    layer = layers.Resizing(4, 9, interpolation="bicubic", antialias=True)
    expected = ops.image.resize(x, (4, 9), interpolation="bicubic", antialias=True)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), ops.convert_to_numpy(expected))


def test_resizing_keeps_integer_images_integer():
    x = np.random.default_rng(0).integers(0, 256, (2, 5, 5, 1)).astype("uint8")
    out = layers.Resizing(3, 3)(x)
    assert ops.dtype(out) == "uint8"
    symbolic = layers.Resizing(3, 3)(lamina.Input((5, 5, 1), dtype="uint8"))
    assert symbolic.dtype == "uint8"
    assert ops.dtype(layers.CenterCrop(3, 3)(x)) == "float32"


def test_data_format_follows_the_config(monkeypatch):
    from lamina import config

    monkeypatch.setattr(config, "image_data_format", lambda: "channels_first")
    assert layers.Resizing(2, 2).data_format == "channels_first"
    assert layers.CenterCrop(2, 2).get_config()["data_format"] == "channels_first"


def test_in_a_model_that_trains_and_saves(tmp_path):
    model = lamina.Sequential(
        [
            lamina.Input((10, 12, 3)),
            layers.Resizing(8, 8, crop_to_aspect_ratio=True),
            layers.CenterCrop(6, 6),
            layers.Conv2D(2, 3),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    x, y = _images((8, 10, 12, 3)) / 255, np.zeros((8, 2), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "resizing.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), **F32)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.Resizing(0, 4), r"Resizing: height must be a positive int; got height=0"),
        (lambda: layers.Resizing(4, 4, interpolation="cubic"),
         r"unknown interpolation='cubic'; expected one of 'bilinear'"),
        (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
         "choose one"),
        (lambda: layers.Resizing(4, 4, fill_mode="reflect"), r"unknown fill_mode='reflect'"),
        (lambda: layers.CenterCrop(4, 2.5), r"CenterCrop: width must be a positive int; got width=2.5"),
        (lambda: layers.CenterCrop(4, 4, data_format="NHWC"), r"data_format must be"),
    ],
)  # fmt: skip
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_rank():
    with pytest.raises(ValueError, match=r"rank 3.*rank 4.*shape \(5, 5\)"):
        layers.CenterCrop(2, 2)(np.zeros((5, 5), "float32"))


# --------------------------------------------------------------------------- Keras parity

PARITY_CASES = [
    ("Resizing", {"height": 4, "width": 9}),
    ("Resizing", {"height": 3, "width": 3, "interpolation": "nearest"}),
    ("Resizing", {"height": 9, "width": 4, "interpolation": "bicubic"}),
    ("Resizing", {"height": 3, "width": 4, "antialias": True}),
    ("Resizing", {"height": 5, "width": 5, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 5, "width": 5, "pad_to_aspect_ratio": True, "fill_value": 7.0}),
    ("Resizing", {"height": 4, "width": 3, "data_format": "channels_first"}),
    ("CenterCrop", {"height": 3, "width": 4}),
    ("CenterCrop", {"height": 3, "width": 4, "data_format": "channels_first"}),
    ("CenterCrop", {"height": 9, "width": 4}),
]


@pytest.mark.parametrize(("name", "kwargs"), PARITY_CASES, ids=[str(i) for i in range(10)])
def test_keras_parity(keras, name, kwargs):
    shape = (2, 3, 7, 8) if kwargs.get("data_format") == "channels_first" else (2, 7, 8, 3)
    x = _images(shape)
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), **F32
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x[0])), keras.ops.convert_to_numpy(theirs(x[0])), **F32
    )
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key in theirs_config.keys() - ignored:
        assert ours_config[key] == theirs_config[key], key
