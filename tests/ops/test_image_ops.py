"""lamina.ops.image (resize, affine_transform) against NumPy references and Keras 3,
on the engine this process runs.

Shape rules first, then values. Tolerances: interpolation sums a few float32
products, so results agree to about 1e-5; Keras parity on the same engine
runs the same kernels and agrees to 1e-5 as well.
"""

import numpy as np
import pytest

from lamina import backend, ops
from lamina.backend import engine
from lamina.testing.layer_test import keras_module

F32 = {"rtol": 1e-5, "atol": 1e-5}
ENGINE = backend.backend()
FILL_MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]


def _np(x):
    return ops.convert_to_numpy(x)


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 10, size=shape).astype("float32")


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


# --------------------------------------------------------------------------- shape rules


@pytest.mark.parametrize(
    ("shape", "size", "data_format", "expected"),
    [
        ((2, 5, 6, 3), (3, 4), "channels_last", (2, 3, 4, 3)),
        ((5, 6, 3), (8, 9), "channels_last", (8, 9, 3)),
        ((2, 3, 5, 6), (3, 4), "channels_first", (2, 3, 3, 4)),
        ((3, 5, 6), (10, 2), "channels_first", (3, 10, 2)),
    ],
)
def test_resize_shapes(shape, size, data_format, expected):
    for flag in ({}, {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True}):
        out = ops.image.resize(_images(shape), size, data_format=data_format, **flag)
        assert tuple(ops.shape(out)) == expected, flag


@pytest.mark.parametrize(
    ("shape", "data_format"),
    [
        ((2, 5, 6, 3), "channels_last"),
        ((5, 6, 3), "channels_last"),
        ((2, 3, 5, 6), "channels_first"),
    ],
)
def test_affine_transform_keeps_the_shape(shape, data_format):
    transform = [1.2, 0.1, -1.0, 0.05, 0.9, 0.5, 0, 0]
    out = ops.image.affine_transform(_images(shape), transform, data_format=data_format)
    assert tuple(ops.shape(out)) == shape


def test_data_format_defaults_to_the_config(monkeypatch):
    from lamina import config

    monkeypatch.setattr(config, "image_data_format", lambda: "channels_first")
    assert tuple(ops.shape(ops.image.resize(_images((2, 3, 4, 4)), (2, 2)))) == (2, 3, 2, 2)


# --------------------------------------------------------------------------- values


def _bilinear_reference(x, size):
    """Half-pixel bilinear resize of a (h, w) array with clamped borders (upscaling)."""

    def axis_weights(n_in, n_out):
        centers = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        low = np.floor(centers).astype(int)
        high = np.minimum(low + 1, n_in - 1)
        frac = centers - low
        w = np.zeros((n_out, n_in))
        w[np.arange(n_out), low] += 1 - frac
        w[np.arange(n_out), high] += frac
        return w

    return axis_weights(x.shape[0], size[0]) @ x @ axis_weights(x.shape[1], size[1]).T


@pytest.mark.parametrize("size", [(8, 10), (5, 7), (4, 6)])
def test_resize_bilinear_matches_numpy(size):
    x = _images((4, 6))
    got = _np(ops.image.resize(x[..., None], size))[..., 0]
    np.testing.assert_allclose(got, _bilinear_reference(x, size), **F32)


def test_resize_bilinear_halving_averages_pixel_pairs():
    x = _images((1, 4, 6, 2))
    expected = x.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(_np(ops.image.resize(x, (2, 3))), expected, **F32)


@pytest.mark.parametrize("size", [(2, 3), (9, 12), (3, 9)])
def test_resize_nearest_matches_numpy(size):
    x = _images((2, 6, 4, 1))
    rows = np.floor((np.arange(size[0]) + 0.5) * 6 / size[0]).astype(int)
    cols = np.floor((np.arange(size[1]) + 0.5) * 4 / size[1]).astype(int)
    expected = x[:, rows][:, :, cols]
    np.testing.assert_array_equal(
        _np(ops.image.resize(x, size, interpolation="nearest")), expected
    )


def test_resize_channels_first_is_a_transpose():
    x = _images((2, 5, 7, 3))
    last = _np(ops.image.resize(x, (3, 4), interpolation="bicubic", antialias=True))
    first = ops.image.resize(
        x.transpose(0, 3, 1, 2), (3, 4), interpolation="bicubic", antialias=True,
        data_format="channels_first",
    )  # fmt: skip
    np.testing.assert_allclose(_np(first).transpose(0, 2, 3, 1), last, **F32)


