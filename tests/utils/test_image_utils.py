"""lamina.utils image files: load_img, img_to_array, array_to_img, save_img (Pillow)."""

import io

import numpy as np
import pytest

from lamina import utils

Image = pytest.importorskip("PIL.Image")


def _pattern(height=6, width=8, channels=3):
    values = np.arange(height * width * channels) * 7 % 256
    return values.reshape(height, width, channels).astype("uint8")


def test_array_round_trip_through_png(tmp_path):
    pixels = _pattern()
    path = tmp_path / "pattern.png"
    utils.save_img(path, pixels, scale=False)
    image = utils.load_img(path)
    assert image.mode == "RGB" and image.size == (8, 6)
    array = utils.img_to_array(image)
    assert array.dtype == np.float32 and array.shape == (6, 8, 3)
    np.testing.assert_array_equal(array, pixels.astype("float32"))
    first = utils.img_to_array(image, data_format="channels_first", dtype="uint8")
    assert first.dtype == np.uint8
    np.testing.assert_array_equal(first, pixels.transpose(2, 0, 1))


def test_color_modes_and_resizing(tmp_path):
    path = tmp_path / "pattern.png"
    Image.fromarray(_pattern()).save(path)
    gray = utils.load_img(str(path), color_mode="grayscale")
    assert gray.mode == "L" and utils.img_to_array(gray).shape == (6, 8, 1)
    rgba = utils.load_img(path, color_mode="rgba")
    np.testing.assert_array_equal(np.asarray(rgba)[..., 3], 255)
    with open(path, "rb") as file:
        from_bytes = utils.load_img(io.BytesIO(file.read()), target_size=(3, 4))
    assert from_bytes.size == (4, 3)
    expected = Image.fromarray(_pattern()).resize((4, 3), Image.Resampling.BILINEAR)
    resized = utils.load_img(path, target_size=(3, 4), interpolation="bilinear")
    np.testing.assert_array_equal(np.asarray(resized), np.asarray(expected))
    cropped = utils.load_img(path, target_size=(3, 3), keep_aspect_ratio=True)
    # The centered 6x6 crop of the 6x8 image, resized by a factor of 2 (nearest).
    box = Image.fromarray(_pattern()).resize((3, 3), Image.Resampling.NEAREST, box=(1, 0, 7, 6))
    np.testing.assert_array_equal(np.asarray(cropped), np.asarray(box))
    with pytest.raises(ValueError, match="color_mode"):
        utils.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        utils.load_img(path, target_size=(2, 2), interpolation="cubic")
    with pytest.raises(TypeError, match="io.BytesIO"):
        utils.load_img(123)


def test_array_to_img_scaling_and_modes():
    x = np.linspace(-1.0, 1.0, 2 * 3 * 3).reshape(2, 3, 3)
    image = utils.array_to_img(x)
    # In floatx (float32), as Keras computes it: shift to 0, divide by the max, times 255.
    shifted = x.astype("float32") + np.float32(1.0)
    expected = (shifted / shifted.max() * np.float32(255)).astype("uint8")
    np.testing.assert_array_equal(np.asarray(image), expected)
    assert utils.array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    assert utils.array_to_img(np.zeros((2, 2, 1))).mode == "L"
    assert utils.array_to_img(np.full((2, 2, 1), 1000.0), scale=False).mode == "I"
    assert utils.array_to_img(np.zeros((3, 2, 2)), data_format="channels_first").size == (2, 2)
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((1, 2, 2, 3)))
    with pytest.raises(ValueError, match="channels"):
        utils.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="rank 2 or 3"):
        utils.img_to_array(np.zeros(3))


def test_save_img_formats(tmp_path):
    rgba = np.concatenate([_pattern(), np.full((6, 8, 1), 255, "uint8")], axis=-1)
    with pytest.warns(UserWarning, match="alpha"):
        utils.save_img(tmp_path / "a.jpg", rgba, scale=False)
    with Image.open(tmp_path / "a.jpg") as saved:
        assert saved.format == "JPEG" and saved.mode == "RGB"
    buffer = io.BytesIO()
    utils.save_img(buffer, _pattern(), file_format="png", scale=False)
    buffer.seek(0)
    with Image.open(buffer) as saved:
        np.testing.assert_array_equal(np.asarray(saved), _pattern())


def test_matches_keras(keras_ref, tmp_path):
    path = tmp_path / "pattern.png"
    Image.fromarray(_pattern(9, 7)).save(path)
    for kwargs in (
        {},
        {"color_mode": "grayscale"},
        {"target_size": (4, 5), "interpolation": "bicubic"},
        {"target_size": (4, 4), "keep_aspect_ratio": True},
    ):
        ours = utils.img_to_array(utils.load_img(path, **kwargs))
        theirs = keras_ref.utils.img_to_array(keras_ref.utils.load_img(path, **kwargs))
        np.testing.assert_array_equal(ours, theirs)
    x = np.random.default_rng(0).normal(size=(5, 4, 3))
    np.testing.assert_array_equal(
        np.asarray(utils.array_to_img(x)), np.asarray(keras_ref.utils.array_to_img(x))
    )
