"""lamina.ops.linalg: linear algebra on (batches of) matrices.

Matrix ops work on the last two axes and broadcast over the leading ones.
Integer inputs are computed in `floatx()`.
"""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina.backend import engine as _engine
from lamina.ops import core as _core
from lamina.ops import numpy as _n

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eigh",
    "inv",
    "lstsq",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]


def inv(x):
    """The inverse of square matrices. Shape: `(..., n, n) -> (..., n, n)`."""
    return _engine.linalg.inv(x)


def solve(a, b):
    """Solve `a @ x = b` for `x`.

    Args:
        a: square matrices `(..., n, n)`.
        b: `(..., n, k)`, or `(..., n)` (one dim less than `a`) for vectors.

    Returns:
        `x`, with the shape of `b`.
    """
    return _engine.linalg.solve(a, b)


def cholesky(x):
    """The lower Cholesky factor of symmetric positive-definite matrices. Shape: unchanged."""
    return _engine.linalg.cholesky(x)


def det(x):
    """The determinant of square matrices. Shape: `(..., n, n) -> (...)`."""
    return _engine.linalg.det(x)


def qr(x, mode: str = "reduced"):
    """The QR decomposition `x = q @ r`.

    Args:
        x: matrices `(..., m, n)`.
        mode: "reduced" (`q` is `(..., m, k)`, `r` is `(..., k, n)`, `k = min(m, n)`)
            or "complete" (`q` is `(..., m, m)`, `r` is `(..., m, n)`).

    Returns:
        `(q, r)`; the signs of the columns of `q` may differ between engines.
    """
    return _engine.linalg.qr(x, mode=mode)


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """The singular value decomposition `x = u @ diag(s) @ vh`.

    Args:
        x: matrices `(..., m, n)`.
        full_matrices: `u` is `(..., m, m)` and `vh` `(..., n, n)`; otherwise
            `(..., m, k)` and `(..., k, n)` with `k = min(m, n)`.
        compute_uv: return only `s` when False.

    Returns:
        `(u, s, vh)` (or `s`), `s` of shape `(..., k)` in descending order.
    """
    return _engine.linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)


def norm(x, ord=None, axis=None, keepdims: bool = False):
    """Vector or matrix norm, as `numpy.linalg.norm`.

    Args:
        x: the tensor.
        ord: for vectors None (2), inf, -inf, 0 or any number; for matrices
            None or "fro", "nuc", 1, -1, 2, -2, inf, -inf.
        axis: an int (vector norm), a pair of ints (matrix norm), or None: the
            2-norm of the flattened `x` when `ord` is None, else the norm of a
            1-D or 2-D `x`.
        keepdims: keep the reduced axes with size 1.

    Returns:
        The norm. Shape: `x.shape` without `axis` (size 1 there with keepdims).
    """
    return _engine.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def eigh(x):
    """Eigenvalues and eigenvectors of symmetric (Hermitian) matrices.

    Only the lower triangle of `x` is read.

    Args:
        x: symmetric matrices `(..., n, n)`.

    Returns:
        `(w, v)`: the eigenvalues `(..., n)` in ascending order and the
        eigenvectors as the columns of `v` `(..., n, n)`, so that
        `x @ v = v * w[..., None, :]`. The signs of the columns may differ
        between engines.

    Example:
        >>> w, v = lamina.ops.eigh([[2.0, 0.0], [0.0, 1.0]])  # w = [1.0, 2.0]
    """
    return _engine.linalg.eigh(x)


def _float(x):
    x = _core.convert_to_tensor(x)
    if _core.dtype(x).startswith("float"):
        return x
    return _core.cast(x, _config.floatx())


def _check_matrices(x, name: str, square: bool = False):
    shape = tuple(_core.shape(x))
    if len(shape) < 2 or (square and shape[-1] != shape[-2]):
        kind = "square matrices (..., n, n)" if square else "matrices (..., m, n)"
        raise ValueError(f"{name} takes {kind}; got shape {shape}.")


def _eps(dtype: str) -> float:
    return float(np.finfo(dtype).eps) if dtype in ("float16", "float32", "float64") else 2.0**-7


def _swap(x):
    rank = len(_core.shape(x))
    return _n.moveaxis(x, rank - 1, rank - 2)


def pinv(x, rcond: float | None = None):
    """Moore-Penrose pseudo-inverse, from the singular value decomposition.

    Args:
        x: matrices `(..., m, n)`.
        rcond: singular values below `rcond * max(s)` count as zero; None
            means `max(m, n) * eps` of x's dtype, as NumPy.

    Returns:
        `(..., n, m)`.

    Example:
        >>> lamina.ops.pinv([[1.0, 0.0], [0.0, 0.0]])  # [[1.0, 0.0], [0.0, 0.0]]
    """
    x = _float(x)
    _check_matrices(x, "pinv")
    m, n = _core.shape(x)[-2:]
    if rcond is None:
        rcond = max(m, n) * _eps(_core.dtype(x))
    u, s, vh = svd(x, full_matrices=False)
    cutoff = _n.multiply(_n.max(s, axis=-1, keepdims=True), rcond)
    keep = _n.greater(s, cutoff)
    s_inv = _n.where(keep, _n.divide(1.0, _n.where(keep, s, 1.0)), 0.0)
    return _n.matmul(_swap(vh), _n.multiply(_n.expand_dims(s_inv, -1), _swap(u)))


