"""TextVectorization: standardize, split, n-grams, every output mode, adapt, models,
configs, assets and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import keras_module

pytestmark = pytest.mark.filterwarnings("ignore:Explicitly requested dtype:UserWarning")

TEXT = np.array(
    [
        "The cat sat on the mat.",
        "The DOG ate my homework!",
        "a cat, a dog;  and\ta bird",
        "Ünïcode stays: ÀB",
    ]
)


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


def test_int_mode_against_python():
    layer = layers.TextVectorization()
    layer.adapt(TEXT)
    vocab = layer.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"]
    index = {t: i for i, t in enumerate(vocab)}
    out = _np(layer(TEXT))
    rows = [
        "".join(c for c in s.lower() if c.isalnum() or c.isspace()).split()
        for s in [
            "The cat sat on the mat.",
            "The DOG ate my homework!",
            "a cat, a dog;  and\ta bird",
        ]
    ]
    for row, tokens in zip(out, rows):
        np.testing.assert_array_equal(row[: len(tokens)], [index[t] for t in tokens])
        assert not row[len(tokens) :].any()
    # ASCII letters only are lowercased, as Keras does.
    assert "Ünïcode" in vocab and "Àb" in vocab
    # By count, then descending value: "dog" and "cat" both occur twice.
    assert vocab[2:6] == ["the", "a", "dog", "cat"]


def test_sequence_length_and_splits():
    layer = layers.TextVectorization(output_sequence_length=3, vocabulary=["b", "a", "c"])
    np.testing.assert_array_equal(_np(layer(["a b", "c a b c a"])), [[3, 2, 0], [4, 3, 2]])
    chars = layers.TextVectorization(split="character", standardize=None, vocabulary=list("abé"))
    np.testing.assert_array_equal(_np(chars(["abé", "Ax"])), [[2, 3, 4], [1, 1, 0]])
    whole = layers.TextVectorization(split=None, vocabulary=["hello world"])
    np.testing.assert_array_equal(_np(whole(np.array([["Hello, world!"], ["x"]]))), [[2], [1]])
    grams = layers.TextVectorization(ngrams=2, standardize=None, vocabulary=["a", "a b", "b c"])
    np.testing.assert_array_equal(_np(grams(["a b c"])), [[2, 1, 1, 3, 4]])
    custom = layers.TextVectorization(
        standardize=lambda x: np.char.upper(x.astype(str)), vocabulary=["A", "B"]
    )
    np.testing.assert_array_equal(_np(custom(["a b c"])), [[2, 3, 1]])


def test_one_string_has_no_batch_axis():
    layer = layers.TextVectorization(vocabulary=["one", "string"])
    np.testing.assert_array_equal(_np(layer(np.array("just one string"))), [1, 2, 3])
    bag = layers.TextVectorization(vocabulary=["one", "string"], output_mode="count")
    np.testing.assert_array_equal(_np(bag("one string one")), [0, 2, 1])


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_bag_modes_against_numpy(mode):
    layer = layers.TextVectorization(output_mode=mode, max_tokens=6)
    layer.adapt(TEXT)
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and len(vocab) == 6
    ids = _np(layers.TextVectorization(vocabulary=vocab[1:])(TEXT)) - 1  # padding becomes -1
    counts = np.stack([(row[:, None] == np.arange(6)).sum(0) for row in ids]).astype("float32")
    out = _np(layer(TEXT))
    if mode == "multi_hot":
        np.testing.assert_array_equal(out, np.minimum(counts, 1))
    elif mode == "count":
        np.testing.assert_array_equal(out, counts)
    else:
        documents = [set(r[r >= 1].tolist()) for r in ids]
        frequency = np.array([sum(i in d for d in documents) for i in range(1, 6)])
        idf = np.log(1 + len(TEXT) / (1 + frequency))
        idf = np.concatenate([[idf.mean()], idf])
        np.testing.assert_allclose(out, counts * idf, rtol=1e-5)


def test_as_preprocessing_before_a_model_and_inside_fit():
    vectorize = layers.TextVectorization(output_mode="multi_hot", max_tokens=8)
    vectorize.adapt(TEXT)
    x = vectorize(TEXT)
    model = lamina.Sequential([layers.Input(shape=(8,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((4, 1), "float32"), epochs=2, verbose=0)
    dense = model.layers[-1]
    expected = _np(x) @ _np(dense.kernel.value) + _np(dense.bias.value)
    np.testing.assert_allclose(_np(model.predict(x, verbose=0)), expected, atol=1e-5)


def test_config_and_assets(tmp_path):
    layer = layers.TextVectorization(max_tokens=20, ngrams=(1, 2), output_sequence_length=5)
    layer.adapt(TEXT)
    config = layer.get_config()
    assert config["vocabulary"] is None and config["vocabulary_size"] == len(
        layer.get_vocabulary()
    )
    layer.save_assets(str(tmp_path))
    clone = layers.TextVectorization.from_config(config)
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(_np(clone(TEXT)), _np(layer(TEXT)))
    given = layers.TextVectorization(vocabulary=["x", "y"])
    assert layers.TextVectorization.from_config(given.get_config()).get_vocabulary() == [
        "",
        "[UNK]",
        "x",
        "y",
    ]
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)


CASES = [
    dict(),
    dict(max_tokens=7, output_sequence_length=4),
    dict(ngrams=2, output_mode="count"),
    dict(split="character", output_mode="multi_hot", standardize="lower"),
    dict(output_mode="tf_idf", ngrams=(1, 3), pad_to_max_tokens=True, max_tokens=40),
    dict(standardize="strip_punctuation", split=None, output_mode="multi_hot"),
]


@pytest.mark.parametrize("kwargs", CASES)
def test_matches_keras(keras, kwargs, tmp_path):
    data = TEXT[:, None] if kwargs.get("split", "whitespace") is None else TEXT
    ours, theirs = layers.TextVectorization(**kwargs), keras.layers.TextVectorization(**kwargs)
    ours.adapt(data)
    theirs.adapt(_for_keras(data))
    assert ours.get_vocabulary() == theirs.get_vocabulary()
    probe = np.array(["the cat ate the bird", "Unknown words ÀB! cat"])
    if kwargs.get("split", "whitespace") is None:
        probe = probe[:, None]
    np.testing.assert_allclose(
        _np(ours(probe)),
        keras.ops.convert_to_numpy(theirs(_for_keras(probe))),
        rtol=1e-5,
        atol=1e-6,
    )
    config, keras_config = ours.get_config(), theirs.get_config()
    assert {k: v for k, v in config.items() if k not in ("name", "dtype")} == {
        k: v for k, v in keras_config.items() if k not in ("name", "dtype")
    }
    ours.save_assets(str(tmp_path))
    keras_dir = tmp_path / "keras"
    keras_dir.mkdir()
    theirs.save_assets(str(keras_dir))
    assert (tmp_path / "vocabulary.txt").read_bytes() == (
        keras_dir / "vocabulary.txt"
    ).read_bytes()