def test_resize_to_the_same_size_is_identity():
    x = _images((2, 5, 7, 3))
    for interpolation in ("bilinear", "nearest", "bicubic"):
        out = ops.image.resize(x, (5, 7), interpolation=interpolation)
        np.testing.assert_allclose(_np(out), x, **F32)


def test_resize_crop_to_aspect_ratio_resizes_the_centered_window():
    x = _images((1, 6, 10, 2))
    got = _np(ops.image.resize(x, (3, 3), crop_to_aspect_ratio=True))
    expected = _np(ops.image.resize(x[:, :, 2:8], (3, 3)))
    np.testing.assert_allclose(got, expected, **F32)


def test_resize_pad_to_aspect_ratio_fills_the_short_side():
    x = _images((1, 4, 8, 1))
    got = _np(ops.image.resize(x, (8, 8), pad_to_aspect_ratio=True, fill_value=-5.0))
    np.testing.assert_allclose(got[:, :2], -5.0)
    np.testing.assert_allclose(got[:, -2:], -5.0)
    np.testing.assert_allclose(got[:, 2:6], x, **F32)


def test_resize_integer_images_round_and_keep_their_dtype():
    x = np.array([[0, 255], [255, 0]], "uint8")[..., None]
    out = ops.image.resize(x, (3, 3), interpolation="bicubic")
    assert ops.dtype(out) == "uint8"
    got = _np(out)
    assert got.min() >= 0 and got.max() <= 255
    floats = _np(ops.image.resize(x.astype("float32"), (3, 3), interpolation="bicubic"))
    np.testing.assert_array_equal(got, np.clip(np.round(floats), 0, 255).astype("uint8"))


def test_resize_antialias_blurs_a_checkerboard_to_grey():
    board = (np.indices((16, 16)).sum(axis=0) % 2).astype("float32")[None, ..., None]
    smooth = _np(ops.image.resize(board, (4, 4), antialias=True))[0, 1:-1, 1:-1, 0]
    np.testing.assert_allclose(smooth, 0.5, atol=0.05)
    # Without it, a downscale reads a few pixels per output: the pattern aliases.
    assert np.abs(_np(ops.image.resize(board, (5, 5), interpolation="nearest")) - 0.5).min() == 0.5


def _np_fill(line, shift, mode, fill_value):
    """Reads `line[i + shift]` for each i, filling outside the line as `mode` says."""
    n = len(line)
    pad = {
        "constant": "constant",
        "nearest": "edge",
        "wrap": "wrap",
        "mirror": "reflect",
        "reflect": "symmetric",
    }[mode]
    extra = abs(shift) + 1
    kwargs = {"constant_values": fill_value} if mode == "constant" else {}
    padded = np.pad(line, extra, mode=pad, **kwargs)
    return padded[extra + shift : extra + shift + n]


@pytest.mark.parametrize("mode", FILL_MODES)
@pytest.mark.parametrize("shift", [-3, 2])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_affine_translation_fills_as_numpy_pads(mode, shift, interpolation):
    x = _images((3, 5, 2))
    transform = [1, 0, shift, 0, 1, 0, 0, 0]  # output column x reads input column x + shift
    got = _np(ops.image.affine_transform(x, transform, interpolation, mode, fill_value=-1.0))
    expected = np.stack(
        [_np_fill(x[r, :, c], shift, mode, -1.0) for r in range(3) for c in range(2)]
    )
    expected = expected.reshape(3, 2, 5).transpose(0, 2, 1)
    np.testing.assert_allclose(got, expected, **F32)


def test_affine_identity_and_half_pixel_shift():
    x = _images((2, 4, 5, 3))
    identity = [1, 0, 0, 0, 1, 0, 0, 0]
    np.testing.assert_allclose(_np(ops.image.affine_transform(x, identity)), x, **F32)
    half = _np(ops.image.affine_transform(x, [1, 0, 0.5, 0, 1, 0, 0, 0], fill_mode="nearest"))
    np.testing.assert_allclose(half[:, :, :-1], (x[:, :, :-1] + x[:, :, 1:]) / 2, **F32)


