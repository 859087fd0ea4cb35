"""The random image layers (RandomCrop, RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomBrightness): deterministic properties,
seeds, configs, training and saving on the engine this process runs.

Their random draws come from lamina's seeded generators, which differ from
Keras's, so values are checked by their properties rather than against Keras;
configs are compared with Keras 3's where it runs.
"""

import math

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.preprocessing.random_rotation import rotation_transforms
from lamina.testing.layer_test import keras_module, run_layer_test

F32 = {"rtol": 1e-5, "atol": 1e-4}  # pixel values up to 255
ENGINE = backend.backend()

# (class name, constructor kwargs): every random layer, with a seed.
RANDOM_LAYERS = [
    ("RandomCrop", {"height": 4, "width": 5, "seed": 1}),
    ("RandomFlip", {"seed": 1}),
    ("RandomFlip", {"mode": "horizontal", "seed": 1}),
    ("RandomRotation", {"factor": 0.2, "seed": 1}),
    ("RandomRotation", {"factor": (-0.1, 0.3), "fill_mode": "constant", "fill_value": 3.0,
                        "interpolation": "nearest", "seed": 1}),
    ("RandomZoom", {"height_factor": 0.3, "seed": 1}),
    ("RandomZoom", {"height_factor": (-0.3, 0.2), "width_factor": 0.4, "fill_mode": "wrap",
                    "seed": 1}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": (-0.3, 0.1), "seed": 1}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2, "fill_mode": "nearest",
                           "seed": 1}),
    ("RandomContrast", {"factor": 0.5, "seed": 1}),
    ("RandomBrightness", {"factor": 0.3, "seed": 1}),
]  # fmt: skip
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(RANDOM_LAYERS)]
# Layers that keep the image's shape, with kwargs that make them do nothing.
IDENTITY_AT_ZERO = [
    ("RandomRotation", {"factor": 0.0}),
    ("RandomZoom", {"height_factor": 0.0, "width_factor": 0.0}),
    ("RandomTranslation", {"height_factor": 0.0, "width_factor": 0.0}),
    ("RandomContrast", {"factor": 0.0}),
    ("RandomBrightness", {"factor": 0.0}),
]


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def _make(name, kwargs, **extra):
    return getattr(layers, name)(**{**kwargs, **extra})


def _channels_first(kwargs):
    return {**kwargs, "data_format": "channels_first"}


def _output_shape(name, kwargs, shape, data_format="channels_last"):
    if name != "RandomCrop":
        return shape
    out = list(shape)
    axes = (-3, -2) if data_format == "channels_last" else (-2, -1)
    out[axes[0]], out[axes[1]] = kwargs["height"], kwargs["width"]
    return tuple(out)


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {backend.backend()} engine here")
    return module


# --------------------------------------------------------------------------- the layer helper


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_layer_behaviour_in_both_data_formats(name, kwargs):
    for data_format, shape in (("channels_last", (4, 7, 8, 3)), ("channels_first", (4, 3, 7, 8))):
        run_layer_test(
            getattr(layers, name),
            {**kwargs, "data_format": data_format},
            shape,
            expected_output_shape=_output_shape(name, kwargs, shape, data_format),
            input_data=_images(shape),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            call_kwargs={"training": True},
        )


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_identity_in_inference(name, kwargs):
    if name == "RandomCrop":
        pytest.skip("RandomCrop always outputs (height, width); see the test below")
    x = _images((3, 7, 8, 3))
    layer = _make(name, kwargs)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    model = lamina.Sequential([lamina.Input((7, 8, 3)), _make(name, kwargs)])
    np.testing.assert_allclose(model.predict(x, verbose=0), x)


