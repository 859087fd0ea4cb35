"""Serving test files as the datasets' downloads: file:// URLs and their hashes."""

import hashlib
import pathlib

import pytest


class Server:
    """A folder whose files the tests serve as file:// URLs."""

    def __init__(self, folder: pathlib.Path):
        self.folder = folder

    def path(self, name: str) -> pathlib.Path:
        return self.folder / name

    def url(self, name: str = "") -> str:
        url = self.folder.resolve().as_uri() + "/"
        return url + name

    def sha256(self, name: str) -> str:
        return hashlib.sha256(self.path(name).read_bytes()).hexdigest()

    def md5(self, name: str) -> str:
        return hashlib.md5(self.path(name).read_bytes()).hexdigest()  # noqa: S324


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty LAMINA_HOME: the datasets' cache is `home / "datasets"`."""
    folder = tmp_path / "home"
    monkeypatch.setenv("LAMINA_HOME", str(folder))
    return folder


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    return Server(folder)
