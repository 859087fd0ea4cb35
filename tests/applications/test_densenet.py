"""DenseNet121, DenseNet169 and DenseNet201: Keras's layers, names and
numbers; weights from a Keras 2 file; both data formats."""

import numpy as np
import pytest

import lamina
from lamina.applications import densenet

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)


@pytest.fixture
def fresh_names(keras_layers_ref):
    """Unnamed layers (the zero paddings) are numbered per session: both
    libraries start from zero."""
    keras_layers_ref.utils.clear_session(free_memory=False)
    lamina.utils.clear_session(free_memory=False)
    return keras_layers_ref


@pytest.mark.parametrize(
    "family, include_top, pooling",
    [
        ("DenseNet121", True, None),
        ("DenseNet121", False, "max"),
        ("DenseNet169", False, "avg"),
        ("DenseNet201", True, None),
    ],
)
def test_same_layers_as_keras(fresh_names, family, include_top, pooling):
    kwargs = dict(
        weights=None, input_shape=SMALL, include_top=include_top, pooling=pooling, classes=7
    )
    ours = getattr(densenet, family)(**kwargs)
    theirs = getattr(fresh_names.applications, family)(**kwargs)
    assert_same_architecture(ours, theirs)


def test_same_predictions_as_keras(keras_ref):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7)
    ours = densenet.DenseNet121(**kwargs)
    theirs = keras_ref.applications.DenseNet121(**kwargs)
    x = densenet.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, theirs, x)


def test_preprocessing_is_torch_mode():
    x = np.full((1, 2, 2, 3), 255.0, "float32")
    expected = (1.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(densenet.preprocess_input(x)[0, 0, 0], expected, rtol=1e-6)


def test_channels_first_builds_the_same_weights():
    kwargs = dict(weights=None, input_shape=SMALL, include_top=False, pooling="avg")
    last = densenet.DenseNet121(**kwargs)
    lamina.config.set_image_data_format("channels_first")
    try:
        first = densenet.DenseNet121(**{**kwargs, "input_shape": (3, 32, 32)})
    finally:
        lamina.config.set_image_data_format("channels_last")
    assert tuple(first.output.shape) == (None, 1024)
    assert [w.shape for w in first.weights] == [w.shape for w in last.weights]


def test_any_image_size_without_the_top():
    model = densenet.DenseNet121(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, None, None, 3)
    assert tuple(model.output.shape) == (None, None, None, 1024)


def test_input_tensor_is_used():
    inputs = lamina.Input(SMALL)
    model = densenet.DenseNet121(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


def test_weights_from_a_keras2_file(tmp_path):
    kwargs = dict(weights=None, include_top=False, input_shape=SMALL)
    source = densenet.DenseNet121(**kwargs)
    path = str(tmp_path / "densenet121_notop.h5")
    write_keras2_weights(source, path)
    loaded = densenet.DenseNet121(**{**kwargs, "weights": path})
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_each_depth_has_its_own_weight_files():
    names = {densenet.WEIGHTS[depth][top][0] for depth in (121, 169, 201) for top in (True, False)}
    assert len(names) == 6
    assert densenet.WEIGHTS[169][False][0] == (
        "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (dict(weights="imagenet", classes=10), "classes=10"),
        (dict(weights="imagenet", input_shape=(64, 64, 3)), r"input_shape=\(224, 224, 3\)"),
        (dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "at least 32"),
        (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, match):
    with pytest.raises(ValueError, match=match):
        densenet.DenseNet169(**kwargs)
