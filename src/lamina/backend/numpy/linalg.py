"""linalg functions of the backend contract on NumPy.

Gradients come from `autograd.numpy.linalg`; it has none for `qr`, whose
backward pass raises autograd's NotImplementedError.
"""

from __future__ import annotations

import autograd.numpy as anp

from lamina.backend.numpy.core import _cast_value, _floatx, _is_float, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if _is_float(x) else _cast_value(x, _floatx())


def inv(x):
    return anp.linalg.inv(_float(x))


def solve(a, b):
    a, b = _float(a), _float(b)
    # NumPy 2 takes b as a stack of matrices unless it is 1-D; a right-hand side
    # with one dim less than `a` is a (stack of) vector(s), as in the contract.
    if b.ndim == a.ndim - 1:
        return anp.linalg.solve(a, b[..., None])[..., 0]
    return anp.linalg.solve(a, b)


def cholesky(x):
    return anp.linalg.cholesky(_float(x))


def det(x):
    return anp.linalg.det(_float(x))


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr mode must be 'reduced' or 'complete'; got {mode!r}.")
    q, r = anp.linalg.qr(_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return anp.linalg.svd(x, compute_uv=False)
    u, s, vh = anp.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def norm(x, ord=None, axis=None, keepdims=False):
    return anp.linalg.norm(_float(x), ord=ord, axis=axis, keepdims=keepdims)


def eigh(x):
    w, v = anp.linalg.eigh(_float(x))
    return w, v
