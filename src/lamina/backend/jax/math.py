"""math functions of the backend contract on jax."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy import special as _special

from lamina import config
from lamina.backend.jax.core import _jax_dtype, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    if jnp.issubdtype(x.dtype, jnp.floating):
        return x
    return x.astype(_jax_dtype(config.floatx()))


def segment_sum(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    return jax.ops.segment_sum(data, segment_ids, num_segments=num_segments)


def segment_max(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    return jax.ops.segment_max(data, segment_ids, num_segments=num_segments)


def erfc(x):
    return _special.erfc(_float(x))


def erfinv(x):
    return _special.erfinv(_float(x))


def _complex(x):
    real, imag = _float(x[0]), _float(x[1])
    return jax.lax.complex(real, imag.astype(real.dtype))


def _parts(z, like):
    return jnp.real(z).astype(like.dtype), jnp.imag(z).astype(like.dtype)


def fft(x):
    z = _complex(x)
    return _parts(jnp.fft.fft(z), jnp.real(z))


def fft2(x):
    z = _complex(x)
    return _parts(jnp.fft.fft2(z), jnp.real(z))


def ifft2(x):
    z = _complex(x)
    return _parts(jnp.fft.ifft2(z), jnp.real(z))


def rfft(x, fft_length=None):
    x = _float(x)
    return _parts(jnp.fft.rfft(x, n=fft_length), x)


def irfft(x, fft_length=None):
    z = _complex(x)
    return jnp.fft.irfft(z, n=fft_length).astype(jnp.real(z).dtype)