def test_random_crop_in_inference_crops_to_the_aspect_ratio_and_resizes():
    x = _images((2, 8, 12, 3))
    layer = layers.RandomCrop(4, 4, seed=0)
    expected = ops.image.resize(x, (4, 4), crop_to_aspect_ratio=True)
    np.testing.assert_allclose(_np(layer(x, training=False)), _np(expected), **F32)
    # A crop window of the image's own size is the image.
    np.testing.assert_allclose(_np(layers.RandomCrop(8, 12)(x, training=True)), x)


def test_random_crop_cuts_a_window_of_the_image():
    x = np.arange(10 * 12, dtype="float32").reshape(1, 10, 12, 1)
    layer = layers.RandomCrop(4, 5, seed=3)
    windows = set()
    for _ in range(8):
        out = _np(layer(x, training=True))[0, :, :, 0]
        top, left = divmod(int(out[0, 0]), 12)
        np.testing.assert_array_equal(out, x[0, top : top + 4, left : left + 5, 0])
        windows.add((top, left))
    assert len(windows) > 1  # the window moves from call to call


@pytest.mark.parametrize(
    ("name", "kwargs"), IDENTITY_AT_ZERO, ids=[c[0] for c in IDENTITY_AT_ZERO]
)
def test_factor_zero_is_identity_in_training(name, kwargs):
    x = _images((3, 7, 8, 3))
    np.testing.assert_allclose(_np(_make(name, kwargs, seed=0)(x, training=True)), x, **F32)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_flip_horizontal_reverses_the_width_axis(data_format):
    x = _images((16, 5, 6, 2) if data_format == "channels_last" else (16, 2, 5, 6))
    width_axis, height_axis = (2, 1) if data_format == "channels_last" else (3, 2)
    out = _np(layers.RandomFlip("horizontal", seed=4, data_format=data_format)(x, training=True))
    flipped = [not np.array_equal(o, i) for o, i in zip(out, x)]
    for o, i, f in zip(out, x, flipped):
        np.testing.assert_array_equal(o, np.flip(i, axis=width_axis - 1) if f else i)
    assert 0 < sum(flipped) < len(x)  # some images flip, some do not
    both = _np(layers.RandomFlip(seed=4, data_format=data_format)(x, training=True))
    for o, i in zip(both, x):
        turned = np.flip(np.flip(i, axis=width_axis - 1), axis=height_axis - 1)
        assert np.array_equal(o, i) or np.array_equal(o, turned)


def test_random_flip_bad_mode():
    with pytest.raises(ValueError, match=r"unknown mode='diagonal'; expected one of 'horizontal'"):
        layers.RandomFlip("diagonal")


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_rotation_by_a_fixed_angle_equals_affine_transform(interpolation):
    x = _images((2, 7, 9, 3))
    layer = layers.RandomRotation(
        (0.1, 0.1), fill_mode="constant", interpolation=interpolation, seed=0
    )
    angle = np.full((2,), 0.1 * 2 * math.pi, "float32")
    expected = ops.image.affine_transform(
        x, rotation_transforms(angle, 7, 9), interpolation=interpolation, fill_mode="constant"
    )
    np.testing.assert_allclose(_np(layer(x, training=True)), _np(expected), **F32)


def test_rotation_by_a_quarter_turn_is_rot90():
    x = _images((2, 5, 5, 1))
    out = _np(layers.RandomRotation((0.25, 0.25), interpolation="nearest")(x, training=True))
    np.testing.assert_allclose(out, np.rot90(x, k=1, axes=(1, 2)), **F32)


def test_translation_by_a_fixed_shift_moves_the_image():
    x = _images((1, 6, 10, 1))
    layer = layers.RandomTranslation((0.5, 0.5), (0.2, 0.2), fill_mode="constant", seed=0)
    out = _np(layer(x, training=True))
    np.testing.assert_allclose(out[0, 3:, 2:], x[0, :3, :8], **F32)  # down 3 rows, right 2 columns
    np.testing.assert_allclose(out[0, :3], 0.0)


