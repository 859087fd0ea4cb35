"""StringLookup and IntegerLookup: vocabularies given and adapted, OOV and mask indices,
encodings, invert, models, configs, assets and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import keras_module

pytestmark = pytest.mark.filterwarnings("ignore:Explicitly requested dtype:UserWarning")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras_np(keras, x):
    return x if isinstance(x, (np.ndarray, list)) else keras.ops.convert_to_numpy(x)


def _for_keras(x):
    """Keras 3 on its numpy engine refuses NumPy string arrays; it takes nested lists."""
    return x.tolist() if isinstance(x, np.ndarray) and x.dtype.kind in "US" else x


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def test_string_lookup_given_vocabulary():
    layer = layers.StringLookup(vocabulary=["a", "b", "c", "d"])
    out = _np(layer([["a", "c", "d"], ["d", "z", "b"]]))
    np.testing.assert_array_equal(out, [[1, 3, 4], [4, 0, 2]])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "b", "c", "d"]
    assert layer.vocabulary_size() == 5
    masked = layers.StringLookup(vocabulary=["a", "b"], mask_token="")
    np.testing.assert_array_equal(_np(masked(np.array(["a", "", "q", "b"]))), [2, 0, 1, 3])
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b"]
    # Byte strings are text too.
    np.testing.assert_array_equal(_np(layer(np.array([b"b", b"x"]))), [2, 0])


def test_string_lookup_encodings_against_numpy():
    vocab = ["a", "b", "c"]
    x = np.array([["a", "b", "a"], ["c", "z", "z"]])
    indices = _np(layers.StringLookup(vocabulary=vocab)(x))
    hot = (indices[..., None] == np.arange(4)).astype("float32")
    for mode, expected in [("multi_hot", hot.max(1)), ("count", hot.sum(1))]:
        out = _np(layers.StringLookup(vocabulary=vocab, output_mode=mode)(x))
        np.testing.assert_array_equal(out, expected)
    idf = [0.5, 1.0, 2.0]
    out = _np(layers.StringLookup(vocabulary=vocab, output_mode="tf_idf", idf_weights=idf)(x))
    weights = np.array([np.mean(idf), *idf], dtype="float32")
    np.testing.assert_allclose(out, hot.sum(1) * weights, atol=1e-6)
    padded = layers.StringLookup(
        vocabulary=vocab, output_mode="one_hot", max_tokens=6, pad_to_max_tokens=True
    )
    assert _np(padded(np.array(["a", "c"]))).shape == (2, 6)


def test_string_lookup_invert_and_oov_buckets():
    layer = layers.StringLookup(vocabulary=["a", "b"], invert=True)
    out = layer(np.array([[1, 2, 0, 7]]))
    np.testing.assert_array_equal(np.asarray(out), [["a", "b", "[UNK]", "[UNK]"]])
    many = layers.StringLookup(vocabulary=["a"], num_oov_indices=3)
    out = _np(many(np.array(["a", "x", "y", "zz", "x"])))
    assert out[0] == 3 and out[1] == out[4] and set(out[1:]) <= {0, 1, 2}
    strict = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(ValueError, match="num_oov_indices"):
        strict(np.array(["b"]))
    with pytest.raises(ValueError, match="repeats"):
        layers.StringLookup(vocabulary=["a", "a"])


def test_adapt_ranks_by_count_then_value():
    data = np.array([["b", "a", "c"], ["c", "a", "d"], ["a", "b", "e"]])
    layer = layers.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b", "e", "d"]
    capped = layers.StringLookup(max_tokens=3)
    capped.adapt(data.tolist())
    assert capped.get_vocabulary() == ["[UNK]", "a", "c"]
    ints = layers.IntegerLookup()
    ints.adapt(np.array([3, 3, 4, 5, 3, 4, 10]))
    assert ints.get_vocabulary() == [-1, 3, 4, 10, 5]
    batched = layers.IntegerLookup()
    batched.adapt(iter([np.array([[3, 3]]), np.array([[4, 5], [3, 4]]), np.array([[10]])]))
    assert batched.get_vocabulary() == ints.get_vocabulary()


def test_tf_idf_adapt_against_numpy():
    docs = np.array([["a", "b", "a"], ["b", "c", "c"], ["a", "a", "d"]])
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(docs)
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "a", "c", "b", "d"]
    document_frequency = np.array([sum(t in row for row in docs.tolist()) for t in vocab[1:]])
    idf = np.log(1 + 3 / (1 + document_frequency))
    idf = np.concatenate([[idf.mean()], idf])
    counts = np.stack([[list(row).count(t) for t in vocab] for row in docs.tolist()])
    counts[:, 0] = 0
    np.testing.assert_allclose(_np(layer(docs)), counts * idf, rtol=1e-5)


def test_integer_lookup_given_and_masked():
    layer = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    out = _np(layer(np.array([[12, 1138, 42], [42, 1000, 36]])))
    np.testing.assert_array_equal(out, [[1, 3, 4], [4, 0, 2]])
    masked = layers.IntegerLookup(vocabulary=[12, 36], mask_token=0, num_oov_indices=2)
    out = _np(masked(np.array([12, 0, 7, 8, 36])))
    # Unknown tokens go to the OOV index `token % num_oov_indices`, after the mask index.
    np.testing.assert_array_equal(out, [3, 0, 2, 1, 4])
    inverse = layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    np.testing.assert_array_equal(_np(inverse(np.array([1, 2, 0, 9]))), [12, 36, -1, -1])


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count"])
def test_integer_lookup_trains_in_a_model(mode):
    vocab = [7, 9, 11]
    inputs = layers.Input(shape=(3,), dtype="int32")
    lookup = layers.IntegerLookup(vocabulary=vocab, mask_token=0, output_mode=mode)
    encoded = lookup(inputs)
    if mode == "int":
        encoded = layers.Flatten()(layers.Embedding(5, 2)(encoded))
    model = lamina.Model(inputs, layers.Dense(1)(encoded))
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[7, 9, 0], [11, 5, 7], [9, 9, 9], [0, 0, 11]], dtype="int32")
    model.fit(x, np.ones((4, 1), "float32"), epochs=2, batch_size=2, verbose=0)
    eager = _np(lookup(x))
    traced = _np(model.predict(x, verbose=0))
    # The compiled model computes the lookup with the engine's ops: same result as on the host.
    rest = lamina.Sequential(model.layers[2:])
    np.testing.assert_allclose(traced, _np(rest(eager)), atol=1e-5)


def test_assets_and_weights_round_trip(tmp_path):
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array([["x", "y"], ["y", "é"]]))
    layer.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text(encoding="utf-8") == "[UNK]\ny\né\nx"
    store = {}
    layer.save_own_variables(store)
    fresh = layers.StringLookup(output_mode="tf_idf")
    fresh.load_own_variables(store)
    fresh.load_assets(str(tmp_path))
    x = np.array([["x", "é", "q"]])
    np.testing.assert_allclose(_np(fresh(x)), _np(layer(x)))
    ints = layers.IntegerLookup(mask_token=0)
    ints.adapt(np.array([4, 4, 9]))
    ints.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text() == "0\n-1\n4\n9"
    clone = layers.IntegerLookup.from_config(ints.get_config())
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == ints.get_vocabulary()
    given = layers.StringLookup(vocabulary=["a"])
    given.save_assets(str(tmp_path / "none"))  # the config holds a given vocabulary
    assert not (tmp_path / "none").exists()


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    np.testing.assert_array_equal(_np(layer(np.array(["c", "a"]))), [3, 1])
    assert layer.get_config()["vocabulary"] is None


CASES = [
    ("StringLookup", dict(vocabulary=["a", "b", "c"])),
    ("StringLookup", dict(vocabulary=["a", "b"], mask_token="", num_oov_indices=2)),
    ("StringLookup", dict(vocabulary=["a", "b", "c"], output_mode="count")),
    ("StringLookup", dict(num_oov_indices=3, vocabulary=["a"], salt=5)),
    ("StringLookup", dict(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[0.3, 0.9])),
    ("IntegerLookup", dict(vocabulary=[3, 5, 9], num_oov_indices=2, mask_token=0)),
    ("IntegerLookup", dict(vocabulary=[3, 5, 9], output_mode="one_hot")),
    ("IntegerLookup", dict(vocabulary=[3, 5], num_oov_indices=3, oov_method="farmhash")),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_lookup_matches_keras(keras, name, kwargs):
    if name == "StringLookup":
        x = np.array(
            [["a", "b", "zz"], ["c", "", "q"]] if "mask_token" in kwargs else [["a"], ["q"], ["c"]]
        )
        if kwargs.get("output_mode") in ("count", "tf_idf"):
            x = np.array([["a", "b", "a"], ["c", "zz", "c"]])
    else:
        x = np.array([[3, 5, 0], [9, 1, 123456]])
        if kwargs.get("output_mode") == "one_hot":
            x = np.array([[3], [9], [4]])
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    np.testing.assert_allclose(_np(ours(x)), _keras_np(keras, theirs(_for_keras(x))), atol=1e-6)
    assert ours.get_vocabulary() == [
        v.item() if hasattr(v, "item") else v for v in theirs.get_vocabulary()
    ]
    config, keras_config = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in config.items() if k not in ("name", "dtype")} == {
        k: v for k, v in keras_config.items() if k not in ("name", "dtype")
    }


def test_adapted_lookups_match_keras(keras, tmp_path):
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in rng.integers(0, 30, 200)]).reshape(40, 5)
    for kwargs in [dict(), dict(max_tokens=10, mask_token=""), dict(output_mode="tf_idf")]:
        ours, theirs = layers.StringLookup(**kwargs), keras.layers.StringLookup(**kwargs)
        ours.adapt(words)
        theirs.adapt(_for_keras(words))
        assert ours.get_vocabulary() == theirs.get_vocabulary()
        np.testing.assert_allclose(
            _np(ours(words)), _keras_np(keras, theirs(_for_keras(words))), rtol=1e-5
        )
        assert ours.get_config()["vocabulary_size"] == theirs.get_config()["vocabulary_size"]
        (tmp_path / "ours").mkdir(exist_ok=True)
        (tmp_path / "theirs").mkdir(exist_ok=True)
        ours.save_assets(str(tmp_path / "ours"))
        theirs.save_assets(str(tmp_path / "theirs"))
        assert (tmp_path / "ours" / "vocabulary.txt").read_bytes() == (
            tmp_path / "theirs" / "vocabulary.txt"
        ).read_bytes()
        store, keras_store = {}, {}
        ours.save_own_variables(store)
        theirs.save_own_variables(keras_store)
        assert store.keys() == keras_store.keys()
        for key in store:
            np.testing.assert_allclose(store[key], keras_store[key], rtol=1e-6)
    ints = rng.integers(0, 20, size=(30, 4))
    ours, theirs = layers.IntegerLookup(), keras.layers.IntegerLookup()
    ours.adapt(ints)
    theirs.adapt(ints)
    assert ours.get_vocabulary() == [int(v) for v in theirs.get_vocabulary()]
