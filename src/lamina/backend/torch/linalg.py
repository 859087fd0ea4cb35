"""linalg functions of the backend contract on torch."""

from __future__ import annotations

import torch

from lamina.backend.torch.core import _floatx, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(_floatx())


def inv(x):
    return torch.linalg.inv(_float(x))


def solve(a, b):
    a, b = _float(a), _float(b)
    # NumPy takes a right-hand side with one dim less than `a` as a vector.
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1)
    return torch.linalg.solve(a, b)


def cholesky(x):
    return torch.linalg.cholesky(_float(x))


def det(x):
    return torch.linalg.det(_float(x))


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr mode must be 'reduced' or 'complete'; got {mode!r}.")
    q, r = torch.linalg.qr(_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def norm(x, ord=None, axis=None, keepdims=False):
    x = _float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def eigh(x):
    w, v = torch.linalg.eigh(_float(x))
    return w, v