def test_zoom_out_by_two_shrinks_the_image_about_its_center():
    x = _images((1, 9, 9, 1))
    layer = layers.RandomZoom((1.0, 1.0), fill_mode="constant", interpolation="nearest")
    out = _np(layer(x, training=True))[0, :, :, 0]
    # Output pixel (i, j) reads input 2 (i, j) - 4.
    np.testing.assert_allclose(out[2:7, 2:7], x[0, 0:9:2, 0:9:2, 0], **F32)
    np.testing.assert_allclose(out[0], 0.0)


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_same_seed_same_output(name, kwargs):
    x = _images((4, 7, 8, 3))
    first, second = _make(name, kwargs), _make(name, kwargs)
    ours = [_np(first(x, training=True)) for _ in range(3)]
    theirs = [_np(second(x, training=True)) for _ in range(3)]
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    # The generator moves on between calls.
    assert any(not np.array_equal(ours[0], later) for later in ours[1:])


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_another_seed_another_output(name, kwargs):
    x = _images((4, 7, 8, 3))
    first, other = _make(name, kwargs), _make(name, kwargs, seed=2)
    pairs = [(_np(first(x, training=True)), _np(other(x, training=True))) for _ in range(3)]
    assert any(not np.array_equal(a, b) for a, b in pairs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("RandomContrast", {"factor": (0.9, 1.0)}), ("RandomBrightness", {"factor": 0.9})],
)
@pytest.mark.parametrize("value_range", [(0, 255), (0.0, 1.0), (-1.0, 1.0)])
def test_color_layers_stay_in_value_range(name, kwargs, value_range):
    low, high = value_range
    x = np.random.default_rng(0).uniform(low, high, (8, 6, 6, 3)).astype("float32")
    out = _np(_make(name, kwargs, value_range=value_range, seed=5)(x, training=True))
    assert out.min() >= low and out.max() <= high
    assert not np.allclose(out, x)


def test_contrast_scales_about_the_channel_mean():
    x = _images((2, 5, 6, 3))
    out = _np(layers.RandomContrast((0.5, 0.5), value_range=(-1e4, 1e4))(x, training=True))
    mean = x.mean(axis=(1, 2), keepdims=True)
    # With factor (0.5, 0.5) the contrast factor is drawn in [0.5, 1.5]: one per image.
    ratio = (out - mean) / (x - mean)
    for r in ratio:
        assert 0.5 <= r.mean() <= 1.5
        np.testing.assert_allclose(r, r.mean(), rtol=1e-3)


def test_brightness_shifts_every_pixel_alike():
    x = _images((3, 5, 6, 3)) / 2 + 60  # in [60, 188]: no clipping at 0.2 * 255 = 51
    out = _np(layers.RandomBrightness(0.2, seed=0)(x, training=True))
    shift = out - x
    for s in shift:
        np.testing.assert_allclose(s, s.mean(), atol=1e-3)
        assert abs(s.mean()) <= 0.2 * 255 + 1e-3


def test_unbatched_images():
    x = _images((7, 8, 3))
    for name, kwargs in RANDOM_LAYERS:
        out = _make(name, kwargs)(x, training=True)
        assert tuple(ops.shape(out)) == _output_shape(name, kwargs, x.shape), name


# --------------------------------------------------------------------------- configs and errors


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_config_round_trip(name, kwargs):
    layer = _make(name, kwargs)
    config = layer.get_config()
    clone = getattr(layers, name).from_config(config)
    assert clone.get_config() == config
    x = _images((2, 7, 8, 3))
    np.testing.assert_array_equal(_np(layer(x, training=True)), _np(clone(x, training=True)))


