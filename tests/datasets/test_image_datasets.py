"""fashion_mnist, cifar10 and cifar100 on small files in their exact formats, served as file:// URLs."""

import gzip
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest

import lamina
from lamina.datasets import cifar10, cifar100, fashion_mnist

# ---------------------------------------------------------------- Fashion-MNIST


def _idx_gz(path, array: np.ndarray) -> None:
    magic = 2049 if array.ndim == 1 else 2051
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fashion(server, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 7, dtype=np.uint8),
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 3, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
    }
    for name, array in arrays.items():
        _idx_gz(server.path(name), array)
    monkeypatch.setattr(fashion_mnist, "ORIGIN_FOLDER", server.url())
    return arrays


def test_fashion_mnist_reads_the_idx_files_into_its_own_cache_folder(fashion, server, home):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.fashion_mnist.load_data()
    assert x_train.shape == (7, 28, 28) and x_test.shape == (3, 28, 28)
    assert y_train.shape == (7,) and y_test.shape == (3,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(x_train, fashion["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, fashion["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, fashion["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, fashion["t10k-labels-idx1-ubyte.gz"])
    x_train[0, 0, 0] = 1  # writable, like arrays read from .npz files
    cached = sorted(os.listdir(home / "datasets" / "fashion-mnist"))
    assert cached == sorted(fashion_mnist.FILES)
    for name in fashion_mnist.FILES:  # the second call downloads nothing
        server.path(name).unlink()
    (x_again, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_again, fashion["train-images-idx3-ubyte.gz"])


def test_fashion_mnist_names_a_damaged_file(fashion, server, home):
    path = server.path("t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">4I", 2051, 3, 28, 28) + b"\0" * 100)  # cut short
    with pytest.raises(
        ValueError, match=r"t10k-images-idx3-ubyte\.gz is not a gzipped IDX.*Delete"
    ):
        fashion_mnist.load_data()
    path.write_bytes(b"not gzip at all")
    (home / "datasets" / "fashion-mnist" / path.name).unlink()
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz is not a gzipped IDX"):
        fashion_mnist.load_data()
    _idx_gz(path, np.zeros((4, 28, 28), np.uint8))  # 4 images for 3 labels
    (home / "datasets" / "fashion-mnist" / path.name).unlink()
    with pytest.raises(ValueError, match=r"holds 4 images for 3 labels"):
        fashion_mnist.load_data()


# ---------------------------------------------------------------- CIFAR


class _Python2Pickler(pickle._Pickler):
    """Writes pickles as Python 2 did, as in the CIFAR files: strings are 8-bit strings."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_8bit(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("latin-1")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = _save_8bit
    dispatch[str] = _save_8bit


def _python2_pickle(obj) -> bytes:
    out = io.BytesIO()
    _Python2Pickler(out, protocol=2).dump(obj)
    # NumPy 1, which wrote the files, names its module numpy.core.
    return out.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def _tar_gz(path, members: dict) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _images(rng, n):
    return rng.integers(0, 256, (n, 3072), dtype=np.uint8)


@pytest.fixture
def cifar10_data(server, monkeypatch):
    rng = np.random.default_rng(1)
    batches = {}
    for name, n in [*((f"data_batch_{i}", 2) for i in range(1, 6)), ("test_batch", 3)]:
        batches[name] = {
            "batch_label": f"{name} of 5",
            "labels": rng.integers(0, 10, n).tolist(),
            "data": _images(rng, n),
            "filenames": [f"image_{i}.png" for i in range(n)],
        }
    members = {
        f"cifar-10-batches-py/{name}": _python2_pickle(batch) for name, batch in batches.items()
    }
    members["cifar-10-batches-py/batches.meta"] = _python2_pickle({"num_cases_per_batch": 2})
    _tar_gz(server.path("cifar-10-python.tar.gz"), members)
    monkeypatch.setattr(cifar10, "ORIGIN", server.url("cifar-10-python.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", server.sha256("cifar-10-python.tar.gz"))
    return batches


@pytest.fixture
def channels_first():
    lamina.config.set_image_data_format("channels_first")
    yield
    lamina.config.set_image_data_format("channels_last")


def _expected_images(rows: np.ndarray, data_format: str) -> np.ndarray:
    images = rows.reshape(-1, 3, 32, 32)
    return images.transpose(0, 2, 3, 1) if data_format == "channels_last" else images


def test_cifar10_reads_the_python2_batches_channels_last(cifar10_data, server, home):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    rows = np.concatenate([cifar10_data[f"data_batch_{i}"]["data"] for i in range(1, 6)])
    labels = sum((cifar10_data[f"data_batch_{i}"]["labels"] for i in range(1, 6)), [])
    np.testing.assert_array_equal(x_train, _expected_images(rows, "channels_last"))
    np.testing.assert_array_equal(y_train[:, 0], labels)
    np.testing.assert_array_equal(
        x_test, _expected_images(cifar10_data["test_batch"]["data"], "channels_last")
    )
    np.testing.assert_array_equal(y_test[:, 0], cifar10_data["test_batch"]["labels"])
    # A pixel: row i holds the red plane, then green, then blue, each 32x32 row-major.
    assert x_train[3, 5, 7, 2] == rows[3, 2 * 1024 + 5 * 32 + 7]
    cache = home / "datasets"
    assert (cache / "cifar-10-batches-py-target").is_file()  # the archive
    assert (cache / "cifar-10-batches-py-target_extracted" / "cifar-10-batches-py").is_dir()
    server.path("cifar-10-python.tar.gz").unlink()  # the second call downloads nothing
    (x_again, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(x_again, x_train)


def test_cifar10_follows_channels_first(cifar10_data, home, channels_first):
    (x_train, _), (x_test, _) = cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32) and x_test.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(
        x_test, _expected_images(cifar10_data["test_batch"]["data"], "channels_first")
    )


def test_cifar10_names_a_damaged_batch(server, home, monkeypatch):
    good = _python2_pickle({"labels": [1], "data": np.zeros((1, 3072), np.uint8)})
    members = {f"cifar-10-batches-py/data_batch_{i}": good for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = good[: len(good) // 2]  # cut short
    _tar_gz(server.path("cifar.tar.gz"), members)
    monkeypatch.setattr(cifar10, "ORIGIN", server.url("cifar.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", server.sha256("cifar.tar.gz"))
    with pytest.raises(ValueError, match=r"test_batch is not a pickled CIFAR batch.*Delete it"):
        cifar10.load_data()


def test_cifar_batches_never_run_code(server, home, monkeypatch):
    class Gadget:
        def __reduce__(self):
            return (os.getcwd, ())

    evil = pickle.dumps({b"labels": [1], b"data": Gadget()}, protocol=3)
    members = {f"cifar-10-batches-py/data_batch_{i}": evil for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = evil
    _tar_gz(server.path("evil.tar.gz"), members)
    monkeypatch.setattr(cifar10, "ORIGIN", server.url("evil.tar.gz"))
    monkeypatch.setattr(cifar10, "SHA256", server.sha256("evil.tar.gz"))
    with pytest.raises(ValueError, match=r"asks to load posix\.getcwd.*lamina refuses it"):
        cifar10.load_data()


def test_a_wrong_hash_keeps_no_cifar_archive(cifar10_data, home, monkeypatch):
    monkeypatch.setattr(cifar10, "SHA256", "0" * 64)
    with pytest.raises(ValueError, match=r"not the expected 0{64}"):
        cifar10.load_data()
    assert not (home / "datasets" / "cifar-10-batches-py-target").exists()


@pytest.fixture
def cifar100_data(server, monkeypatch):
    rng = np.random.default_rng(2)
    batches = {}
    for name, n in (("train", 6), ("test", 4)):
        batches[name] = {
            "filenames": [f"image_{i}.png" for i in range(n)],
            "batch_label": f"{name} batch",
            "fine_labels": rng.integers(0, 100, n).tolist(),
            "coarse_labels": rng.integers(0, 20, n).tolist(),
            "data": _images(rng, n),
        }
    members = {f"cifar-100-python/{k}": _python2_pickle(v) for k, v in batches.items()}
    members["cifar-100-python/meta"] = _python2_pickle({"fine_label_names": ["apple"]})
    _tar_gz(server.path("cifar-100-python.tar.gz"), members)
    monkeypatch.setattr(cifar100, "ORIGIN", server.url("cifar-100-python.tar.gz"))
    monkeypatch.setattr(cifar100, "SHA256", server.sha256("cifar-100-python.tar.gz"))
    return batches


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_label_modes(cifar100_data, home, label_mode):
    (x_train, y_train), (x_test, y_test) = lamina.datasets.cifar100.load_data(label_mode)
    assert x_train.shape == (6, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
    assert x_train.dtype == np.uint8
    assert y_train.shape == (6, 1) and y_test.shape == (4, 1)
    assert y_train.dtype == np.int64  # the labels' own list type, as Keras 3 returns them
    key = f"{label_mode}_labels"
    np.testing.assert_array_equal(y_train[:, 0], cifar100_data["train"][key])
    np.testing.assert_array_equal(y_test[:, 0], cifar100_data["test"][key])
    np.testing.assert_array_equal(
        x_train, _expected_images(cifar100_data["train"]["data"], "channels_last")
    )
    assert (home / "datasets" / "cifar-100-python-target_extracted" / "cifar-100-python").is_dir()


def test_cifar100_channels_first_and_a_bad_label_mode(cifar100_data, home, channels_first):
    (x_train, _), _ = cifar100.load_data()
    assert x_train.shape == (6, 3, 32, 32)
    with pytest.raises(ValueError, match=r'label_mode must be "fine".*got label_mode=\'medium\''):
        cifar100.load_data(label_mode="medium")
