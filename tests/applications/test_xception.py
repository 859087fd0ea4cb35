"""Xception: Keras's layers, names and numbers; the ImageNet weights fetched
once, checked by hash, and loaded layer by layer in order, as Keras does
(the published files name their layers as Keras 1 did)."""

import hashlib
import inspect

import h5py
import numpy as np
import pytest

import lamina
from lamina.applications import imagenet_utils, xception

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (71, 71, 3)  # Xception's minimum size


def write_keras1_weights(model, path):
    """`model`'s weights in the layout of the published Xception files: a
    group per layer with weights, named by Keras 1's counters
    ("convolution2d_1", ...), not by the model's layer names."""
    with_weights = [layer for layer in model.layers if layer.weights]
    names = [
        f"{type(layer).__name__.lower().replace('conv', 'convolution')}_{i}"
        for i, layer in enumerate(with_weights, 1)
    ]
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name in names]
        for name, layer in zip(names, with_weights):
            group = f.create_group(name)
            weight_names = [f"{name}_w{i}:0".encode() for i in range(len(layer.weights))]
            for weight_name, weight in zip(weight_names, layer.weights):
                group.create_dataset(weight_name.decode(), data=np.asarray(weight.numpy()))
            group.attrs["weight_names"] = weight_names


def assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("include_top", [True, False])
def test_same_layers_as_keras(keras_layers_ref, include_top):
    # The shortcut layers are unnamed in Keras: the conftest's fresh names
    # make both libraries number them from "conv2d" and "batch_normalization".
    kwargs = dict(weights=None, input_shape=SMALL, include_top=include_top, classes=7)
    ours, theirs = xception.Xception(**kwargs), keras_layers_ref.applications.Xception(**kwargs)
    assert_same_architecture(ours, theirs)


def test_same_layers_as_keras_channels_first(keras_layers_ref):
    lamina.config.set_image_data_format("channels_first")
    keras_layers_ref.config.set_image_data_format("channels_first")
    try:
        kwargs = dict(weights=None, input_shape=(3, 71, 71), include_top=False, pooling="max")
        ours, theirs = (
            xception.Xception(**kwargs),
            keras_layers_ref.applications.Xception(**kwargs),
        )
        assert_same_architecture(ours, theirs)
    finally:
        lamina.config.set_image_data_format("channels_last")
        keras_layers_ref.config.set_image_data_format("channels_last")


def test_same_predictions_as_keras(keras_ref):
    kwargs = dict(weights=None, input_shape=SMALL, include_top=False, pooling="avg")
    ours, theirs = xception.Xception(**kwargs), keras_ref.applications.Xception(**kwargs)
    x = xception.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_same_signature_and_preprocessing_as_keras(keras_layers_ref):
    theirs = keras_layers_ref.applications.xception
    assert inspect.signature(xception.Xception) == inspect.signature(theirs.Xception)
    x = images((2, 4, 4, 3))
    np.testing.assert_allclose(
        xception.preprocess_input(x.copy()), theirs.preprocess_input(x.copy()), rtol=1e-6
    )
    np.testing.assert_array_equal(
        xception.preprocess_input(x.copy()), imagenet_utils.preprocess_input(x.copy(), mode="tf")
    )


@pytest.mark.parametrize("pooling, shape", [(None, (None, 3, 3, 2048)), ("max", (None, 2048))])
def test_pooling(pooling, shape):
    model = xception.Xception(weights=None, include_top=False, input_shape=SMALL, pooling=pooling)
    assert tuple(model.output.shape) == shape


def test_any_image_size_without_the_top_and_the_given_input_tensor():
    model = xception.Xception(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, None, None, 3)
    inputs = lamina.Input(SMALL)
    model = xception.Xception(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


def test_weights_from_a_keras2_file_of_another_model(tmp_path):
    # The second model's unnamed shortcut layers are "conv2d_4", ...: the
    # file's "conv2d", ... still go to them, in order, as in Keras.
    source = xception.Xception(weights=None, include_top=False, input_shape=SMALL)
    path = str(tmp_path / "xception_notop.h5")
    write_keras2_weights(source, path)
    loaded = xception.Xception(weights=path, include_top=False, input_shape=SMALL)
    assert {"conv2d", "conv2d_4"} <= {layer.name for layer in source.layers + loaded.layers}
    assert_same_weights(source, loaded)


def test_weights_from_a_lamina_file(tmp_path):
    source = xception.Xception(weights=None, include_top=False, input_shape=SMALL)
    path = str(tmp_path / "xception.weights.h5")
    source.save_weights(path)
    loaded = xception.Xception(weights=path, include_top=False, input_shape=SMALL)
    assert_same_weights(source, loaded)


def test_imagenet_weights_are_fetched_once_checked_and_loaded_in_order(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    source = xception.Xception(weights=None, include_top=False, input_shape=SMALL)
    published = tmp_path / "published.h5"
    write_keras1_weights(source, str(published))
    digest = hashlib.md5(published.read_bytes()).hexdigest()
    name = "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert xception.WEIGHTS[False][0] == name
    monkeypatch.setitem(xception.WEIGHTS, False, (name, published.as_uri(), digest))
    loaded = xception.Xception(weights="imagenet", include_top=False, input_shape=SMALL)
    assert (tmp_path / "home" / "models" / name).is_file()
    assert_same_weights(source, loaded)
    # A file of another model is refused: the classifier has one more layer.
    with pytest.raises(
        ValueError, match="80 layers, but model 'xception' has 81 layers with weights"
    ):
        xception.Xception(weights=str(published), include_top=True, classes=7, input_shape=SMALL)
    # A corrupted download is refused, never loaded.
    (tmp_path / "home" / "models" / name).unlink()
    monkeypatch.setitem(xception.WEIGHTS, False, (name, published.as_uri(), "0" * 32))
    with pytest.raises(ValueError, match="hash"):
        xception.Xception(weights="imagenet", include_top=False, input_shape=SMALL)


def test_published_weight_files():
    base = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
    assert xception.WEIGHTS == {
        True: (
            "xception_weights_tf_dim_ordering_tf_kernels.h5",
            base + "xception_weights_tf_dim_ordering_tf_kernels.h5",
            "0a58e3b7378bc2990ea3b43d5981f1f6",
        ),
        False: (
            "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            base + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "b0042744bf5b25fce3cb969f33bebb97",
        ),
    }


def test_bad_arguments_say_what_to_do():
    for kwargs, match in [
        (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (dict(weights="imagenet", classes=10), "classes=10"),
        (dict(weights="imagenet", input_shape=(224, 224, 3)), r"input_shape=\(299, 299, 3\)"),
        (dict(weights=None, include_top=False, input_shape=(70, 70, 3)), "at least 71"),
        (dict(weights=None, include_top=False, input_shape=(71, 71)), "3 integers"),
        (dict(weights="imagenet", include_top=False, input_shape=(71, 71, 1)), "need 3"),
        (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
    ]:
        with pytest.raises(ValueError, match=match):
            xception.Xception(**kwargs)
