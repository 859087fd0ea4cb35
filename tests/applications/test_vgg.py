"""VGG16 and VGG19: Keras's layers, names and numbers; the ImageNet weights
fetched once, checked by hash, and loaded as Keras loads them."""

import hashlib

import numpy as np
import pytest

import lamina
from lamina.applications import vgg16

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)


@pytest.mark.parametrize(
    "family, include_top", [("VGG16", True), ("VGG16", False), ("VGG19", False)]
)
def test_same_layers_as_keras(keras_layers_ref, family, include_top):
    kwargs = dict(weights=None, input_shape=SMALL, include_top=include_top, classes=7)
    ours = getattr(lamina.applications, family)(**kwargs)
    theirs = getattr(keras_layers_ref.applications, family)(**kwargs)
    assert_same_architecture(ours, theirs)


def test_same_predictions_as_keras(keras_ref):
    kwargs = dict(weights=None, input_shape=SMALL, include_top=False, pooling="avg")
    ours, theirs = lamina.applications.VGG16(**kwargs), keras_ref.applications.VGG16(**kwargs)
    x = vgg16.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


@pytest.mark.parametrize("pooling, shape", [(None, (None, 1, 1, 512)), ("avg", (None, 512))])
def test_pooling(pooling, shape):
    model = lamina.applications.VGG16(
        weights=None, include_top=False, input_shape=SMALL, pooling=pooling
    )
    assert tuple(model.output.shape) == shape


def test_any_image_size_without_the_top():
    model = lamina.applications.VGG16(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, None, None, 3)
    assert model.predict(images((1, 40, 48, 3)), verbose=0).shape == (1, 1, 1, 512)


def test_input_tensor_is_used():
    inputs = lamina.Input(SMALL)
    model = lamina.applications.VGG16(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


def test_weights_from_a_keras2_file(tmp_path):
    source = lamina.applications.VGG16(weights=None, include_top=False, input_shape=SMALL)
    path = str(tmp_path / "vgg16_notop.h5")
    write_keras2_weights(source, path)
    loaded = lamina.applications.VGG16(weights=path, include_top=False, input_shape=SMALL)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_imagenet_weights_are_fetched_once_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    source = lamina.applications.VGG16(weights=None, include_top=False, input_shape=SMALL)
    published = tmp_path / "published.h5"
    write_keras2_weights(source, str(published))
    digest = hashlib.md5(published.read_bytes()).hexdigest()
    name = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    monkeypatch.setitem(vgg16.WEIGHTS, False, (name, published.as_uri(), digest))
    loaded = lamina.applications.VGG16(weights="imagenet", include_top=False, input_shape=SMALL)
    assert (tmp_path / "home" / "models" / name).is_file()
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    # A corrupted download is refused, never loaded.
    (tmp_path / "home" / "models" / name).unlink()
    monkeypatch.setitem(vgg16.WEIGHTS, False, (name, published.as_uri(), "0" * 32))
    with pytest.raises(ValueError, match="hash"):
        lamina.applications.VGG16(weights="imagenet", include_top=False, input_shape=SMALL)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (dict(weights="imagenet", classes=10), "classes=10"),
        (dict(weights="imagenet", input_shape=(64, 64, 3)), r"input_shape=\(224, 224, 3\)"),
        (dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "at least 32"),
        (dict(weights=None, include_top=False, input_shape=(32, 32)), "3 integers"),
        (dict(weights="imagenet", include_top=False, input_shape=(32, 32, 1)), "need 3"),
        (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lamina.applications.VGG16(**kwargs)