@pytest.mark.parametrize(("name", "kwargs"), RANDOM_LAYERS, ids=IDS)
def test_config_keys_match_keras(keras, name, kwargs):
    ours = _make(name, kwargs).get_config()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    ignored = {"name", "dtype"}
    assert ours.keys() - ignored == theirs.keys() - ignored
    for key in ("seed", "mode", "fill_mode", "fill_value", "interpolation", "height", "width",
                "height_factor", "width_factor", "data_format"):  # fmt: skip
        if key in theirs:
            assert ours[key] == theirs[key], key
    if name in ("RandomRotation", "RandomBrightness"):
        assert tuple(ours["factor"]) == tuple(theirs["factor"])


def test_random_crop_without_seed_keeps_a_drawn_seed():
    config = layers.RandomCrop(3, 3).get_config()
    assert isinstance(config["seed"], int)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.RandomRotation(1.5),
         r"RandomRotation: factor=1.5 is out of range; expected .* in \[-1.0, 1.0\]\. It is a "
         r"fraction of a full turn"),
        (lambda: layers.RandomRotation((0.1, 0.2, 0.3)), r"factor=\(0.1, 0.2, 0.3\)"),
        (lambda: layers.RandomRotation("big"), r"factor='big'"),
        (lambda: layers.RandomZoom(-1.0), r"height_factor=-1.0 is out of range.*\(-1.0, 1.0\]"),
        (lambda: layers.RandomZoom(0.1, width_factor=2), r"width_factor=2 is out of range"),
        (lambda: layers.RandomTranslation(0.1, -1.2), r"width_factor=-1.2 is out of range"),
        (lambda: layers.RandomContrast(1.5), r"RandomContrast: factor=1.5 .* \[0, 1\]"),
        (lambda: layers.RandomContrast(-0.1), r"factor=-0.1 is out of range"),
        (lambda: layers.RandomBrightness(0.1, value_range=(0, 1, 2)), r"value_range=\(0, 1, 2\)"),
        (lambda: layers.RandomBrightness(-2), r"RandomBrightness: factor=-2 is out of range"),
        (lambda: layers.RandomRotation(0.1, fill_mode="edge"),
         r"unknown fill_mode='edge'; expected one of 'constant'"),
        (lambda: layers.RandomZoom(0.1, interpolation="bicubic"),
         r"unknown interpolation='bicubic'; expected one of 'nearest', 'bilinear'"),
        (lambda: layers.RandomCrop(0, 3), r"RandomCrop: height must be a positive int"),
    ],
)  # fmt: skip
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --------------------------------------------------------------------------- training and saving


def _augmented_model():
    return lamina.Sequential(
        [
            lamina.Input((10, 10, 3)),
            layers.RandomFlip("horizontal", seed=1),
            layers.RandomRotation(0.1, seed=2),
            layers.RandomZoom(0.1, seed=3),
            layers.RandomTranslation(0.1, 0.1, seed=4),
            layers.RandomContrast(0.2, value_range=(0, 1), seed=5),
            layers.RandomBrightness(0.1, value_range=(0, 1), seed=6),
            layers.RandomCrop(8, 8, seed=7),
            layers.Conv2D(4, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(2, activation="softmax"),
        ]
    )


def test_a_model_with_augmentation_trains_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (24, 10, 10, 3)).astype("float32")
    y = rng.integers(0, 2, 24)
    model = _augmented_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    # 24 samples in batches of 10: the last batch is smaller (a second trace on
    # engines that compile per shape).
    history = model.fit(x, y, batch_size=10, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    # The seed generators moved on during training.
    assert model.layers[0].generator.state.numpy()[1] > 0
    predicted = model.predict(x, verbose=0)
    assert predicted.shape == (24, 2)
    path = str(tmp_path / "augmented.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    for ours, theirs in zip(model.layers, loaded.layers):
        assert ours.get_config() == theirs.get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), predicted, rtol=1e-5, atol=1e-6)


def test_same_seed_gives_the_same_training():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (16, 10, 10, 3)).astype("float32")
    y = rng.integers(0, 2, 16)
    losses = []
    for _ in range(2):
        lamina.utils.set_random_seed(7)
        model = _augmented_model()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        losses.append(history.history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
