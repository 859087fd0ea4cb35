"""linalg functions of the backend contract on pytensor.

Concrete inputs go to numpy.linalg; symbolic ones to pytensor.tensor.linalg,
which differentiates them.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor.linalg as ptl

from lamina import config
from lamina.backend.pytensor.core import _eager, _is_symbolic, cast, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    dtype = x.dtype if _is_symbolic(x) else x.dtype.name
    return x if dtype.startswith("float") else cast(x, config.floatx())


def _same_dtype(out, like):
    dtype = like.dtype if _is_symbolic(like) else like.dtype.name
    if _is_symbolic(out):
        return out if out.dtype == dtype else out.astype(dtype)
    return _eager(np.asarray(out).astype(dtype, copy=False))


def inv(x):
    x = _float(x)
    return ptl.inv(x) if _is_symbolic(x) else _same_dtype(np.linalg.inv(x), x)


def solve(a, b):
    a, b = _float(a), _float(b)
    # NumPy takes a right-hand side with one dim less than `a` as a vector.
    vector = b.ndim == a.ndim - 1
    if not (_is_symbolic(a) or _is_symbolic(b)):
        rhs = np.asarray(b)[..., None] if vector else np.asarray(b)
        out = np.linalg.solve(np.asarray(a), rhs)
        return _same_dtype(out[..., 0] if vector else out, a)
    return _same_dtype(ptl.solve(a, b, b_ndim=1 if vector else 2), a)


def cholesky(x):
    x = _float(x)
    return ptl.cholesky(x) if _is_symbolic(x) else _same_dtype(np.linalg.cholesky(x), x)


def det(x):
    x = _float(x)
    return ptl.det(x) if _is_symbolic(x) else _same_dtype(np.linalg.det(x), x)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr mode must be 'reduced' or 'complete'; got {mode!r}.")
    x = _float(x)
    if _is_symbolic(x):
        q, r = ptl.qr(x, mode="economic" if mode == "reduced" else "full")
        return q, r
    q, r = np.linalg.qr(x, mode=mode)
    return _same_dtype(q, x), _same_dtype(r, x)


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if _is_symbolic(x):
        if not compute_uv:
            return ptl.svd(x, full_matrices=full_matrices, compute_uv=False)
        u, s, vh = ptl.svd(x, full_matrices=full_matrices)
        return u, s, vh
    if not compute_uv:
        return _same_dtype(np.linalg.svd(x, compute_uv=False), x)
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return _same_dtype(u, x), _same_dtype(s, x), _same_dtype(vh, x)


def norm(x, ord=None, axis=None, keepdims=False):
    x = _float(x)
    if _is_symbolic(x):
        return ptl.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    out = np.linalg.norm(np.asarray(x), ord=ord, axis=axis, keepdims=keepdims)
    return _same_dtype(out, x)


def eigh(x):
    x = _float(x)
    if _is_symbolic(x):
        w, v = ptl.eigh(x)
        return w, v
    w, v = np.linalg.eigh(np.asarray(x))
    return _same_dtype(w, x), _same_dtype(v, x)
