"""Hashing, HashedCrossing, CategoryEncoding and Discretization: NumPy references,
Keras's exact hash bins, models, adapt, configs and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers.preprocessing import _hash_functions
from lamina.testing.layer_test import keras_module

# Keras's jax backend warns when it truncates its own int64 outputs.
pytestmark = pytest.mark.filterwarnings("ignore:Explicitly requested dtype:UserWarning")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _for_keras(x):
    """Keras 3 on its numpy engine refuses NumPy string arrays; it takes nested lists."""
    return x.tolist() if isinstance(x, np.ndarray) and x.dtype.kind in "US" else x


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


# Bins Keras 3.15 (TensorFlow's FarmHash and SipHash kernels) gives for these values.
FINGERPRINTS = {
    b"": 0x9AE16A3B2F90404F,
}


def test_fingerprint64_known_values():
    # FarmHash Fingerprint64 of the empty string is the constant k2.
    assert _hash_functions.fingerprint64(b"") == FINGERPRINTS[b""]
    # Hashing's documented example: bins of A..E among 3.
    out = _np(layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]))
    np.testing.assert_array_equal(out, [[1], [0], [1], [1], [2]])
    # With a salt (SipHash-2-4): Keras's documented example.
    out = _np(layers.Hashing(num_bins=3, salt=133)([["A"], ["B"], ["C"], ["D"], ["E"]]))
    np.testing.assert_array_equal(out, [[0], [0], [2], [1], [0]])


def test_hashing_masks_and_integers():
    layer = layers.Hashing(num_bins=3, mask_value="")
    out = _np(layer([["A"], ["B"], [""], ["C"], ["D"]]))
    np.testing.assert_array_equal(out, [[1], [1], [0], [2], [2]])
    # Integers hash as their digits, floats after truncation.
    ints = _np(layers.Hashing(num_bins=7)(np.array([[1], [2], [-5], [123456]])))
    np.testing.assert_array_equal(ints, [[5], [5], [0], [5]])
    strs = _np(layers.Hashing(num_bins=7)([["1"], ["2"], ["-5"], ["123456"]]))
    np.testing.assert_array_equal(ints, strs)
    floats = _np(layers.Hashing(num_bins=7)(np.array([[1.7], [2.2], [-5.9], [123456.0]])))
    np.testing.assert_array_equal(ints, floats)


def test_hashing_output_modes_and_shapes():
    x = np.array([["a", "b"], ["c", "a"]])
    bins = _np(layers.Hashing(num_bins=4)(x))
    multi = _np(layers.Hashing(num_bins=4, output_mode="multi_hot")(x))
    count = _np(layers.Hashing(num_bins=4, output_mode="count")(x))
    expected_count = np.stack([np.bincount(r, minlength=4) for r in bins])
    np.testing.assert_array_equal(count, expected_count)
    np.testing.assert_array_equal(multi, np.minimum(expected_count, 1))
    one_hot = _np(layers.Hashing(num_bins=4, output_mode="one_hot")(x[:, :1]))
    assert one_hot.shape == (2, 4)
    inputs = layers.Input(shape=(2,), dtype="int32")
    assert tuple(layers.Hashing(num_bins=4, output_mode="count")(inputs).shape) == (None, 4)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=2, salt="x")


def test_hashing_matches_keras_on_many_values(keras):
    rng = np.random.default_rng(0)
    words = np.array(
        ["".join(rng.choice(list("abcdefghé €"), size=n)) for n in rng.integers(0, 90, 200)]
    )[:, None]
    ints = rng.integers(-(10**12), 10**12, size=(200, 1))
    for kwargs in [
        dict(num_bins=1000),
        dict(num_bins=17, salt=[7, 13]),
        dict(num_bins=5, mask_value=""),
        dict(num_bins=6, output_mode="count"),
    ]:
        for data in (words, ints):
            if "mask_value" in kwargs and data is ints:
                kwargs = dict(kwargs, mask_value=int(ints[3, 0]))
            ours = _np(layers.Hashing(**kwargs)(data))
            theirs = keras.ops.convert_to_numpy(keras.layers.Hashing(**kwargs)(_for_keras(data)))
            np.testing.assert_array_equal(ours, theirs)
    config = layers.Hashing(num_bins=3, salt=4, mask_value="").get_config()
    keras_config = keras.layers.Hashing(num_bins=3, salt=4, mask_value="").get_config()
    for key in ("num_bins", "salt", "mask_value", "output_mode", "sparse"):
        assert config[key] == keras_config[key]


def test_hashed_crossing():
    layer = layers.HashedCrossing(num_bins=5)
    out = _np(layer((np.array(["A", "B", "C"]), np.array([101, 102, 103]))))
    np.testing.assert_array_equal(out, [1, 1, 3])  # as Keras gives
    one_hot = _np(
        layers.HashedCrossing(num_bins=5, output_mode="one_hot")(
            (np.array([["A"], ["B"]]), np.array([["x"], ["y"]]))
        )
    )
    assert one_hot.shape == (2, 5) and one_hot.sum() == 2
    with pytest.raises(ValueError, match="at least two"):
        layer([np.array(["A"])])
    a = layers.Input(shape=(1,), dtype="int32")
    b = layers.Input(shape=(1,), dtype="int32")
    assert tuple(layers.HashedCrossing(num_bins=3)([a, b]).shape) == (None, 1)


def test_hashed_crossing_matches_keras(keras):
    # Keras's numpy engine takes neither NumPy string arrays nor lists mixed with arrays.
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    a = rng.integers(-1000, 1000, size=(50, 1))
    b = np.array([["w" * int(n)] for n in rng.integers(0, 70, 50)])
    c = rng.integers(0, 5, size=(50, 1))
    for kwargs in [dict(num_bins=7), dict(num_bins=1000), dict(num_bins=4, output_mode="one_hot")]:
        ours = _np(layers.HashedCrossing(**kwargs)([a, b, c]))
        theirs = keras.ops.convert_to_numpy(
            keras.layers.HashedCrossing(**kwargs)([tf.constant(v) for v in (a, b, c)])
        )
        np.testing.assert_array_equal(ours, theirs)
    config = layers.HashedCrossing(num_bins=3).get_config()
    keras_config = keras.layers.HashedCrossing(num_bins=3).get_config()
    assert {k: v for k, v in config.items() if k not in ("name", "dtype")} == {
        k: v for k, v in keras_config.items() if k not in ("name", "dtype")
    }


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_against_numpy(mode):
    x = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])
    out = _np(layers.CategoryEncoding(num_tokens=4, output_mode=mode)(x))
    hot = (x[..., None] == np.arange(4)).astype("float32")
    expected = {"one_hot": hot, "multi_hot": hot.max(1), "count": hot.sum(1)}[mode]
    np.testing.assert_array_equal(out, expected)
    weights = np.array([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]], dtype="float32")
    counted = _np(
        layers.CategoryEncoding(num_tokens=4, output_mode="count")(x, count_weights=weights)
    )
    np.testing.assert_allclose(counted, (hot * weights[..., None]).sum(1), atol=1e-6)
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding(num_tokens=2)(x)


def test_category_encoding_trains_in_a_model():
    inputs = layers.Input(shape=(3,), dtype="int32")
    outputs = layers.Dense(1)(layers.CategoryEncoding(num_tokens=5, output_mode="count")(inputs))
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1, 2, 3], [0, 1, 4], [4, 4, 0], [2, 2, 2]], dtype="int32")
    model.fit(x, np.ones((4, 1), "float32"), epochs=2, batch_size=2, verbose=0)
    kernel = _np(model.layers[-1].kernel.value)
    bias = _np(model.layers[-1].bias.value)
    counts = (x[..., None] == np.arange(5)).sum(1).astype("float32")
    np.testing.assert_allclose(_np(model.predict(x, verbose=0)), counts @ kernel + bias, atol=1e-5)


def test_category_encoding_matches_keras(keras):
    x = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])
    for mode in ("one_hot", "multi_hot", "count"):
        ours = _np(layers.CategoryEncoding(num_tokens=4, output_mode=mode)(x))
        theirs = keras.ops.convert_to_numpy(keras.layers.CategoryEncoding(4, output_mode=mode)(x))
        np.testing.assert_allclose(ours, theirs)
    ours = layers.CategoryEncoding(4, "count").get_config()
    theirs = keras.layers.CategoryEncoding(4, "count").get_config()
    assert (ours["num_tokens"], ours["output_mode"]) == (
        theirs["num_tokens"],
        theirs["output_mode"],
    )


def test_discretization_against_numpy():
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    x = np.array([[-1.5, 1.0, 3.4, 0.5]], dtype="float32")
    np.testing.assert_array_equal(_np(layer(x)), np.digitize(x, [0.0, 1.0, 2.0]))
    one_hot = _np(layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")(x[0]))
    np.testing.assert_array_equal(one_hot, np.eye(3)[np.digitize(x[0], [0.0, 1.0])])
    data = np.arange(100, dtype="float32")
    adapted = layers.Discretization(num_bins=4, epsilon=0.01)
    adapted.adapt(data)
    np.testing.assert_allclose(adapted.bin_boundaries, [24.0, 49.0, 74.0], atol=1e-4)
    batches = layers.Discretization(num_bins=4, epsilon=0.01)
    batches.adapt(b for b in (data[:50], data[50:]))
    np.testing.assert_allclose(batches.bin_boundaries, adapted.bin_boundaries, atol=1.0)
    clone = layers.Discretization.from_config(adapted.get_config())
    assert clone.bin_boundaries == adapted.bin_boundaries
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(num_bins=3)(x)


def test_discretization_trains_in_a_model():
    inputs = layers.Input(shape=(2,))
    encoded = layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")(inputs)
    model = lamina.Model(inputs, layers.Dense(1)(encoded))
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[-1.0, 0.5], [2.0, 1.5], [0.2, -3.0]], dtype="float32")
    model.fit(x, np.ones((3, 1), "float32"), epochs=1, batch_size=3, verbose=0)
    counts = (np.digitize(x, [0.0, 1.0])[..., None] == np.arange(3)).sum(1)
    dense = model.layers[-1]
    expected = counts @ _np(dense.kernel.value) + _np(dense.bias.value)
    np.testing.assert_allclose(_np(model.predict(x, verbose=0)), expected, atol=1e-5)


def test_discretization_matches_keras(keras):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(300, 2)).astype("float32")
    for kwargs in [dict(num_bins=4), dict(num_bins=7, epsilon=0.05)]:
        ours, theirs = layers.Discretization(**kwargs), keras.layers.Discretization(**kwargs)
        ours.adapt(data)
        theirs.adapt(data)
        np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
        np.testing.assert_array_equal(_np(ours(data)), keras.ops.convert_to_numpy(theirs(data)))
    x = data[:3]
    for mode in ("one_hot", "multi_hot", "count"):
        kwargs = dict(bin_boundaries=[-0.5, 0.0, 0.7], output_mode=mode)
        for sample in (x, x[0]):
            np.testing.assert_array_equal(
                _np(layers.Discretization(**kwargs)(sample)),
                keras.ops.convert_to_numpy(keras.layers.Discretization(**kwargs)(sample)),
            )
    parts = [data[:100], data[100:]]
    ours, theirs = layers.Discretization(num_bins=5), keras.layers.Discretization(num_bins=5)
    ours.adapt(iter(parts))
    theirs.adapt(iter(parts))
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    config, keras_config = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in config.items() if k not in ("name", "dtype")} == {
        k: v for k, v in keras_config.items() if k not in ("name", "dtype")
    }


def test_hashing_first_in_a_model_run_eagerly():
    # Hashing computes on the host: inside a model it needs concrete values.
    model = lamina.Sequential(
        [
            layers.Input(shape=(2,), dtype="int32"),
            layers.Hashing(num_bins=5, output_mode="count"),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    x = np.array([[1, 2], [3, 4], [2, 2]], dtype="int32")
    model.fit(x, np.ones((3, 1), "float32"), epochs=1, batch_size=3, verbose=0)
    counts = _np(layers.Hashing(num_bins=5, output_mode="count")(x))
    dense = model.layers[-1]
    expected = counts @ _np(dense.kernel.value) + _np(dense.bias.value)
    np.testing.assert_allclose(_np(model.predict(x, verbose=0)), expected, atol=1e-5)