def test_affine_rotation_by_a_quarter_turn_is_rot90():
    x = _images((5, 5, 1))
    # Output (x, y) reads input (4 - y, x): the image turned a quarter to the left.
    transform = [0, -1, 4, 1, 0, 0, 0, 0]
    got = _np(ops.image.affine_transform(x, transform, interpolation="nearest"))
    np.testing.assert_allclose(got, np.rot90(x), **F32)


def test_affine_one_transform_per_image():
    x = _images((2, 4, 4, 1))
    transforms = np.array([[1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 1, 0, 1, 0, 0, 0]], "float32")
    got = _np(ops.image.affine_transform(x, transforms, fill_mode="constant"))
    np.testing.assert_allclose(got[0], x[0], **F32)
    np.testing.assert_allclose(got[1][:, :-1], x[1][:, 1:], **F32)
    np.testing.assert_allclose(got[1][:, -1], 0.0)


def test_affine_projective_row_divides_by_k():
    x = _images((1, 6, 6, 1))
    # k = 0.13 x + 1: output column 0 is unchanged, the others read nearer the top left.
    got = _np(ops.image.affine_transform(x, [1, 0, 0, 0, 1, 0, 0.13, 0], interpolation="nearest"))
    rows, columns = np.meshgrid(np.arange(6), np.arange(6), indexing="ij")
    k = 0.13 * columns + 1
    expected = x[0, np.round(rows / k).astype(int), np.round(columns / k).astype(int), 0]
    np.testing.assert_allclose(got[0, :, :, 0], expected)


def test_affine_integer_images_keep_their_dtype():
    x = (np.arange(16).reshape(4, 4, 1) * 10).astype("int32")
    out = ops.image.affine_transform(x, [1, 0, 0.5, 0, 1, 0, 0, 0], fill_mode="nearest")
    assert ops.dtype(out) == "int32"
    np.testing.assert_array_equal(_np(out)[:, :-1], np.round(x[:, :-1] + 5.0))


def test_gradients_reach_the_images():
    x = _images((1, 4, 5, 2))

    def resize_loss(params):
        return ops.sum(ops.image.resize(params[0], (8, 10)))

    def affine_loss(params):
        return ops.sum(ops.image.affine_transform(params[0], [1, 0, 0, 0, 1, 0, 0, 0]))

    _, grads = ops.value_and_grad(resize_loss)([ops.convert_to_tensor(x)])
    # Bilinear upsampling by 2 spreads each pixel over 4 output pixels in total.
    np.testing.assert_allclose(_np(grads[0]), np.full(x.shape, 4.0), **F32)
    _, grads = ops.value_and_grad(affine_loss)([ops.convert_to_tensor(x)])
    np.testing.assert_allclose(_np(grads[0]), np.ones(x.shape), **F32)


def test_affine_transform_runs_compiled():
    x = _images((2, 5, 5, 1))
    transform = np.array([[0.9, 0.1, 0.3, -0.1, 0.9, 0.2, 0, 0]] * 2, "float32")

    def fn(images, t):
        return ops.image.affine_transform(images, t, fill_mode="reflect")

    compiled = engine.functional.compile(fn)
    np.testing.assert_allclose(_np(compiled(x, transform)), _np(fn(x, transform)), **F32)


# --------------------------------------------------------------------------- errors


