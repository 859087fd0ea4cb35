"""InceptionV3 and InceptionResNetV2: Keras's layers, names (automatic ones
included) and numbers; the residual scaling layer; weights from a Keras 2
file."""

import numpy as np
import pytest

import lamina
from lamina.applications import inception_resnet_v2, inception_v3

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (75, 75, 3)  # the smallest both models take
MODELS = {
    "InceptionV3": inception_v3.InceptionV3,
    "InceptionResNetV2": inception_resnet_v2.InceptionResNetV2,
}


@pytest.fixture
def fresh_names(keras_layers_ref):
    """Most layers are unnamed, numbered per session: both libraries start
    from zero."""
    keras_layers_ref.utils.clear_session(free_memory=False)
    lamina.utils.clear_session(free_memory=False)
    return keras_layers_ref


@pytest.mark.parametrize(
    "family, include_top, pooling",
    [
        ("InceptionV3", True, None),
        ("InceptionV3", False, "avg"),
        ("InceptionResNetV2", True, None),
    ],
)
def test_same_layers_as_keras(fresh_names, family, include_top, pooling):
    kwargs = dict(
        weights=None, input_shape=SMALL, include_top=include_top, pooling=pooling, classes=7
    )
    ours = MODELS[family](**kwargs)
    theirs = getattr(fresh_names.applications, family)(**kwargs)
    assert_same_architecture(ours, theirs)


def test_same_predictions_as_keras(keras_ref):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7)
    ours = inception_v3.InceptionV3(**kwargs)
    theirs = keras_ref.applications.InceptionV3(**kwargs)
    x = inception_v3.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_scale_layer_computes_what_keras_does(keras_ref):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasScale

    rng = np.random.default_rng(0)
    x, up = (rng.normal(size=(2, 3, 3, 4)).astype("float32") for _ in range(2))
    ours = inception_resnet_v2.CustomScaleLayer(0.17)([x, up])
    theirs = KerasScale(0.17)([x, up])
    np.testing.assert_allclose(
        lamina.ops.convert_to_numpy(ours), keras_ref.ops.convert_to_numpy(theirs), rtol=1e-6
    )


def _scaled_model(library, scale_layer):
    inputs = library.Input((3, 3, 4))
    up = library.layers.Conv2D(4, 1)(inputs)
    outputs = scale_layer(0.1, name="scale")([inputs, up])
    return library.Model(inputs, outputs)


def test_scale_layer_saves_and_loads(tmp_path):
    model = _scaled_model(lamina, inception_resnet_v2.CustomScaleLayer)
    path = str(tmp_path / "scaled.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert isinstance(loaded.get_layer("scale"), inception_resnet_v2.CustomScaleLayer)
    assert loaded.get_layer("scale").scale == 0.1
    x = images((2, 3, 3, 4))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_scale_layer_loads_from_a_keras_file(keras_ref, tmp_path):
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer as KerasScale

    theirs = _scaled_model(keras_ref, KerasScale)
    path = str(tmp_path / "keras_scaled.keras")
    theirs.save(path)
    ours = lamina.saving.load_model(path)
    assert isinstance(ours.get_layer("scale"), inception_resnet_v2.CustomScaleLayer)
    x = images((2, 3, 3, 4))
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )


def test_weights_from_a_keras2_file(tmp_path):
    kwargs = dict(weights=None, include_top=False, input_shape=SMALL)
    source = inception_v3.InceptionV3(**kwargs)
    path = str(tmp_path / "inception_v3_notop.h5")
    write_keras2_weights(source, path)
    loaded = inception_v3.InceptionV3(**{**kwargs, "weights": path})
    # The second model's automatic names go on from the first's ("conv2d_94"...):
    # as in Keras 3, a Keras 2 file loads layer by layer in order, not by name.
    assert loaded.layers[1].name != source.layers[1].name
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("module", [inception_v3, inception_resnet_v2])
def test_preprocessing_is_tf_mode(module):
    x = np.array([[[[0.0, 127.5, 255.0]]]], "float32")
    np.testing.assert_allclose(module.preprocess_input(x), [[[[-1.0, 0.0, 1.0]]]])


@pytest.mark.parametrize("family, width", [("InceptionV3", 2048), ("InceptionResNetV2", 1536)])
def test_channels_first(family, width):
    lamina.config.set_image_data_format("channels_first")
    try:
        model = MODELS[family](weights=None, include_top=False, input_shape=(3, 75, 75))
    finally:
        lamina.config.set_image_data_format("channels_last")
    assert tuple(model.output.shape) == (None, width, 1, 1)


def test_input_tensor_is_used():
    inputs = lamina.Input(SMALL)
    model = inception_v3.InceptionV3(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


@pytest.mark.parametrize("family", list(MODELS))
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (dict(weights="imagenet", classes=10), "classes=10"),
        (dict(weights="imagenet", input_shape=(224, 224, 3)), r"input_shape=\(299, 299, 3\)"),
        (dict(weights=None, include_top=False, input_shape=(74, 74, 3)), "at least 75"),
    ],
)
def test_bad_arguments_say_what_to_do(family, kwargs, match):
    with pytest.raises(ValueError, match=match):
        MODELS[family](**kwargs)


def test_pretrained_weights_keep_a_softmax_top():
    with pytest.raises(ValueError, match="classifier_activation"):
        inception_v3.InceptionV3(weights="imagenet", classifier_activation="relu")
