"""boston_housing and california_housing on small .npz files, served as file:// URLs."""

import numpy as np
import pytest

import lamina
from lamina.datasets import boston_housing, california_housing


def _serve(server, monkeypatch, module, name, x, y):
    np.savez(server.path(name), x=x, y=y)
    monkeypatch.setattr(module, "ORIGIN", server.url(name))
    monkeypatch.setattr(module, "SHA256", server.sha256(name))


@pytest.fixture
def boston(server, monkeypatch):
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(50, 13)), rng.uniform(10, 50, 50)
    _serve(server, monkeypatch, boston_housing, "boston_housing.npz", x, y)
    return x, y


def _expected(x, y, test_split, seed):
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    cut = int(len(x) * (1 - test_split))
    return (x[order][:cut], y[order][:cut]), (x[order][cut:], y[order][cut:])


def test_boston_housing_shuffles_and_splits(boston, server, home):
    x, y = boston
    (x_train, y_train), (x_test, y_test) = lamina.datasets.boston_housing.load_data()
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13)
    assert y_train.shape == (40,) and y_test.shape == (10,)
    assert x_train.dtype == np.float64 and y_train.dtype == np.float64
    (ex_train, ey_train), (ex_test, ey_test) = _expected(x, y, 0.2, 113)
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(x_test, ex_test)
    np.testing.assert_array_equal(y_test, ey_test)
    assert (home / "datasets" / "boston_housing.npz").exists()
    server.path("boston_housing.npz").unlink()  # the second call downloads nothing
    (x_again, _), _ = boston_housing.load_data()
    np.testing.assert_array_equal(x_again, x_train)


def test_boston_housing_seed_and_test_split(boston, home):
    x, y = boston
    (a, _), _ = boston_housing.load_data(seed=5, test_split=0.3)
    (b, _), (b_test, _) = boston_housing.load_data(seed=5, test_split=0.3)
    (c, _), _ = boston_housing.load_data(seed=6, test_split=0.3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (35, 13) and b_test.shape == (15, 13)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a, _expected(x, y, 0.3, 5)[0][0])
    (all_rows, _), (none, _) = boston_housing.load_data(test_split=0)
    assert all_rows.shape == (50, 13) and none.shape == (0, 13)
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\).*got 1"):
        boston_housing.load_data(test_split=1)
    with pytest.raises(TypeError, match=r"test_split must be a number.*got '0\.2' \(str\)"):
        boston_housing.load_data(test_split="0.2")


def test_a_housing_file_of_the_wrong_shape_is_named(server, home, monkeypatch):
    _serve(server, monkeypatch, boston_housing, "bad.npz", np.zeros((5, 8)), np.zeros(5))
    with pytest.raises(ValueError, match=r"bad\.npz is not an \.npz of x \(n, 13\).*\(5, 8\)"):
        boston_housing.load_data(path="bad.npz")


@pytest.fixture
def california(server, monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(700, 8)).astype(np.float32)
    y = rng.uniform(1e4, 5e5, 700).astype(np.float32)
    _serve(server, monkeypatch, california_housing, "california_housing.npz", x, y)
    return x, y


def test_california_housing_versions(california, home):
    x, y = california
    (x_train, y_train), (x_test, y_test) = lamina.datasets.california_housing.load_data()
    assert x_train.shape == (560, 8) and x_test.shape == (140, 8)
    assert x_train.dtype == np.float32 and y_test.dtype == np.float32
    (ex_train, ey_train), _ = _expected(x, y, 0.2, 113)
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8)
    # The small version: the first 600 rows, then the shuffle.
    (ex_train, ey_train), (ex_test, _) = _expected(x[:600], y[:600], 0.2, 113)
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(x_test, ex_test)
    (x_train, _), _ = california_housing.load_data(version="small", test_split=0.5, seed=1)
    np.testing.assert_array_equal(x_train, _expected(x[:600], y[:600], 0.5, 1)[0][0])
    with pytest.raises(ValueError, match=r'version must be "large".*got version=\'tiny\''):
        california_housing.load_data(version="tiny")
