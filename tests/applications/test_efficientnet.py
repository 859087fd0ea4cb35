"""EfficientNet B0-B7 and EfficientNetV2 B0-B3, S, M, L: Keras's layers,
names and numbers; the stem's normalization; weights loaded as Keras loads them."""

import hashlib

import numpy as np
import pytest

import lamina
from lamina import config
from lamina.applications import efficientnet, efficientnet_v2

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)
V1 = [f"EfficientNetB{i}" for i in range(8)]
V2 = [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")]
MODULES = {name: efficientnet for name in V1} | {name: efficientnet_v2 for name in V2}
# Building the larger variants takes seconds in each library, and the build is
# engine-independent: each is compared with Keras on one engine's pass, the
# passes sharing the load. B0 and V2B0 are compared on every pass.
COMPARED_ON = {
    "EfficientNetB1": "numpy",
    "EfficientNetB2": "jax",
    "EfficientNetB3": "torch",
    "EfficientNetB4": "numpy",
    "EfficientNetB5": "tensorflow",
    "EfficientNetB6": "numpy",
    "EfficientNetB7": "numpy",
    "EfficientNetV2B1": "tensorflow",
    "EfficientNetV2B2": "numpy",
    "EfficientNetV2B3": "tensorflow",
    "EfficientNetV2S": "numpy",
    "EfficientNetV2M": "numpy",
    "EfficientNetV2L": "tensorflow",
}


def build_both(keras_ref, family, **kwargs):
    """lamina's and Keras's model, each built right after a session reset so
    that the unnamed layers (rescaling, normalization) get the same names."""
    lamina.backend.clear_session()
    ours = getattr(MODULES[family], family)(**kwargs)
    keras_ref.backend.clear_session()
    theirs = getattr(keras_ref.applications, family)(**kwargs)
    return ours, theirs


def perturbed(model, seed=1):
    """`model` with every float weight moved a little, so that the batch
    statistics and biases take part in a comparison."""
    rng = np.random.default_rng(seed)
    model.set_weights(
        [
            w + rng.uniform(0, 0.05, w.shape).astype(w.dtype) if w.dtype.kind == "f" else w
            for w in model.get_weights()
        ]
    )
    # Keras's Normalization reads its statistics into constants when built or
    # loaded, not on set_weights: refresh them as loading does.
    for layer in model.layers:
        getattr(layer, "finalize_state", lambda: None)()
    return model


@pytest.mark.parametrize("family", V1 + V2)
def test_same_layers_as_keras(keras_ref, family):
    engine = COMPARED_ON.get(family, lamina.backend.backend())
    if engine != lamina.backend.backend():
        pytest.skip(
            f"{family}'s architecture (built by engine-independent code) is compared on the "
            f"{engine} pass; the passes share the larger variants to stay fast"
        )
    kwargs = dict(weights=None, input_shape=SMALL, classes=7)
    assert_same_architecture(*build_both(keras_ref, family, **kwargs))


@pytest.mark.parametrize(
    "family, kwargs",
    [
        ("EfficientNetB0", dict(include_top=False)),
        ("EfficientNetV2B0", dict(include_top=False, pooling="avg", include_preprocessing=False)),
        # One channel: the B variants fall back to scaling into [-1, 1].
        ("EfficientNetV2B0", dict(include_top=False, input_shape=(32, 32, 1))),
    ],
)
def test_same_layers_as_keras_without_the_top(keras_ref, family, kwargs):
    kwargs = dict(weights=None, input_shape=SMALL) | kwargs
    assert_same_architecture(*build_both(keras_ref, family, **kwargs))


@pytest.mark.parametrize("family", ["EfficientNetB0", "EfficientNetV2B0"])
def test_same_predictions_as_keras(keras_ref, family):
    kwargs = dict(weights=None, input_shape=SMALL, classes=7, classifier_activation=None)
    ours, theirs = build_both(keras_ref, family, **kwargs)
    x = MODULES[family].preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, perturbed(theirs), x)


def test_channels_first_computes_what_channels_last_does():
    if lamina.backend.backend() == "pytensor":
        pytest.skip(
            "PyTensor compiles each of the two B0 graphs to C for minutes; the channel axis "
            "is chosen by engine-independent code, checked on the other passes"
        )
    kwargs = dict(weights=None, include_top=False, pooling="avg")
    last = efficientnet.EfficientNetB0(input_shape=SMALL, **kwargs)
    perturbed(last)
    x = images((1, *SMALL))
    expected = last.predict(x, verbose=0)
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        first = efficientnet.EfficientNetB0(input_shape=(3, 32, 32), **kwargs)
        # Kernels keep one layout in both formats: the weights carry over as they are.
        first.set_weights(last.get_weights())
        got = first.predict(np.transpose(x, (0, 3, 1, 2)), verbose=0)
    finally:
        config.set_image_data_format(previous)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "family, shape",
    [
        ("EfficientNetB3", (None, 1536)),
        ("EfficientNetV2S", (None, 1280)),
    ],
)
def test_pooling_gives_one_vector_per_image(family, shape):
    model = getattr(MODULES[family], family)(
        weights=None, include_top=False, input_shape=SMALL, pooling="max"
    )
    assert tuple(model.output.shape) == shape
    assert model.layers[-1].name == "max_pool"


