"""imdb and reuters on small .npz files of ragged sequences, served as file:// URLs."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import lamina
from lamina.datasets import imdb, reuters


def _ragged(sequences) -> np.ndarray:
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = list(seq)
    return out


def _write_npz(path, arrays: dict, numpy1: bool = False) -> None:
    """An .npz as np.savez writes it; numpy1: object arrays pickled as NumPy 1 did."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            if numpy1 and array.dtype == object:
                header = {"descr": "|O", "fortran_order": False, "shape": array.shape}
                np.lib.format.write_array_header_1_0(buffer, header)
                stream = pickle.dumps(array, protocol=3)  # names globals as text
                buffer.write(stream.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
            else:
                np.lib.format.write_array(buffer, array, allow_pickle=True)
            archive.writestr(key + ".npy", buffer.getvalue())


# Label = length % 2, so the tests can tell that labels follow their sequences.
IMDB_TRAIN = [[1, 2, 3], [4, 5], [1, 1, 6, 7, 8], [9], [2, 2, 2, 2], [3, 1]]
IMDB_TEST = [[2, 9], [3], [5, 4, 6]]


def _labels(sequences):
    return np.array([len(s) % 2 for s in sequences], dtype=np.int64)


@pytest.fixture
def imdb_file(server, monkeypatch):
    arrays = {
        "x_train": _ragged(IMDB_TRAIN),
        "y_train": _labels(IMDB_TRAIN),
        "x_test": _ragged(IMDB_TEST),
        "y_test": _labels(IMDB_TEST),
    }
    _write_npz(server.path("imdb.npz"), arrays)
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    return arrays


def _shuffled(seed):
    rng = np.random.RandomState(seed)  # one generator, the training split first
    train, test = np.arange(len(IMDB_TRAIN)), np.arange(len(IMDB_TEST))
    rng.shuffle(train)
    rng.shuffle(test)
    return [IMDB_TRAIN[i] for i in train], [IMDB_TEST[i] for i in test]


def _as_lists(x) -> list:
    return [list(seq) for seq in x]


def test_imdb_defaults_shift_indices_and_mark_starts(imdb_file, server, home):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (6,) and x_test.shape == (3,)
    assert y_train.dtype == np.int64 and y_train.shape == (6,) and y_test.shape == (3,)
    train, test = _shuffled(113)
    # Indices + 3 after the start mark 1; the largest index (9 + 3) is the bound
    # num_words=None sets, so that word becomes oov_char 2, as in Keras 3.
    expected = [[1] + [w + 3 if w + 3 < 12 else 2 for w in seq] for seq in train + test]
    assert _as_lists(x_train) + _as_lists(x_test) == expected
    np.testing.assert_array_equal(y_train, _labels(train))
    np.testing.assert_array_equal(y_test, _labels(test))
    assert (home / "datasets" / "imdb.npz").exists()
    server.path("imdb.npz").unlink()  # the second call downloads nothing
    (x_again, _), _ = imdb.load_data()
    assert _as_lists(x_again) == _as_lists(x_train)


def test_imdb_num_words_skip_top_and_oov(imdb_file, home):
    train, test = _shuffled(113)
    (x_train, _), (x_test, _) = imdb.load_data(num_words=8, skip_top=5, oov_char=0)
    words = [[1] + [w + 3 for w in seq] for seq in train + test]
    expected = [[w if 5 <= w < 8 else 0 for w in seq] for seq in words]
    assert _as_lists(x_train) + _as_lists(x_test) == expected
    (x_train, _), (x_test, _) = imdb.load_data(num_words=8, oov_char=None)
    expected = [[w for w in seq if w < 8] for seq in words]
    assert _as_lists(x_train) + _as_lists(x_test) == expected


def test_imdb_raw_indices_without_start_or_offset(imdb_file, home):
    train, test = _shuffled(113)
    (x_train, _), (x_test, _) = imdb.load_data(start_char=None, index_from=0, num_words=100)
    assert _as_lists(x_train) + _as_lists(x_test) == train + test
    (x_train, _), _ = imdb.load_data(start_char=None, index_from=2, num_words=100)
    assert _as_lists(x_train) == [[w + 2 for w in seq] for seq in train]


def test_imdb_maxlen_leaves_long_reviews_out(imdb_file, home):
    train, test = _shuffled(113)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=3, num_words=100)
    # The start mark counts: reviews of 1 word (2 indices) are kept, of 2 words left out.
    kept_train = [s for s in train if len(s) + 1 < 3]
    kept_test = [s for s in test if len(s) + 1 < 3]
    assert _as_lists(x_train) == [[1] + [w + 3 for w in s] for s in kept_train]
    assert _as_lists(x_test) == [[1] + [w + 3 for w in s] for s in kept_test]
    np.testing.assert_array_equal(y_train, _labels(kept_train))
    np.testing.assert_array_equal(y_test, _labels(kept_test))
    with pytest.raises(ValueError, match=r"no review of x_train is shorter than maxlen=2"):
        imdb.load_data(maxlen=2)