def matrix_rank(x, tol: float | None = None):
    """The rank of matrices: the number of singular values above `tol`.

    Args:
        x: matrices `(..., m, n)`.
        tol: the threshold; None means `max(s) * max(m, n) * eps`, as NumPy.

    Returns:
        int32 ranks `(...)`.

    Example:
        >>> lamina.ops.matrix_rank([[1.0, 2.0], [2.0, 4.0]])  # 1
    """
    x = _float(x)
    _check_matrices(x, "matrix_rank")
    m, n = _core.shape(x)[-2:]
    s = svd(x, compute_uv=False)
    if tol is None:
        tol = _n.multiply(_n.max(s, axis=-1, keepdims=True), max(m, n) * _eps(_core.dtype(x)))
    return _core.cast(_n.sum(_core.cast(_n.greater(s, tol), "int32"), axis=-1), "int32")


def lstsq(a, b, rcond: float | None = None):
    """The least-squares solution `x` of `a @ x = b` (the minimum-norm one where
    `a` is rank-deficient).

    Args:
        a: a matrix `(m, n)`.
        b: `(m,)` or `(m, k)`.
        rcond: singular values of `a` below `rcond * max(s)` count as zero;
            None means `max(m, n) * eps`, as NumPy.

    Returns:
        `x`: `(n,)` or `(n, k)`.

    Example:
        >>> lamina.ops.lstsq([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [1.0, 2.0, 3.0])  # [1, 2]
    """
    a, b = _float(a), _float(b)
    if len(_core.shape(a)) != 2 or len(_core.shape(b)) not in (1, 2):
        raise ValueError(
            f"lstsq takes a matrix a (m, n) and b (m,) or (m, k); got shapes "
            f"{tuple(_core.shape(a))} and {tuple(_core.shape(b))}."
        )
    if _core.shape(a)[0] != _core.shape(b)[0]:
        raise ValueError(
            f"lstsq: a and b must have the same number of rows; got {_core.shape(a)[0]} "
            f"and {_core.shape(b)[0]}."
        )
    vector = len(_core.shape(b)) == 1
    if vector:
        b = _n.expand_dims(b, -1)
    out = _n.matmul(pinv(a, rcond), _core.cast(b, _core.dtype(a)))
    return out[:, 0] if vector else out


def solve_triangular(a, b, lower: bool = False):
    """Solve `a @ x = b` for triangular `a`.

    Only the triangle that `lower` names is read; the other one is taken as
    zeros.

    Args:
        a: triangular matrices `(..., n, n)`.
        b: `(..., n, k)`, or `(..., n)` (one dim less than `a`) for vectors.
        lower: whether `a` is lower (True) or upper (False) triangular.

    Returns:
        `x`, with the shape of `b`.

    Example:
        >>> lamina.ops.solve_triangular([[2.0, 0.0], [1.0, 1.0]], [2.0, 3.0], lower=True)  # [1, 2]
    """
    a = _float(a)
    _check_matrices(a, "solve_triangular", square=True)
    n = _core.shape(a)[-1]
    rows, cols = np.indices((n, n))
    mask = (rows >= cols) if lower else (rows <= cols)
    a = _n.multiply(a, _core.convert_to_tensor(mask.astype(_core.dtype(a))))
    return solve(a, _core.cast(b, _core.dtype(a)))


def cholesky_inverse(x, upper: bool = False):
    """The inverse of `A` from its Cholesky factor `x`.

    Args:
        x: the factors `(..., n, n)`: lower `L` with `A = L @ L.T`, or upper
            `U` with `A = U.T @ U` when `upper`.
        upper: whether `x` is the upper factor.

    Returns:
        `inv(A)`, `(..., n, n)`.

    Example:
        >>> lamina.ops.cholesky_inverse([[2.0, 0.0], [0.0, 1.0]])  # [[0.25, 0], [0, 1.0]]
    """
    x = _float(x)
    _check_matrices(x, "cholesky_inverse", square=True)
    n = _core.shape(x)[-1]
    identity = _n.broadcast_to(_n.eye(n, dtype=_core.dtype(x)), _core.shape(x))
    factor_inv = solve_triangular(x, identity, lower=not upper)
    if upper:
        return _n.matmul(factor_inv, _swap(factor_inv))
    return _n.matmul(_swap(factor_inv), factor_inv)


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