def test_blocks_and_drop_connect_rates():
    model = efficientnet.EfficientNetB1(weights=None, include_top=False, input_shape=SMALL)
    drops = [layer for layer in model.layers if layer.name.endswith("_drop")]
    # B1 deepens B0's 16 blocks to 23; the rate grows with the block's index.
    assert "block7b_project_bn" in [layer.name for layer in model.layers]
    assert [round(layer.rate, 6) for layer in drops][:2] == [
        round(0.2 * 1 / 23, 6),
        round(0.2 * 3 / 23, 6),
    ]
    assert all(layer.noise_shape == (None, 1, 1, 1) for layer in drops)


def test_v2_stem_scales_or_normalizes_by_variant():
    b0 = efficientnet_v2.EfficientNetV2B0(weights=None, include_top=False, input_shape=SMALL)
    s = efficientnet_v2.EfficientNetV2S(weights=None, include_top=False, input_shape=SMALL)
    bare = efficientnet_v2.EfficientNetV2B0(
        weights=None, include_top=False, input_shape=SMALL, include_preprocessing=False
    )
    assert [type(layer).__name__ for layer in b0.layers[1:3]] == ["Rescaling", "Normalization"]
    assert type(s.layers[1]).__name__ == "Rescaling"
    assert (s.layers[1].scale, s.layers[1].offset) == (1.0 / 128.0, -1)
    assert bare.layers[1].name == "stem_conv"
    fused = [layer.name for layer in s.layers if layer.name.startswith("block1a_")]
    assert fused[:2] == ["block1a_project_conv", "block1a_project_bn"]
    assert "block4a_dwconv2" in [layer.name for layer in s.layers]


def test_input_tensor_is_used():
    inputs = lamina.Input(SMALL)
    model = efficientnet.EfficientNetB0(weights=None, include_top=False, input_tensor=inputs)
    assert model.inputs[0] is inputs


@pytest.mark.parametrize("family", ["EfficientNetB0", "EfficientNetV2B0"])
def test_weights_from_a_keras2_file(tmp_path, family):
    build = getattr(MODULES[family], family)
    source = perturbed(build(weights=None, include_top=False, input_shape=SMALL))
    path = str(tmp_path / f"{family}_notop.h5")
    write_keras2_weights(source, path)
    loaded = build(weights=path, include_top=False, input_shape=SMALL)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_imagenet_weights_are_fetched_and_rescaled_by_the_deviation(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    source = perturbed(
        efficientnet.EfficientNetB0(weights=None, include_top=False, input_shape=SMALL)
    )
    published = tmp_path / "published.h5"
    write_keras2_weights(source, str(published))
    digest = hashlib.md5(published.read_bytes()).hexdigest()
    name = "efficientnetb0_notop.h5"
    monkeypatch.setitem(efficientnet.WEIGHTS, ("b0", False), (name, published.as_uri(), digest))
    # The file is the variant's, whatever the model is called.
    loaded = efficientnet.EfficientNetB0(
        weights="imagenet", include_top=False, input_shape=SMALL, name="mine"
    )
    assert (tmp_path / "home" / "models" / name).is_file()
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The published Normalization holds deviations as variances: a second
    # Rescaling divides by their square root.
    stem = [type(layer).__name__ for layer in loaded.layers[1:4]]
    assert stem == ["Rescaling", "Normalization", "Rescaling"]
    np.testing.assert_allclose(
        loaded.layers[3].scale, [1 / np.sqrt(s) for s in (0.229, 0.224, 0.225)]
    )


def test_preprocess_input_is_a_pass_through():
    x = images((1, *SMALL))
    assert efficientnet.preprocess_input(x) is x
    assert efficientnet_v2.preprocess_input(x, data_format="channels_last") is x


@pytest.mark.parametrize(
    "family, kwargs, match",
    [
        ("EfficientNetB0", dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        ("EfficientNetB0", dict(weights="imagenet", classes=10), "classes=10"),
        (
            "EfficientNetB4",
            dict(weights="imagenet", input_shape=(224, 224, 3)),
            r"input_shape=\(380, 380, 3\)",
        ),
        (
            "EfficientNetV2S",
            dict(weights="imagenet", input_shape=(224, 224, 3)),
            r"input_shape=\(384, 384, 3\)",
        ),
        (
            "EfficientNetV2B0",
            dict(weights=None, include_top=False, input_shape=(16, 16, 3)),
            "at least 32",
        ),
        ("EfficientNetV2B0", dict(weights="imagenet", classifier_activation="relu"), "relu"),
    ],
)
def test_bad_arguments_say_what_to_do(family, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(MODULES[family], family)(**kwargs)
