"""MobileNet, MobileNetV2, MobileNetV3Small and MobileNetV3Large: Keras's
layers, names and numbers; the ImageNet weight file each width and size
loads; MobileNetV3's own rescaling."""

import hashlib

import numpy as np
import pytest

import lamina
from lamina.applications import mobilenet, mobilenet_v2, mobilenet_v3

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)
MODULES = {
    "MobileNet": mobilenet,
    "MobileNetV2": mobilenet_v2,
    "MobileNetV3Small": mobilenet_v3,
    "MobileNetV3Large": mobilenet_v3,
}


def build_both(keras, family, **kwargs):
    """lamina's model and Keras's, each built from fresh automatic names:
    the unnamed layers (ReLU, Activation, Dropout, ...) get the same ones."""
    lamina.utils.clear_session(free_memory=False)
    ours = getattr(MODULES[family], family)(**kwargs)
    keras.utils.clear_session(free_memory=False)
    theirs = getattr(keras.applications, family)(**kwargs)
    return ours, theirs


@pytest.mark.parametrize(
    "family, kwargs",
    [
        ("MobileNet", dict(include_top=True)),
        ("MobileNet", dict(include_top=False, alpha=0.5, depth_multiplier=2, pooling="max")),
        ("MobileNetV2", dict(include_top=True)),
        ("MobileNetV2", dict(include_top=False, alpha=1.4, pooling="avg")),
        ("MobileNetV3Small", dict(include_top=True)),
        ("MobileNetV3Small", dict(include_top=False, minimalistic=True, pooling="avg")),
        (
            "MobileNetV3Large",
            dict(include_top=True, alpha=1.25, include_preprocessing=False, dropout_rate=0.0),
        ),
        ("MobileNetV3Large", dict(include_top=False, minimalistic=True, pooling="max")),
    ],
)
def test_same_layers_as_keras(keras_layers_ref, family, kwargs):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7, **kwargs)
    assert_same_architecture(*build_both(keras_layers_ref, family, **kwargs))


def test_same_layers_as_keras_channels_first(keras_layers_ref):
    # The strided blocks pad by correct_pad, and the squeeze-and-excite gates
    # broadcast over the spatial axes: both depend on the channel axis.
    before = lamina.config.image_data_format(), keras_layers_ref.config.image_data_format()
    lamina.config.set_image_data_format("channels_first")
    keras_layers_ref.config.set_image_data_format("channels_first")
    try:
        ours, theirs = build_both(
            keras_layers_ref,
            "MobileNetV3Small",
            weights=None,
            input_shape=(3, 33, 35),
            include_top=True,
        )
    finally:
        lamina.config.set_image_data_format(before[0])
        keras_layers_ref.config.set_image_data_format(before[1])
    assert_same_architecture(ours, theirs)


@pytest.mark.parametrize(
    "family, kwargs",
    [
        ("MobileNet", dict(alpha=0.25, include_top=True, classes=5)),
        ("MobileNetV2", dict(alpha=0.35, include_top=False, pooling="avg")),
        ("MobileNetV3Small", dict(alpha=0.75, include_top=True, classes=5)),
    ],
)
def test_same_predictions_as_keras(keras_ref, family, kwargs):
    ours, theirs = build_both(keras_ref, family, weights=None, input_shape=SMALL, **kwargs)
    x = MODULES[family].preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_default_names_say_width_and_size():
    assert mobilenet.MobileNet(weights=None).name == "mobilenet_1.00_224"
    model = mobilenet.MobileNet(weights=None, alpha=0.25, input_shape=(160, 160, 3))
    assert model.name == "mobilenet_0.25_160"
    # MobileNetV2 takes its default size from a square input tensor.
    inputs = lamina.Input((96, 96, 3))
    model = mobilenet_v2.MobileNetV2(weights=None, alpha=0.35, input_tensor=inputs)
    assert model.name == "mobilenetv2_0.35_96"
    assert model.inputs[0] is inputs
    assert mobilenet_v3.MobileNetV3Large(weights=None, include_top=False).name == (
        "MobileNetV3Large"
    )


def test_mobilenet_v3_rescales_its_input():
    model = mobilenet_v3.MobileNetV3Small(weights=None, include_top=False, input_shape=SMALL)
    rescaling = model.layers[1]
    assert isinstance(rescaling, lamina.layers.Rescaling)
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(np.asarray(rescaling(x)), [[[[-1.0, 0.0, 1.0]]]], atol=1e-6)
    plain = mobilenet_v3.MobileNetV3Small(
        weights=None, include_top=False, input_shape=SMALL, include_preprocessing=False
    )
    assert not any(isinstance(layer, lamina.layers.Rescaling) for layer in plain.layers)
    # Hence Keras's preprocess_input for these models returns its input as it is.
    batch = images((1, *SMALL))
    assert mobilenet_v3.preprocess_input(batch) is batch


@pytest.mark.parametrize("module", [mobilenet, mobilenet_v2])
def test_preprocess_input_scales_to_minus_one_one(module):
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(module.preprocess_input(x), [[[[-1.0, 0.0, 1.0]]]])


@pytest.mark.parametrize("pooling, shape", [(None, (None, 2, 2, 576)), ("max", (None, 576))])
def test_mobilenet_v3_takes_any_size(pooling, shape):
    model = mobilenet_v3.MobileNetV3Small(
        weights=None, include_top=False, input_shape=(33, 47, 3), pooling=pooling
    )
    assert tuple(model.output.shape) == shape