def test_imdb_seed_gives_one_order(imdb_file, home):
    (a, ya), _ = imdb.load_data(seed=7)
    (b, yb), _ = imdb.load_data(seed=7)
    (c, _), _ = imdb.load_data(seed=8)
    assert _as_lists(a) == _as_lists(b)
    np.testing.assert_array_equal(ya, yb)
    assert _as_lists(a) != _as_lists(c)
    train, _ = _shuffled(8)
    assert [len(s) - 1 for s in c] == [len(s) for s in train]


def test_imdb_equal_lengths_still_give_one_object_per_review(server, home, monkeypatch):
    arrays = {
        "x_train": _ragged([[1, 2], [3, 4]]),
        "y_train": np.array([0, 1]),
        "x_test": _ragged([[5, 6]]),
        "y_test": np.array([1]),
    }
    _write_npz(server.path("imdb.npz"), arrays)
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    (x_train, _), (x_test, _) = imdb.load_data()
    assert x_train.shape == (2,) and x_test.shape == (1,)
    assert isinstance(x_train[0], list)


def test_imdb_bad_arguments_name_the_value(imdb_file, home):
    with pytest.raises(ValueError, match=r"num_words must be an integer >= 1 or None; got 0"):
        imdb.load_data(num_words=0)
    with pytest.raises(ValueError, match=r"skip_top must be an integer >= 0; got -1"):
        imdb.load_data(skip_top=-1)
    with pytest.raises(ValueError, match=r"maxlen must be an integer >= 1 or None; got 2\.5"):
        imdb.load_data(maxlen=2.5)
    with pytest.raises(TypeError, match=r"unknown arguments \['max_len'\]"):
        imdb.load_data(max_len=10)
    with pytest.warns(DeprecationWarning, match="nb_words is the old name of num_words"):
        (x_train, _), _ = imdb.load_data(nb_words=6)
    assert max(max(s) for s in x_train) < 6


def test_npz_pickles_of_numpy1_are_read(server, home, monkeypatch):
    arrays = {
        "x_train": _ragged([[1, 2, 3]]),
        "y_train": np.array([1]),
        "x_test": _ragged([[4]]),
        "y_test": np.array([0]),
    }
    _write_npz(server.path("imdb.npz"), arrays, numpy1=True)
    assert b"numpy.core.multiarray" in zipfile.ZipFile(server.path("imdb.npz")).read("x_train.npy")
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    (x_train, _), (x_test, _) = imdb.load_data(num_words=100)
    assert _as_lists(x_train) == [[1, 4, 5, 6]] and _as_lists(x_test) == [[1, 7]]


