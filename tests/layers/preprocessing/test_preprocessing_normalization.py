"""Normalization: adapt over arrays and batches, given statistics, invert, saving, Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import keras_module


def _data(shape=(40, 3), seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * [1.0, 5.0, 0.1][: shape[-1]] + 3.0).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def test_adapt_standardizes_each_feature():
    x = _data()
    layer = layers.Normalization()
    layer.adapt(x)
    np.testing.assert_allclose(_np(layer.adapt_mean.value), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(_np(layer.adapt_variance.value), x.var(0), rtol=1e-4)
    out = _np(layer(x))
    np.testing.assert_allclose(out.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1.0, rtol=1e-4)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert not layer.trainable_weights


@pytest.mark.parametrize("form", ["list", "generator of tuples", "py_dataset"])
def test_adapt_over_batches_equals_one_array(form):
    x = _data((50, 3))
    parts = [x[i : i + 16] for i in range(0, 50, 16)]

    class Batches(lamina.utils.PyDataset):
        def __len__(self):
            return len(parts)

        def __getitem__(self, i):
            return parts[i], np.zeros(len(parts[i]))

    data = {
        "list": parts,
        "generator of tuples": ((p, np.zeros(len(p))) for p in parts),
        "py_dataset": Batches(),
    }[form]
    whole, batched = layers.Normalization(), layers.Normalization()
    whole.adapt(x)
    batched.adapt(data)
    np.testing.assert_allclose(_np(batched.mean), _np(whole.mean), rtol=1e-5)
    np.testing.assert_allclose(_np(batched.variance), _np(whole.variance), rtol=1e-5)


def test_axes():
    x = _data((8, 4, 3))
    everything = layers.Normalization(axis=None)
    everything.adapt(x)
    np.testing.assert_allclose(float(_np(everything.adapt_mean.value)), x.mean(), rtol=1e-5)
    per_position = layers.Normalization(axis=(1, 2))
    per_position.adapt(x)
    assert tuple(per_position.adapt_mean.shape) == (4, 3)
    np.testing.assert_allclose(_np(per_position.adapt_mean.value), x.mean(0), rtol=1e-5)


def test_given_statistics_and_invert():
    x = _data()
    layer = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 9.0, 16.0])
    out = _np(layer(x))
    np.testing.assert_allclose(out, (x - [1.0, 2.0, 3.0]) / [2.0, 3.0, 4.0], rtol=1e-5)
    assert layer.weights == []
    back = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 9.0, 16.0], invert=True)
    np.testing.assert_allclose(_np(back(out)), x, rtol=1e-5, atol=1e-5)
    scalar = layers.Normalization(mean=2.0, variance=4.0)
    np.testing.assert_allclose(_np(scalar(x)), (x - 2.0) / 2.0, rtol=1e-5)


def test_keras_parity(keras):
    x = _data()
    ours, theirs = layers.Normalization(), keras.layers.Normalization()
    ours.adapt(x)
    theirs.adapt(x)
    np.testing.assert_allclose(
        _np(ours(x)), keras.ops.convert_to_numpy(theirs(x)), rtol=1e-4, atol=1e-5
    )
    given = {"mean": [1.0, 2.0, 3.0], "variance": [4.0, 9.0, 16.0], "invert": True}
    np.testing.assert_allclose(
        _np(layers.Normalization(**given)(x)),
        keras.ops.convert_to_numpy(keras.layers.Normalization(**given)(x)),
        rtol=1e-6,
    )
    ours_config = layers.Normalization(**given).get_config()
    theirs_config = keras.layers.Normalization(**given).get_config()
    for key in ("axis", "invert", "mean", "variance"):
        assert ours_config[key] == theirs_config[key], key


def test_adapted_statistics_are_saved(tmp_path):
    x = _data()
    norm = layers.Normalization()
    norm.adapt(x)
    model = lamina.Sequential([lamina.Input((3,)), norm, layers.Dense(2)])
    path = str(tmp_path / "normalized.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )
    model.compile(optimizer="sgd", loss="mse")
    before = _np(norm.adapt_mean.value).copy()
    model.fit(x, np.zeros((40, 2), "float32"), epochs=1, verbose=0)
    np.testing.assert_array_equal(_np(norm.adapt_mean.value), before)  # not trained


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: layers.Normalization(mean=1.0), ValueError, "both mean and variance"),
        (
            lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0]),
            ValueError,
            r"one shape; got mean of shape \(2,\)",
        ),
        (lambda: layers.Normalization().adapt(42), TypeError, "got int"),
        (lambda: layers.Normalization().adapt([]), ValueError, "got no data"),
    ],
)
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_adapt_checks_the_built_shape():
    layer = layers.Normalization()
    layer.adapt(_data((10, 3)))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(None, 3\).*\(10, 4\)"):
        layer.adapt(np.zeros((10, 4), "float32"))
    with pytest.raises(ValueError, match=r"keeps axis 1 .*size is unknown"):
        lamina.Sequential([lamina.Input((None,)), layers.Normalization()])
