"""lamina.ops.linalg against NumPy, on the engine this process runs.

Inputs are well-conditioned float32 matrices; results agree with NumPy's
float64 to rtol/atol 1e-4 (LINALG), the error of float32 factorizations.
Decompositions are checked by reconstruction, since signs may differ.
"""

import numpy as np
import pytest

from lamina import ops

LINALG = {"rtol": 1e-4, "atol": 1e-4}

_rng = np.random.RandomState(0)
SQUARE = (_rng.randn(3, 3) + 3 * np.eye(3)).astype("float32")
BATCH = (_rng.randn(2, 4, 4) + 4 * np.eye(4)).astype("float32")
SPD = (BATCH @ BATCH.transpose(0, 2, 1)).astype("float32")
WIDE = _rng.randn(2, 3, 5).astype("float32")
TALL = _rng.randn(5, 3).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def _close(out, expected):
    out = _np(out)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out, expected, **LINALG)


@pytest.mark.parametrize("x", [SQUARE, BATCH], ids=["matrix", "batch"])
def test_inv(x):
    _close(ops.inv(x), np.linalg.inv(x.astype("float64")))


@pytest.mark.parametrize("x", [SQUARE, BATCH], ids=["matrix", "batch"])
def test_det(x):
    _close(ops.det(x), np.linalg.det(x.astype("float64")))


def test_cholesky():
    _close(ops.cholesky(SPD), np.linalg.cholesky(SPD.astype("float64")))


@pytest.mark.parametrize(
    "a, b",
    [(SQUARE, _rng.randn(3, 2)), (SQUARE, _rng.randn(3)), (BATCH, _rng.randn(2, 4, 3))],
    ids=["matrix rhs", "vector rhs", "batch"],
)
def test_solve(a, b):
    b = b.astype("float32")
    _close(ops.solve(a, b), np.linalg.solve(a.astype("float64"), b.astype("float64")))


def test_int_input_gives_float():
    assert ops.dtype(ops.det(np.array([[2, 0], [0, 3]], "int32"))) == "float32"


@pytest.mark.parametrize("mode", ["reduced", "complete"])
@pytest.mark.parametrize("x", [TALL, WIDE], ids=["tall", "wide batch"])
def test_qr(x, mode):
    q, r = ops.qr(x, mode=mode)
    q, r = _np(q), _np(r)
    ref_q, ref_r = np.linalg.qr(x.astype("float64"), mode=mode)
    assert q.shape == ref_q.shape and r.shape == ref_r.shape
    np.testing.assert_allclose(q @ r, x, **LINALG)
    np.testing.assert_allclose(np.abs(r), np.abs(ref_r), **LINALG)
    assert np.allclose(np.tril(r, -1), 0)


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("x", [TALL, WIDE], ids=["tall", "wide batch"])
def test_svd(x, full_matrices):
    u, s, vh = (_np(t) for t in ops.svd(x, full_matrices=full_matrices))
    ref_u, ref_s, ref_vh = np.linalg.svd(x.astype("float64"), full_matrices=full_matrices)
    assert (u.shape, s.shape, vh.shape) == (ref_u.shape, ref_s.shape, ref_vh.shape)
    np.testing.assert_allclose(s, ref_s, **LINALG)
    k = s.shape[-1]
    rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(rebuilt, x, **LINALG)


def test_svd_values_only():
    _close(
        ops.svd(WIDE, compute_uv=False), np.linalg.svd(WIDE.astype("float64"), compute_uv=False)
    )


VECTOR = _rng.randn(2, 3, 4).astype("float32")
NORMS = [
    (None, None),
    (None, -1),
    (2, 1),
    (1, -1),
    (np.inf, 0),
    (-np.inf, -1),
    (0, -1),
    (3, -1),
    ("fro", (1, 2)),
    ("nuc", (1, 2)),
    (2, (1, 2)),
    (-2, (2, 1)),
    (1, (1, 2)),
    (-1, (1, 2)),
    (np.inf, (1, 2)),
    (-np.inf, (0, 2)),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("ord, axis", NORMS, ids=str)
def test_norm(ord, axis, keepdims):
    expected = np.linalg.norm(VECTOR.astype("float64"), ord=ord, axis=axis, keepdims=keepdims)
    _close(ops.norm(VECTOR, ord=ord, axis=axis, keepdims=keepdims), expected)


@pytest.mark.parametrize("ord", [None, 1, np.inf, "fro", "nuc"], ids=str)
def test_norm_of_a_matrix_without_axis(ord):
    _close(ops.norm(SQUARE, ord=ord), np.linalg.norm(SQUARE.astype("float64"), ord=ord))


# --------------------------------------------------------------------------- shape rules

SHAPES = [
    ("inv", lambda: ops.inv(BATCH), (2, 4, 4)),
    ("det", lambda: ops.det(BATCH), (2,)),
    ("solve", lambda: ops.solve(BATCH, np.ones((2, 4), "float32")), (2, 4)),
    ("qr reduced q", lambda: ops.qr(TALL)[0], (5, 3)),
    ("qr complete q", lambda: ops.qr(TALL, "complete")[0], (5, 5)),
    ("qr reduced r", lambda: ops.qr(WIDE)[1], (2, 3, 5)),
    ("svd u", lambda: ops.svd(WIDE)[0], (2, 3, 3)),
    ("svd vh", lambda: ops.svd(WIDE)[2], (2, 5, 5)),
    ("svd reduced vh", lambda: ops.svd(WIDE, full_matrices=False)[2], (2, 3, 5)),
    ("norm", lambda: ops.norm(VECTOR, axis=(0, 2), keepdims=True), (1, 3, 1)),
    ("norm flat keepdims", lambda: ops.norm(VECTOR, keepdims=True), (1, 1, 1)),
]


@pytest.mark.parametrize("_, fn, shape", SHAPES, ids=[s[0] for s in SHAPES])
def test_shape_rule(_, fn, shape):
    assert ops.shape(fn()) == shape