def test_mobilenet_v3_top_takes_any_image_size():
    if lamina.backend.backend() == "pytensor":
        pytest.skip(
            "PyTensor takes over a minute to compile any of these ~150-node graphs (69 s "
            "with a warm compile cache, 220 s cold): too long for the suite"
        )
    model = mobilenet_v3.MobileNetV3Small(weights=None, alpha=0.75, classes=4)
    assert tuple(model.input.shape) == (None, None, None, 3)
    probabilities = model.predict(images((2, 40, 48, 3)), verbose=0)
    assert probabilities.shape == (2, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_published_file_names():
    assert mobilenet.WEIGHTS[(0.25, 128, False)][0] == "mobilenet_2_5_128_tf_no_top.h5"
    assert mobilenet.WEIGHTS[(1.0, 224, True)][1] == (
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
        "mobilenet_1_0_224_tf.h5"
    )
    assert mobilenet_v2.WEIGHTS[(1.4, 224, True)][0] == (
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_224.h5"
    )
    assert mobilenet_v2.WEIGHTS[(0.35, 96, False)][0] == (
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"
    )
    assert mobilenet_v3.WEIGHTS[("small_minimalistic_224_1.0_float", False)] == (
        "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
        "weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5",
        "cde8136e733e811080d9fcd8a252f7e4",
    )


def test_weights_from_a_keras2_file(tmp_path):
    kwargs = dict(include_top=True, classes=3, input_shape=SMALL)
    source = mobilenet_v3.MobileNetV3Small(weights=None, **kwargs)
    path = str(tmp_path / "v3small.h5")
    write_keras2_weights(source, path)
    loaded = mobilenet_v3.MobileNetV3Small(weights=path, **kwargs)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def publish(tmp_path, model):
    """A Keras-2 weights file of `model` as a file:// URL, and its md5."""
    published = tmp_path / "published.h5"
    write_keras2_weights(model, str(published))
    return published.as_uri(), hashlib.md5(published.read_bytes()).hexdigest()


def test_imagenet_weights_of_the_width_and_size(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    kwargs = dict(alpha=0.25, include_top=False, input_shape=(128, 128, 3))
    url, digest = publish(tmp_path, mobilenet.MobileNet(weights=None, **kwargs))
    name = "mobilenet_2_5_128_tf_no_top.h5"
    monkeypatch.setitem(mobilenet.WEIGHTS, (0.25, 128, False), (name, url, None))
    model = mobilenet.MobileNet(weights="imagenet", **kwargs)
    assert model.name == "mobilenet_0.25_128"
    assert (tmp_path / "home" / "models" / name).is_file()
    # A size without weights of its own loads the 224x224 ones, and says so.
    name = "mobilenet_2_5_224_tf_no_top.h5"
    monkeypatch.setitem(mobilenet.WEIGHTS, (0.25, 224, False), (name, url, digest))
    with pytest.warns(UserWarning, match="224x224"):
        mobilenet.MobileNet(weights="imagenet", alpha=0.25, include_top=False, input_shape=SMALL)
    assert (tmp_path / "home" / "models" / name).is_file()


def test_mobilenet_v3_imagenet_weights_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    kwargs = dict(minimalistic=True, include_top=False, input_shape=(224, 224, 3))
    url, digest = publish(tmp_path, mobilenet_v3.MobileNetV3Small(weights=None, **kwargs))
    key = ("small_minimalistic_224_1.0_float", False)
    name = mobilenet_v3.WEIGHTS[key][0]
    monkeypatch.setitem(mobilenet_v3.WEIGHTS, key, (name, url, "0" * 32))
    with pytest.raises(ValueError, match="hash"):
        mobilenet_v3.MobileNetV3Small(weights="imagenet", **kwargs)
    monkeypatch.setitem(mobilenet_v3.WEIGHTS, key, (name, url, digest))
    mobilenet_v3.MobileNetV3Small(weights="imagenet", **kwargs)
    assert (tmp_path / "home" / "models" / name).is_file()


@pytest.mark.parametrize(
    "family, kwargs, match",
    [
        ("MobileNet", dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        ("MobileNet", dict(weights="imagenet", classes=10), "classes=10"),
        ("MobileNet", dict(weights="imagenet", depth_multiplier=2), "depth_multiplier=2"),
        ("MobileNet", dict(weights="imagenet", alpha=0.3), "alpha=0.3"),
        ("MobileNet", dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "32"),
        ("MobileNet", dict(weights="imagenet", classifier_activation="relu"), "classifier"),
        ("MobileNetV2", dict(weights="imagenet", alpha=0.25), "alpha=0.25"),
        ("MobileNetV2", dict(weights="imagenet", input_shape=(64, 64, 3)), "224, 224, 3"),
        (
            "MobileNetV2",
            dict(weights=None, input_shape=(64, 64, 3), input_tensor=lamina.Input((32, 32, 3))),
            "does not match",
        ),
        ("MobileNetV3Small", dict(weights="imagenet", alpha=0.5), "alpha=0.5"),
        ("MobileNetV3Small", dict(weights="imagenet", minimalistic=True, alpha=0.75), "0.75"),
        ("MobileNetV3Large", dict(weights=None, input_shape=(31, 64, 3)), "at least 32"),
        ("MobileNetV3Large", dict(weights=None, input_shape=(32, 32)), "3 integers"),
        ("MobileNetV3Large", dict(weights="imagenet", classes=2), "classes=2"),
    ],
)
def test_bad_arguments_say_what_to_do(family, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(MODULES[family], family)(**kwargs)
