"""ResNet (v1, also published as `resnet50`) and ResNetV2: Keras's layers,
names and numbers; the ImageNet weights fetched once, checked by hash, and
loaded as Keras loads them."""

import hashlib
import inspect

import numpy as np
import pytest

import lamina
from lamina.applications import imagenet_utils, resnet, resnet50, resnet_v2

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)
MODULES = {"resnet": resnet, "resnet50": resnet50, "resnet_v2": resnet_v2}
FAMILIES = [
    ("resnet", "ResNet50"),
    ("resnet", "ResNet101"),
    ("resnet", "ResNet152"),
    ("resnet_v2", "ResNet50V2"),
    ("resnet_v2", "ResNet101V2"),
    ("resnet_v2", "ResNet152V2"),
]


def fresh_names(keras):
    """Automatic names start again in both libraries, so the layers Keras
    leaves unnamed (ResNetV2's subsampling poolings) get the same names."""
    lamina.utils.clear_session(free_memory=False)
    keras.utils.clear_session(free_memory=False)


@pytest.mark.parametrize("module, family", FAMILIES)
def test_same_layers_as_keras(keras_layers_ref, module, family):
    # Building the deep models takes seconds in Keras: both tops for the
    # 50-layer models, one for the deeper ones (their top is the same layers).
    tops = (True, False) if family.startswith("ResNet50") else (family.endswith("V2"),)
    for include_top in tops:
        fresh_names(keras_layers_ref)
        kwargs = dict(weights=None, input_shape=SMALL, include_top=include_top, classes=7)
        ours = getattr(MODULES[module], family)(**kwargs)
        theirs = getattr(getattr(keras_layers_ref.applications, module), family)(**kwargs)
        assert_same_architecture(ours, theirs)


def test_same_layers_as_keras_channels_first(keras_layers_ref):
    # ResNetV2 has every kind of layer ResNet has, and the subsampling pooling.
    lamina.config.set_image_data_format("channels_first")
    keras_layers_ref.config.set_image_data_format("channels_first")
    try:
        kwargs = dict(weights=None, input_shape=(3, 32, 32), include_top=False)
        ours = resnet_v2.ResNet50V2(**kwargs)
        theirs = keras_layers_ref.applications.resnet_v2.ResNet50V2(**kwargs)
        assert_same_architecture(ours, theirs)
        assert tuple(ours.output.shape) == (None, 2048, 1, 1)
    finally:
        lamina.config.set_image_data_format("channels_last")
        keras_layers_ref.config.set_image_data_format("channels_last")


@pytest.mark.parametrize("module, family", [("resnet", "ResNet50"), ("resnet_v2", "ResNet50V2")])
def test_same_predictions_as_keras(keras_ref, module, family):
    kwargs = dict(weights=None, input_shape=SMALL, include_top=False, pooling="avg")
    ours = getattr(MODULES[module], family)(**kwargs)
    theirs = getattr(getattr(keras_ref.applications, module), family)(**kwargs)
    x = MODULES[module].preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_same_signatures_and_preprocessing_as_keras(keras_layers_ref):
    x = images((2, 4, 4, 3))
    for name, ours in MODULES.items():
        theirs = getattr(keras_layers_ref.applications, name)
        assert sorted(ours.__all__) == sorted(n for n in dir(theirs) if not n.startswith("_")), (
            name
        )
        for family in ours.__all__:
            if family[0].isupper():
                ours_fn, theirs_fn = getattr(ours, family), getattr(theirs, family)
                assert inspect.signature(ours_fn) == inspect.signature(theirs_fn), family
        np.testing.assert_allclose(
            ours.preprocess_input(x.copy()), theirs.preprocess_input(x.copy()), rtol=1e-6
        )


def test_resnet50_module_is_keras_alias_of_resnet():
    assert resnet50.ResNet50 is resnet.ResNet50
    assert resnet50.preprocess_input is resnet.preprocess_input
    assert resnet50.decode_predictions is resnet.decode_predictions
    assert sorted(resnet50.__all__) == ["ResNet50", "decode_predictions", "preprocess_input"]


def test_preprocess_input_uses_the_mode_of_the_weights():
    x = images((2, 4, 4, 3))
    for module, mode in ((resnet, "caffe"), (resnet50, "caffe"), (resnet_v2, "tf")):
        expected = imagenet_utils.preprocess_input(x.copy(), mode=mode)
        np.testing.assert_array_equal(module.preprocess_input(x.copy()), expected)