def test_errors_name_the_value_and_the_fix():
    x = _images((2, 4, 4, 1))
    with pytest.raises(ValueError, match=r"interpolation='cubic'.*'bilinear'"):
        ops.image.resize(x, (2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match=r"size=\(2, 0\)"):
        ops.image.resize(x, (2, 0))
    with pytest.raises(ValueError, match="choose one"):
        ops.image.resize(x, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"shape \(4, 4\).*batch axis"):
        ops.image.resize(x[0, ..., 0], (2, 2))
    with pytest.raises(ValueError, match="fill_mode='reflect'"):
        ops.image.resize(x, (2, 2), fill_mode="reflect")
    with pytest.raises(ValueError, match=r"fill_mode='edge'.*'constant'"):
        ops.image.affine_transform(x, [1, 0, 0, 0, 1, 0, 0, 0], fill_mode="edge")
    with pytest.raises(ValueError, match=r"interpolation='bicubic'"):
        ops.image.affine_transform(x, [1, 0, 0, 0, 1, 0, 0, 0], interpolation="bicubic")
    with pytest.raises(ValueError, match=r"row of 8 numbers.*\(6,\)"):
        ops.image.affine_transform(x, [1, 0, 0, 0, 1, 0])
    with pytest.raises(ValueError, match="3 transforms for a batch of 2"):
        ops.image.affine_transform(x, np.zeros((3, 8), "float32"))
    with pytest.raises(ValueError, match="data_format must be"):
        ops.image.resize(x, (2, 2), data_format="NHWC")


def test_area_resize_is_tensorflow_only():
    # A real engine limitation, listed in the backend's SKIPS: only TensorFlow's
    # image library has area resizing.
    reason = getattr(engine, "SKIPS", {}).get("image.resize")
    if ENGINE == "tensorflow":
        assert reason is None
        return
    assert "area" in reason
    with pytest.raises(NotImplementedError, match="only TensorFlow.*antialias=True"):
        ops.image.resize(_images((1, 4, 4, 1)), (2, 2), interpolation="area")


@pytest.mark.skipif(ENGINE != "tensorflow", reason="'area' resizing is TensorFlow's alone")
def test_area_resize_averages_on_tensorflow():
    x = _images((1, 4, 4, 1))
    got = _np(ops.image.resize(x, (2, 2), interpolation="area"))
    np.testing.assert_allclose(got, x.reshape(1, 2, 2, 2, 2, 1).mean(axis=(2, 4)), **F32)


# --------------------------------------------------------------------------- Keras parity

RESIZE_CASES = [
    {"size": (8, 11)},
    {"size": (3, 4)},
    {"size": (3, 4), "antialias": True},
    {"size": (9, 5), "interpolation": "nearest"},
    {"size": (3, 2), "interpolation": "nearest"},
    {"size": (9, 13), "interpolation": "bicubic"},
    {"size": (3, 4), "interpolation": "bicubic", "antialias": True},
    {"size": (4, 4), "crop_to_aspect_ratio": True},
    {"size": (4, 4), "pad_to_aspect_ratio": True, "fill_value": 2.0},
    {"size": (6, 3), "data_format": "channels_first"},
]
RESIZE_IDS = [
    "-".join(f"{k}={v}" for k, v in case.items() if k != "size") or "default"
    for case in RESIZE_CASES
]


@pytest.mark.parametrize("case", RESIZE_CASES, ids=[f"{i}-{s}" for i, s in enumerate(RESIZE_IDS)])
def test_resize_keras_parity(keras, case):
    case = dict(case)
    size = case.pop("size")
    x = _images((2, 3, 6, 7) if case.get("data_format") == "channels_first" else (2, 6, 7, 3))
    theirs = keras.ops.convert_to_numpy(keras.ops.image.resize(x, size, **case))
    np.testing.assert_allclose(_np(ops.image.resize(x, size, **case)), theirs, **F32)
    # One image (rank 3) as well.
    theirs = keras.ops.convert_to_numpy(keras.ops.image.resize(x[0], size, **case))
    np.testing.assert_allclose(_np(ops.image.resize(x[0], size, **case)), theirs, **F32)


def _keras_fill_modes():
    # Keras's TensorFlow backend has no "mirror" fill; lamina's gathers it itself.
    return [m for m in FILL_MODES if not (ENGINE == "tensorflow" and m == "mirror")]


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_affine_transform_keras_parity(keras, fill_mode, interpolation, data_format):
    if fill_mode not in _keras_fill_modes():
        pytest.skip("Keras's TensorFlow backend has no 'mirror' fill")
    shape = (3, 7, 9, 2) if data_format == "channels_last" else (3, 2, 7, 9)
    x = _images(shape)
    # Rotation, zoom with shear, and a translation: no sample point falls on a
    # half pixel, where engines round nearest-neighbour ties differently.
    angle = 0.3
    transforms = np.array(
        [
            [np.cos(angle), -np.sin(angle), 2.13, np.sin(angle), np.cos(angle), -1.37, 0, 0],
            [1.31, 0.21, -1.77, 0.11, 0.83, 0.61, 0, 0],
            [1.0, 0.0, -2.71, 0.0, 1.0, 3.29, 0, 0],
        ],
        "float32",
    )
    kwargs = {
        "interpolation": interpolation,
        "fill_mode": fill_mode,
        "fill_value": 1.5,
        "data_format": data_format,
    }
    theirs = keras.ops.convert_to_numpy(keras.ops.image.affine_transform(x, transforms, **kwargs))
    np.testing.assert_allclose(
        _np(ops.image.affine_transform(x, transforms, **kwargs)), theirs, **F32
    )
