"""ConvNeXt Tiny to XLarge: Keras's layers, names and numbers; LayerScale and
StochasticDepth as saveable layers; weights loaded as Keras loads them."""

import hashlib

import numpy as np
import pytest

import lamina
from lamina import config
from lamina.applications import convnext

from .conftest import (
    assert_same_architecture,
    assert_same_predictions,
    images,
    write_keras2_weights,
)

SMALL = (32, 32, 3)
FAMILIES = ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"]
# The larger variants hold 50M to 350M parameters, whose initialization takes
# seconds in each library; the build is engine-independent, so each is compared
# with Keras on one engine's pass. Tiny is compared on every pass.
COMPARED_ON = {
    "ConvNeXtSmall": "torch",
    "ConvNeXtBase": "jax",
    "ConvNeXtLarge": "numpy",
    "ConvNeXtXLarge": "tensorflow",
}


def build_both(keras_ref, family, **kwargs):
    """lamina's and Keras's model, each built right after a session reset so
    that the unnamed pooling layers get the same names."""
    lamina.backend.clear_session()
    ours = getattr(convnext, family)(**kwargs)
    keras_ref.backend.clear_session()
    theirs = getattr(keras_ref.applications, family)(**kwargs)
    return ours, theirs


def perturbed(model, seed=1):
    """`model` with every weight moved a little, so that biases and the layer
    scales (1e-6 at first) take part in a comparison."""
    rng = np.random.default_rng(seed)
    model.set_weights(
        [w + rng.uniform(0, 0.05, w.shape).astype(w.dtype) for w in model.get_weights()]
    )
    return model


@pytest.mark.parametrize("family", FAMILIES)
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
    "kwargs",
    [dict(include_top=False), dict(include_top=False, pooling="avg", include_preprocessing=False)],
)
def test_same_layers_as_keras_without_the_top(keras_ref, kwargs):
    kwargs = dict(weights=None, input_shape=SMALL) | kwargs
    assert_same_architecture(*build_both(keras_ref, "ConvNeXtTiny", **kwargs))


def test_same_predictions_as_keras(keras_ref):
    if keras_ref.backend.backend() == "jax":
        pytest.skip(
            "XLA's CPU JIT fails here ('LLVM compilation error: Cannot allocate memory', then "
            "a segfault) compiling lamina's ConvNeXt after Keras's in one process; "
            "lamina's alone compiles and runs (test_forward_on_every_engine)"
        )
    kwargs = dict(weights=None, input_shape=SMALL, classes=7, classifier_activation=None)
    ours, theirs = build_both(keras_ref, "ConvNeXtTiny", **kwargs)
    x = convnext.preprocess_input(images((2, *SMALL)))
    assert_same_predictions(ours, perturbed(theirs), x)


def test_structure():
    model = convnext.ConvNeXtTiny(weights=None, include_top=False, input_shape=SMALL)
    names = [layer.name for layer in model.layers]
    assert names[1:3] == ["convnext_tiny_prestem_normalization", "convnext_tiny_stem"]
    assert [layer.name for layer in model.get_layer("convnext_tiny_stem").layers] == [
        "convnext_tiny_stem_conv",
        "convnext_tiny_stem_layernorm",
    ]
    assert "convnext_tiny_stage_2_block_8_layer_scale" in names
    assert "convnext_tiny_stage_3_block_0_identity" in names
    assert names[-1] == "layer_normalization"
    assert tuple(model.output.shape) == (None, 1, 1, 768)


def test_stochastic_depth_grows_over_the_blocks():
    model = convnext._convnext(
        "tiny", False, True, None, None, SMALL, "avg", 1000, None, "net", drop_path_rate=0.3
    )
    rates = [
        layer.drop_path_rate
        for layer in model.layers
        if isinstance(layer, convnext.StochasticDepth)
    ]
    # The first block's rate is 0: it keeps its identity layer.
    assert "net_stage_0_block_0_identity" in [layer.name for layer in model.layers]
    np.testing.assert_allclose(rates, np.linspace(0.0, 0.3, 18)[1:])


def test_layer_scale_multiplies_each_channel():
    layer = convnext.LayerScale(0.5, 3)
    x = np.ones((2, 4, 3), "float32")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(layer(x)), 0.5 * x)
    assert [tuple(w.shape) for w in layer.weights] == [(3,)]
    assert layer.trainable_weights[0] is layer.weights[0]


def test_stochastic_depth_drops_whole_samples_while_training():
    layer = convnext.StochasticDepth(0.5)
    x = np.ones((64, 2, 2, 3), "float32")
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(layer(x)), x)
    y = lamina.ops.convert_to_numpy(layer(x, training=True))
    per_sample = y.reshape(64, -1)
    assert set(np.unique(per_sample)) <= {0.0, 2.0}
    assert all(len(set(row)) == 1 for row in per_sample)
    assert 0 < (per_sample[:, 0] == 0).sum() < 64
    with pytest.raises(ValueError, match="drop_path_rate"):
        convnext.StochasticDepth(1.5)


