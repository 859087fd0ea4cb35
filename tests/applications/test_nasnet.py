"""NASNetMobile and NASNetLarge: Keras's layers, names and numbers; the
input-shape rules of the ImageNet weights; weights from a Keras 2 file."""

import numpy as np
import pytest

import lamina
from lamina.applications import nasnet

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)


@pytest.fixture
def fresh_names(keras_layers_ref):
    """The ReLUs, additions and paddings are unnamed, numbered per session:
    both libraries start from zero."""
    keras_layers_ref.utils.clear_session(free_memory=False)
    lamina.utils.clear_session(free_memory=False)
    return keras_layers_ref


def _keras_mobile(keras, **kwargs):
    if keras.backend.backend() != "torch":
        return keras.applications.NASNetMobile(**kwargs)
    # Keras's NASNetMobile refuses its torch backend, citing a bug of its own;
    # its generic builder, given Mobile's numbers, builds and runs there.
    from keras.src.applications.nasnet import NASNet

    return NASNet(
        kwargs.pop("input_shape"),
        penultimate_filters=1056,
        num_blocks=4,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        default_size=224,
        name="nasnet_mobile",
        **kwargs,
    )


def test_mobile_same_layers_as_keras(fresh_names):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7)
    assert_same_architecture(nasnet.NASNetMobile(**kwargs), _keras_mobile(fresh_names, **kwargs))


def test_mobile_same_predictions_as_keras(keras_ref):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7)
    ours, theirs = nasnet.NASNetMobile(**kwargs), _keras_mobile(keras_ref, **kwargs)
    x = nasnet.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_large_same_layers_as_keras(fresh_names):
    kwargs = dict(weights=None, input_shape=SMALL, include_top=False, pooling="avg")
    ours = nasnet.NASNetLarge(**kwargs)
    theirs = fresh_names.applications.NASNetLarge(**kwargs)
    assert_same_architecture(ours, theirs)


def test_mobile_is_224_without_the_top_too():
    model = nasnet.NASNetMobile(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, 224, 224, 3)
    assert tuple(model.output.shape) == (None, 7, 7, 1056)


def test_channels_first():
    lamina.config.set_image_data_format("channels_first")
    try:
        model = nasnet.NASNetMobile(weights=None, include_top=False, input_shape=(3, 32, 32))
    finally:
        lamina.config.set_image_data_format("channels_last")
    assert tuple(model.output.shape) == (None, 1056, 1, 1)


def _small_nasnet(input_shape, **kwargs):
    return nasnet.NASNet(
        input_shape=input_shape,
        penultimate_filters=24 * 16,
        num_blocks=1,
        stem_block_filters=8,
        skip_reduction=False,
        weights=None,
        default_size=32,
        **kwargs,
    )


def test_a_smaller_nasnet():
    model = _small_nasnet(SMALL, include_top=False)
    # The last cell concatenates 6 groups of penultimate_filters / 24 channels.
    assert tuple(model.output.shape) == (None, 1, 1, 24 * 16)
    names = {layer.name for layer in model.layers}
    assert {"normal_concat_0", "reduction_concat_reduce_1", "normal_concat_2"} <= names
    assert {"reduction_concat_reduce_2", "normal_concat_3"} <= names


@pytest.mark.skipif(
    lamina.backend.backend() == "pytensor",
    reason="PyTensor compiles predict's whole graph, about a second per layer: this small "
    "NASNet's two graphs (some 350 layers) take over the suite's 10-minute test limit",
)
def test_channels_first_computes_what_channels_last_does():
    # Keras refuses channels_first for NASNet; lamina builds it, with the same
    # weights and, on transposed images, the same predictions.
    last = _small_nasnet(SMALL, classes=3)
    lamina.config.set_image_data_format("channels_first")
    try:
        first = _small_nasnet((3, 32, 32), classes=3)
    finally:
        lamina.config.set_image_data_format("channels_last")
    first.set_weights(last.get_weights())
    x = nasnet.preprocess_input(images((2, *SMALL)))
    np.testing.assert_allclose(
        first.predict(x.transpose(0, 3, 1, 2), verbose=0),
        last.predict(x, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


def test_weights_from_a_keras2_file(tmp_path):
    # Every NASNet layer with weights has its own name: no fresh session needed.
    kwargs = dict(weights=None, include_top=False, input_shape=SMALL)
    source = nasnet.NASNetMobile(**kwargs)
    path = str(tmp_path / "nasnet_mobile_no_top.h5")
    write_keras2_weights(source, path)
    loaded = nasnet.NASNetMobile(**{**kwargs, "weights": path})
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_preprocessing_is_tf_mode():
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(nasnet.preprocess_input(x), [[[[-1.0, 0.0, 1.0]]]])


@pytest.mark.parametrize(
    "build, kwargs, match",
    [
        (nasnet.NASNetMobile, dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (nasnet.NASNetLarge, dict(weights="imagenet", classes=10), "classes=10"),
        (
            nasnet.NASNetMobile,
            dict(weights="imagenet", input_shape=(331, 331, 3)),
            r"input_shape=\(224, 224, 3\)",
        ),
        (
            nasnet.NASNetLarge,
            dict(weights="imagenet", input_shape=(224, 224, 3)),
            r"input_shape=\(331, 331, 3\)",
        ),
        (
            nasnet.NASNetLarge,
            dict(weights="imagenet", include_top=False, input_shape=(None, None, 3)),
            "unknown size",
        ),
        (
            nasnet.NASNetMobile,
            dict(weights=None, include_top=False, input_shape=(16, 16, 3)),
            "at least 32",
        ),
        (nasnet.NASNet, dict(weights="imagenet", default_size=128), "default_size=128"),
        (nasnet.NASNet, dict(weights=None, penultimate_filters=100), "multiple of"),
    ],
)
def test_bad_arguments_say_what_to_do(build, kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(**kwargs)
