"""The linalg ops beyond the core set (eigh, pinv, matrix_rank, lstsq,
solve_triangular, cholesky_inverse) against NumPy and SciPy, against Keras 3
on the same engine, and gradients.

Tolerances: float32 results of small well-conditioned matrices agree with
NumPy's float64 to 1e-4 (MAT); ranks are exact.
"""

import numpy as np
import pytest
import scipy.linalg

from lamina import backend, ops
from lamina.testing.layer_test import keras_module

MAT = {"rtol": 1e-4, "atol": 1e-4}
ENGINE = backend.backend()

_rng = np.random.RandomState(9)
_a = _rng.randn(2, 4, 4)
SPD = (_a @ np.swapaxes(_a, -1, -2) + 4 * np.eye(4)).astype("float32")
TALL = _rng.randn(6, 3).astype("float32")
LOWER = (np.tril(_rng.randn(2, 4, 4)) + 3 * np.eye(4)).astype("float32")
RHS = _rng.randn(2, 4, 2).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def test_eigh():
    w, v = ops.eigh(SPD)
    w, v = _np(w), _np(v)
    np.testing.assert_allclose(w, np.linalg.eigh(SPD.astype("float64"))[0], **MAT)
    assert np.all(np.diff(w, axis=-1) > 0)
    # Columns are eigenvectors (their signs are the engine's choice).
    np.testing.assert_allclose(SPD @ v, v * w[..., None, :], **MAT)
    np.testing.assert_allclose(
        np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(4), v.shape), **MAT
    )


def test_pinv():
    np.testing.assert_allclose(_np(ops.pinv(TALL)), np.linalg.pinv(TALL.astype("float64")), **MAT)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], "float32")
    np.testing.assert_allclose(
        _np(ops.pinv(singular)), np.linalg.pinv(singular.astype("float64")), **MAT
    )
    batch = np.stack([TALL, 2 * TALL])
    np.testing.assert_allclose(
        _np(ops.pinv(batch)), np.linalg.pinv(batch.astype("float64")), **MAT
    )


def test_matrix_rank():
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]], "float32")
    assert int(_np(ops.matrix_rank(singular))) == 2
    assert ops.dtype(ops.matrix_rank(singular)) == "int32"
    np.testing.assert_array_equal(
        _np(ops.matrix_rank(np.stack([SPD[0], np.zeros((4, 4), "float32")]))), [4, 0]
    )
    tol = float(np.linalg.svd(singular, compute_uv=False)[1]) + 0.01
    assert int(_np(ops.matrix_rank(singular, tol=tol))) == 1


@pytest.mark.parametrize("columns", [None, 2])
def test_lstsq(columns):
    b = (
        _rng.randn(6).astype("float32")
        if columns is None
        else _rng.randn(6, columns).astype("float32")
    )
    expected = np.linalg.lstsq(TALL.astype("float64"), b.astype("float64"), rcond=None)[0]
    np.testing.assert_allclose(_np(ops.lstsq(TALL, b)), expected, **MAT)
    with pytest.raises(ValueError, match="rows"):
        ops.lstsq(TALL, b[:4])


@pytest.mark.parametrize("lower", [True, False])
def test_solve_triangular(lower):
    a = LOWER if lower else np.swapaxes(LOWER, -1, -2)
    # The other triangle is never read.
    noisy = a + (np.triu(np.ones((4, 4)), 1) if lower else np.tril(np.ones((4, 4)), -1)).astype(
        "float32"
    )
    expected = np.stack(
        [scipy.linalg.solve_triangular(a[i], RHS[i], lower=lower) for i in range(2)]
    )
    np.testing.assert_allclose(_np(ops.solve_triangular(noisy, RHS, lower=lower)), expected, **MAT)
    vector = ops.solve_triangular(noisy, RHS[..., 0], lower=lower)
    np.testing.assert_allclose(_np(vector), expected[..., 0], **MAT)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse(upper):
    factor = np.linalg.cholesky(SPD.astype("float64"))
    if upper:
        factor = np.swapaxes(factor, -1, -2)
    out = ops.cholesky_inverse(factor.astype("float32"), upper=upper)
    np.testing.assert_allclose(_np(out), np.linalg.inv(SPD.astype("float64")), **MAT)


def test_errors():
    with pytest.raises(ValueError, match="square"):
        ops.solve_triangular(TALL, TALL)
    with pytest.raises(ValueError, match="matrices"):
        ops.pinv(np.ones(3, "float32"))


# --------------------------------------------------------------------------- gradients


def _grad(fn, x):
    grad_fn = ops.value_and_grad(lambda params: ops.sum(fn(params[0])))
    return _np(grad_fn([ops.convert_to_tensor(x)])[1][0])


def test_gradients():
    # d sum(pinv(a) * w) / da against finite differences, in float64 arithmetic.
    a = TALL[:3, :2].astype("float64")
    weights = _rng.randn(2, 3)

    def reference(m):
        return np.sum(np.linalg.pinv(m) * weights)

    expected = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += 1e-4
        down[idx] -= 1e-4
        expected[idx] = (reference(up) - reference(down)) / 2e-4
    grad = _grad(
        lambda m: ops.multiply(ops.pinv(m), weights.astype("float32")), a.astype("float32")
    )
    np.testing.assert_allclose(grad, expected, rtol=1e-3, atol=1e-3)
    # d sum(eigenvalues) / da is the identity for a symmetric a (the trace).
    grad = _grad(lambda m: ops.eigh(m)[0], SPD[0])
    np.testing.assert_allclose((grad + grad.T) / 2, np.eye(4), rtol=1e-3, atol=1e-3)


# --------------------------------------------------------------------------- against Keras 3


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


def test_matches_keras(keras):
    k = keras.ops
    b = _rng.randn(6, 2).astype("float32")
    cases = [
        (ops.pinv(TALL), k.pinv(TALL)),
        (ops.lstsq(TALL, b), k.lstsq(TALL, b)),
        (ops.matrix_rank(SPD), k.matrix_rank(SPD)),
        (ops.solve_triangular(LOWER, RHS, lower=True), k.solve_triangular(LOWER, RHS, lower=True)),
        (ops.cholesky_inverse(LOWER[0]), k.cholesky_inverse(LOWER[0])),
        (ops.eigh(SPD)[0], k.eigh(SPD)[0]),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(_np(ours), k.convert_to_numpy(theirs), **MAT)


# --------------------------------------------------------------------------- shape rules


def test_shapes():
    assert tuple(ops.shape(ops.pinv(np.zeros((3, 5, 2), "float32")))) == (3, 2, 5)
    assert tuple(ops.shape(ops.matrix_rank(np.zeros((3, 5, 2), "float32")))) == (3,)
    assert tuple(ops.shape(ops.lstsq(np.eye(4, 3, dtype="float32"), np.zeros((4, 5))))) == (3, 5)
    w, v = ops.eigh(np.broadcast_to(np.eye(3, dtype="float32"), (2, 3, 3)))
    assert (tuple(ops.shape(w)), tuple(ops.shape(v))) == ((2, 3), (2, 3, 3))