def test_pooling():
    for pooling, shape, last in (
        (None, (None, 1, 1, 2048), "conv5_block3_out"),
        ("avg", (None, 2048), "avg_pool"),
        ("max", (None, 2048), "max_pool"),
    ):
        model = resnet.ResNet50(
            weights=None, include_top=False, input_shape=SMALL, pooling=pooling
        )
        assert tuple(model.output.shape) == shape
        assert model.layers[-1].name == last


def test_any_image_size_without_the_top_and_the_given_input_tensor():
    model = resnet_v2.ResNet50V2(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, None, None, 3)
    assert tuple(model.output.shape) == (None, None, None, 2048)
    inputs = lamina.Input(SMALL)
    model = resnet.ResNet50(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


def test_predicts_on_odd_image_sizes_without_the_top():
    if lamina.backend.backend() == "pytensor":
        pytest.skip(
            "PyTensor compiles the whole graph to C: a ResNet50V2 forward pass takes minutes "
            "(180 s cold, 74 s with its compile cache, on 2 cores)."
        )
    model = resnet_v2.ResNet50V2(weights=None, include_top=False)
    out = model.predict(images((1, 33, 47, 3)), verbose=0)
    # 33 -> 17 (conv1) -> 9 (pool1) -> 5 -> 3 -> 2 (the three strided stages).
    assert out.shape == (1, 2, 2, 2048)
    assert np.isfinite(out).all()


def test_weights_from_a_keras2_file(tmp_path):
    # ResNetV2: its unnamed subsampling poolings have no weights, so loading by
    # name needs only the named layers, even in a second model of the session.
    source = resnet_v2.ResNet50V2(weights=None, include_top=False, input_shape=SMALL)
    path = str(tmp_path / "resnet50v2_notop.h5")
    write_keras2_weights(source, path)
    loaded = resnet_v2.ResNet50V2(weights=path, include_top=False, input_shape=SMALL)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_imagenet_weights_are_fetched_once_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    source = resnet.ResNet50(weights=None, include_top=False, input_shape=SMALL)
    published = tmp_path / "published.h5"
    write_keras2_weights(source, str(published))
    digest = hashlib.md5(published.read_bytes()).hexdigest()
    name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert resnet.WEIGHTS["resnet50"][False][0] == name
    monkeypatch.setitem(resnet.WEIGHTS["resnet50"], False, (name, published.as_uri(), digest))
    loaded = resnet.ResNet50(weights="imagenet", include_top=False, input_shape=SMALL)
    assert (tmp_path / "home" / "models" / name).is_file()
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    # A corrupted download is refused, never loaded.
    (tmp_path / "home" / "models" / name).unlink()
    monkeypatch.setitem(resnet.WEIGHTS["resnet50"], False, (name, published.as_uri(), "0" * 32))
    with pytest.raises(ValueError, match="hash"):
        resnet.ResNet50(weights="imagenet", include_top=False, input_shape=SMALL)


def test_published_weight_files():
    base = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
    for module, names in (
        (resnet, ("resnet50", "resnet101", "resnet152")),
        (resnet_v2, ("resnet50v2", "resnet101v2", "resnet152v2")),
    ):
        assert sorted(module.WEIGHTS) == sorted(names)
        for name in names:
            top, notop = module.WEIGHTS[name][True], module.WEIGHTS[name][False]
            assert top[0] == f"{name}_weights_tf_dim_ordering_tf_kernels.h5"
            assert notop[0] == f"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5"
            assert top[1] == base + top[0] and notop[1] == base + notop[0]
    assert resnet.WEIGHTS["resnet50"][True][2] == "2cb95161c43110f7111970584f804107"
    assert resnet_v2.WEIGHTS["resnet152v2"][False][2] == "ed17cf2e0169df9d443503ef94b23b33"


BAD_ARGUMENTS = [
    (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
    (dict(weights="imagenet", classes=10), "classes=10"),
    (dict(weights="imagenet", input_shape=(64, 64, 3)), r"input_shape=\(224, 224, 3\)"),
    (dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "at least 32"),
    (dict(weights=None, include_top=False, input_shape=(32, 32)), "3 integers"),
    (dict(weights="imagenet", include_top=False, input_shape=(32, 32, 1)), "need 3"),
    (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
]


@pytest.mark.parametrize("family", [resnet.ResNet50, resnet_v2.ResNet50V2])
def test_bad_arguments_say_what_to_do(family):
    for kwargs, match in BAD_ARGUMENTS:
        with pytest.raises(ValueError, match=match):
            family(**kwargs)
