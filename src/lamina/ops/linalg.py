"""lamina.ops.linalg: linear algebra on (batches of) matrices.

Matrix ops work on the last two axes and broadcast over the leading ones.
Integer inputs are computed in `floatx()`.
"""

from __future__ import annotations

from lamina.backend import engine as _engine

__all__ = ["cholesky", "det", "inv", "norm", "qr", "solve", "svd"]


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


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
