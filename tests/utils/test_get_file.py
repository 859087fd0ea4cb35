"""get_file and datasets.mnist on files the tests make (served as file:// URLs)."""

import hashlib
import io
import os
import pathlib
import tarfile
import zipfile

import numpy as np
import pytest

import lamina
from lamina.utils import get_file


def _url(path) -> str:
    return pathlib.Path(path).resolve().as_uri()


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "served" / "data.bin"
    path.parent.mkdir()
    path.write_bytes(b"lamina" * 1000)
    return path


def test_downloads_once_into_the_cache(tmp_path, source):
    cache = tmp_path / "cache"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    path = get_file(origin=_url(source), file_hash=digest, cache_dir=str(cache))
    assert path == str(cache / "datasets" / "data.bin")
    assert pathlib.Path(path).read_bytes() == source.read_bytes()
    source.write_bytes(b"changed")  # the cached copy is used from now on
    assert (
        pathlib.Path(get_file("data.bin", _url(source), cache_dir=str(cache))).read_bytes()[:6]
        == b"lamina"
    )
    md5 = hashlib.md5(b"lamina" * 1000).hexdigest()  # noqa: S324
    assert get_file("data.bin", _url(source), file_hash=md5, cache_dir=str(cache)) == path
    again = get_file("data.bin", _url(source), cache_dir=str(cache), force_download=True)
    assert pathlib.Path(again).read_bytes() == b"changed"


def test_the_default_cache_is_lamina_home(tmp_path, source, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    path = get_file(origin=_url(source))
    assert path == str(tmp_path / "home" / "datasets" / "data.bin")


def test_a_wrong_hash_keeps_nothing(tmp_path, source):
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match=r"sha256 hash [0-9a-f]{64}, not the expected 0{64}"):
        get_file(origin=_url(source), file_hash="0" * 64, cache_dir=str(cache))
    assert os.listdir(cache / "datasets") == []


def test_a_cached_file_with_another_hash_is_fetched_again(tmp_path, source):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    (cache / "datasets" / "data.bin").write_bytes(b"half a download")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    path = get_file(origin=_url(source), file_hash=digest, cache_dir=str(cache))
    assert pathlib.Path(path).read_bytes() == source.read_bytes()


def test_an_unreachable_origin_says_where_to_put_the_file(tmp_path):
    missing = _url(tmp_path / "nowhere.npz")
    with pytest.raises(OSError, match=r"could not download .*nowhere\.npz.*put the file at"):
        get_file(origin=missing, cache_dir=str(tmp_path / "cache"))
    assert os.listdir(tmp_path / "cache" / "datasets") == []
    with pytest.raises(ValueError, match="needs origin="):
        get_file("x.npz")


def _tar(path, members):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_extracts_tar_and_zip(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    _tar(served / "a.tar.gz", {"folder/one.txt": b"1", "two.txt": b"2"})
    with zipfile.ZipFile(served / "b.zip", "w") as archive:
        archive.writestr("three.txt", "3")
    cache = str(tmp_path / "cache")
    folder = get_file(origin=_url(served / "a.tar.gz"), extract=True, cache_dir=cache)
    assert folder.endswith("a.tar.gz_extracted")
    assert (pathlib.Path(folder) / "folder" / "one.txt").read_bytes() == b"1"
    folder = get_file(origin=_url(served / "b.zip"), extract=True, cache_dir=cache)
    assert (pathlib.Path(folder) / "three.txt").read_text() == "3"


def test_an_archive_reaching_outside_is_not_extracted(tmp_path):
    _tar(tmp_path / "evil.tar.gz", {"../escape.txt": b"x"})
    with pytest.raises(ValueError, match=r"holds '\.\./escape\.txt', a path outside"):
        get_file(
            origin=_url(tmp_path / "evil.tar.gz"), extract=True, cache_dir=str(tmp_path / "c")
        )
    assert not (tmp_path / "c" / "escape.txt").exists()


def test_mnist_load_data_reads_the_checked_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 6, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    served = tmp_path / "mnist.npz"
    np.savez(served, **arrays)
    from lamina.datasets import mnist

    monkeypatch.setattr(mnist, "ORIGIN", _url(served))
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(served.read_bytes()).hexdigest())
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    (x_train, y_train), (x_test, y_test) = lamina.datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert (tmp_path / "home" / "datasets" / "mnist.npz").exists()
    monkeypatch.setattr(mnist, "SHA256", "f" * 64)
    with pytest.raises(ValueError, match="not the expected f{64}"):
        lamina.datasets.mnist.load_data(path="other.npz")
