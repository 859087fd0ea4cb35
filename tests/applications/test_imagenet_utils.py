"""The shared ImageNet helpers: preprocessing as Keras does it, and class
names from the published index, fetched once and checked."""

import hashlib
import json

import numpy as np
import pytest

import lamina
from lamina.applications import imagenet_utils

from .conftest import images


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("batched", [True, False])
def test_preprocess_input_matches_keras(keras_ref, mode, data_format, batched):
    x = images((2, 5, 6, 3) if batched else (5, 6, 3))
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1 if batched else 0).copy()
    reference = keras_ref.applications.imagenet_utils.preprocess_input
    expected = reference(x.copy(), data_format=data_format, mode=mode)
    ours = imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-5)
    tensor = imagenet_utils.preprocess_input(
        lamina.ops.convert_to_tensor(x), data_format=data_format, mode=mode
    )
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(tensor), expected, rtol=1e-6, atol=1e-5)


def test_preprocess_input_casts_integers_to_floatx():
    x = np.full((1, 2, 2, 3), 255, dtype="uint8")
    out = imagenet_utils.preprocess_input(x, mode="tf")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.ones((1, 2, 2, 3), "float32"))


def test_preprocess_input_on_a_symbolic_input():
    inputs = lamina.Input((4, 4, 3))
    model = lamina.Model(inputs, lamina.applications.vgg16.preprocess_input(inputs))
    x = images((1, 4, 4, 3))
    expected = imagenet_utils.preprocess_input(x.copy(), mode="caffe")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-4)


def test_preprocess_input_bad_arguments():
    x = images((1, 4, 4, 3))
    with pytest.raises(ValueError, match="mode='bgr'.*caffe, tf, torch"):
        imagenet_utils.preprocess_input(x, mode="bgr")
    with pytest.raises(ValueError, match="data_format='nhwc'"):
        imagenet_utils.preprocess_input(x, data_format="nhwc")


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A stand-in for the published index: class i is ("n{i:08d}", "class_i")."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", path.as_uri())
    monkeypatch.setattr(
        imagenet_utils, "_CLASS_INDEX_HASH", hashlib.md5(path.read_bytes()).hexdigest()
    )
    monkeypatch.setattr(imagenet_utils, "_class_index", None)
    return tmp_path / "home" / "models" / "imagenet_class_index.json"


def test_decode_predictions(class_index):
    preds = np.zeros((2, 1000), "float32")
    preds[0, [3, 7, 500]] = [0.2, 0.7, 0.1]
    preds[1, 999] = 1.0
    decoded = imagenet_utils.decode_predictions(preds, top=2)
    assert [row[:2] for row in decoded[0]] == [("n00000007", "class_7"), ("n00000003", "class_3")]
    assert decoded[0][0][2] == pytest.approx(0.7)
    assert decoded[1][0][:2] == ("n00000999", "class_999")
    assert class_index.is_file()


def test_decode_predictions_takes_tensors(class_index):
    preds = lamina.ops.one_hot(lamina.ops.convert_to_tensor([42]), 1000)
    assert imagenet_utils.decode_predictions(preds, top=1)[0][0][1] == "class_42"


def test_decode_predictions_needs_imagenet_shaped_predictions():
    with pytest.raises(ValueError, match=r"\(samples, 1000\); got shape \(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_obtain_input_shape_defaults_and_channels_first():
    assert imagenet_utils.obtain_input_shape(None, 224, 32, "channels_last", True) == (224, 224, 3)
    assert imagenet_utils.obtain_input_shape(None, 224, 32, "channels_first", False) == (
        3,
        None,
        None,
    )
    with pytest.warns(UserWarning, match="5 channels"):
        shape = imagenet_utils.obtain_input_shape((40, 40, 5), 224, 32, "channels_last", False)
    assert shape == (40, 40, 5)


def test_correct_pad():
    assert imagenet_utils.correct_pad(lamina.Input((224, 224, 3)), 3) == ((0, 1), (0, 1))
    assert imagenet_utils.correct_pad(lamina.Input((225, 225, 3)), (3, 3)) == ((1, 1), (1, 1))