def test_custom_layers_save_and_load(tmp_path):
    inputs = lamina.Input((4, 4, 8))
    x = convnext.LayerScale(0.25, 8, name="scale")(inputs)
    x = convnext.StochasticDepth(0.1, name="drop")(x)
    model = lamina.Model(inputs, x)
    model.set_weights([np.arange(8, dtype="float32")])
    for layer, expected in [
        (model.get_layer("scale"), {"init_values": 0.25, "projection_dim": 8}),
        (model.get_layer("drop"), {"drop_path_rate": 0.1}),
    ]:
        config_ = layer.get_config()
        assert expected.items() <= config_.items()
        assert type(layer).from_config(config_).get_config() == config_
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert type(loaded.get_layer("scale")) is convnext.LayerScale
    assert type(loaded.get_layer("drop")) is convnext.StochasticDepth
    x = images((2, 4, 4, 8))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_weights_from_a_keras2_file(tmp_path):
    source = perturbed(convnext.ConvNeXtTiny(weights=None, include_top=False, input_shape=SMALL))
    path = str(tmp_path / "convnext_tiny_notop.h5")
    write_keras2_weights(source, path)
    loaded = convnext.ConvNeXtTiny(weights=path, include_top=False, input_shape=SMALL)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_imagenet_weights_are_fetched_once_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    source = perturbed(convnext.ConvNeXtTiny(weights=None, include_top=False, input_shape=SMALL))
    published = tmp_path / "published.h5"
    write_keras2_weights(source, str(published))
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    name = "convnext_tiny_notop.h5"
    monkeypatch.setitem(convnext.WEIGHTS, ("tiny", False), (name, published.as_uri(), digest))
    loaded = convnext.ConvNeXtTiny(weights="imagenet", include_top=False, input_shape=SMALL)
    assert (tmp_path / "home" / "models" / name).is_file()
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_channels_first_is_refused():
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_last"):
            convnext.ConvNeXtTiny(weights=None, input_shape=(3, 32, 32), include_top=False)
    finally:
        config.set_image_data_format(previous)


def test_preprocess_input_is_a_pass_through():
    x = images((1, *SMALL))
    assert convnext.preprocess_input(x) is x


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(weights="nowhere.h5"), "weights='nowhere.h5'"),
        (dict(weights="imagenet", classes=10), "classes=10"),
        (dict(weights="imagenet", input_shape=(64, 64, 3)), r"input_shape=\(224, 224, 3\)"),
        (dict(weights=None, include_top=False, input_shape=(16, 16, 3)), "at least 32"),
        (dict(weights="imagenet", include_top=False, name="mine"), "name='convnext_tiny'"),
        (dict(weights="imagenet", classifier_activation="relu"), "classifier_activation"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, match):
    with pytest.raises(ValueError, match=match):
        convnext.ConvNeXtTiny(**kwargs)


def test_application_layers_move_both_ways_with_keras(keras_ref, tmp_path):
    # LayerScale, StochasticDepth and InceptionResNetV2's CustomScaleLayer are
    # saved under Keras's modules and plain registered names, as Keras saves them.
    from lamina.applications import inception_resnet_v2

    def build(K, scale, layer_scale, depth):
        inputs = K.Input((4, 4, 8))
        x = layer_scale(0.25, 8, name="scale")(inputs)
        x = depth(0.1, name="drop")(x)
        return K.Model(inputs, scale(0.3, name="sum")([x, x]))

    kept = keras_ref.src.applications
    theirs = build(
        keras_ref,
        kept.inception_resnet_v2.CustomScaleLayer,
        kept.convnext.LayerScale,
        kept.convnext.StochasticDepth,
    )
    ours = build(
        lamina,
        inception_resnet_v2.CustomScaleLayer,
        convnext.LayerScale,
        convnext.StochasticDepth,
    )
    x = np.random.default_rng(0).random((2, 4, 4, 8)).astype("float32")
    theirs.save(tmp_path / "theirs.keras")
    ours.save(tmp_path / "ours.keras")
    loaded = lamina.models.load_model(tmp_path / "theirs.keras")
    assert type(loaded.get_layer("scale")) is convnext.LayerScale
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-6
    )
    back = keras_ref.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), ours.predict(x, verbose=0), rtol=1e-6)


def test_forward_on_every_engine():
    if lamina.backend.backend() == "pytensor":
        pytest.skip("PyTensor compiles a graph this size for minutes (about 1 s per layer)")
    model = convnext.ConvNeXtTiny(weights=None, input_shape=SMALL, classes=7)
    out = model.predict(images((2, *SMALL)), verbose=0)
    assert out.shape == (2, 7) and np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