def test_npz_pickles_never_run_code(server, home, monkeypatch):
    class Gadget:
        def __reduce__(self):
            return (os.getcwd, ())

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "|O", "fortran_order": False, "shape": (1,)}
    )
    pickle.dump(Gadget(), buffer, protocol=3)
    with zipfile.ZipFile(server.path("imdb.npz"), "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(key + ".npy", buffer.getvalue())
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    with pytest.raises(ValueError, match=r"imdb\.npz is not a NumPy \.npz.*load posix\.getcwd"):
        imdb.load_data()


def test_a_damaged_npz_is_named(server, home, monkeypatch):
    server.path("imdb.npz").write_bytes(b"PK\x03\x04 half an archive")
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    with pytest.raises(ValueError, match=r"imdb\.npz is not a NumPy \.npz archive.*Delete it"):
        imdb.load_data()
    _write_npz(server.path("imdb.npz"), {"x_train": np.zeros(2)})
    monkeypatch.setattr(imdb, "SHA256", server.sha256("imdb.npz"))
    with pytest.raises(ValueError, match=r"it has no array 'y_train' \(it holds \['x_train'\]\)"):
        imdb.load_data(path="other.npz")


@pytest.mark.parametrize("module", [imdb, reuters], ids=["imdb", "reuters"])
def test_get_word_index(module, server, home, monkeypatch):
    name = f"{module.__name__.rsplit('.', 1)[1]}_word_index.json"
    server.path(name).write_text(json.dumps({"the": 1, "and": 2, "film": 3}))
    monkeypatch.setattr(module, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(module, "WORD_INDEX_MD5", server.md5(name))
    assert module.get_word_index() == {"the": 1, "and": 2, "film": 3}
    assert (home / "datasets" / name).exists()
    server.path(name).write_text("[1, 2]")
    monkeypatch.setattr(module, "WORD_INDEX_MD5", server.md5(name))
    with pytest.raises(ValueError, match=r"other\.json is not a JSON word index: it holds a list"):
        module.get_word_index(path="other.json")


# ---------------------------------------------------------------- Reuters

REUTERS_X = [[i + 1] * (1 + i % 4) for i in range(20)]  # lengths 1..4, words 1..20
REUTERS_Y = np.arange(20, dtype=np.int64) % 46


@pytest.fixture
def reuters_file(server, monkeypatch):
    _write_npz(server.path("reuters.npz"), {"x": _ragged(REUTERS_X), "y": REUTERS_Y})
    monkeypatch.setattr(reuters, "ORIGIN_FOLDER", server.url())
    monkeypatch.setattr(reuters, "SHA256", server.sha256("reuters.npz"))


def test_reuters_shuffles_then_splits(reuters_file, server, home):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.reuters.load_data(num_words=1000)
    assert x_train.shape == (16,) and x_test.shape == (4,)
    assert y_train.dtype == np.int64 and y_train.shape == (16,)
    order = np.arange(20)
    np.random.RandomState(113).shuffle(order)
    expected = [[1] + [w + 3 for w in REUTERS_X[i]] for i in order]
    assert _as_lists(x_train) + _as_lists(x_test) == expected
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), REUTERS_Y[order])
    server.path("reuters.npz").unlink()  # the second call downloads nothing
    (x_again, _), _ = reuters.load_data(num_words=1000)
    assert _as_lists(x_again) == _as_lists(x_train)


def test_reuters_arguments(reuters_file, home):
    (x_train, _), (x_test, _) = reuters.load_data(test_split=0.5, seed=3)
    assert len(x_train) == len(x_test) == 10
    (a, _), _ = reuters.load_data(seed=3)
    (b, _), _ = reuters.load_data(seed=3)
    assert _as_lists(a) == _as_lists(b)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(maxlen=3, num_words=1000)
    kept = [x for x in REUTERS_X if len(x) + 1 < 3]
    assert len(x_train) + len(x_test) == len(kept) == 5
    assert all(len(seq) < 3 for seq in [*x_train, *x_test])
    assert len(y_train) == len(x_train) and len(y_test) == len(x_test)
    (x_train, _), (x_test, _) = reuters.load_data(num_words=10, skip_top=6, oov_char=None)
    assert all(6 <= w < 10 for seq in [*x_train, *x_test] for w in seq)
    (x_train, _), _ = reuters.load_data(test_split=0)
    assert len(x_train) == 20
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\).*got 1\.5"):
        reuters.load_data(test_split=1.5)
    with pytest.raises(ValueError, match=r"index_from must be an integer >= 0; got -3"):
        reuters.load_data(index_from=-3)


def test_reuters_label_names():
    names = reuters.get_label_names()
    assert len(names) == 46
    assert names[:4] == ("cocoa", "grain", "veg-oil", "earn") and names[-1] == "lead"
