"""linalg functions of the backend contract on jax."""

from __future__ import annotations

import jax.numpy as jnp

from lamina import config
from lamina.backend.jax.core import _jax_dtype, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    if jnp.issubdtype(x.dtype, jnp.floating):
        return x
    return x.astype(_jax_dtype(config.floatx()))


def inv(x):
    return jnp.linalg.inv(_float(x))


def solve(a, b):
    a, b = _float(a), _float(b)
    # NumPy takes a right-hand side with one dim less than `a` as a vector.
    if b.ndim == a.ndim - 1:
        return jnp.linalg.solve(a, b[..., None])[..., 0]
    return jnp.linalg.solve(a, b)


def cholesky(x):
    return jnp.linalg.cholesky(_float(x))


def det(x):
    return jnp.linalg.det(_float(x))


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr mode must be 'reduced' or 'complete'; got {mode!r}.")
    q, r = jnp.linalg.qr(_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    x = _float(x)
    if not compute_uv:
        return jnp.linalg.svd(x, compute_uv=False)
    # A plain tuple, like every engine returns, not JAX's SVDResult.
    u, s, vh = jnp.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def norm(x, ord=None, axis=None, keepdims=False):
    return jnp.linalg.norm(_float(x), ord=ord, axis=axis, keepdims=keepdims)


def eigh(x):
    w, v = jnp.linalg.eigh(_float(x))
    return w, v
