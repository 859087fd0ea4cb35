"""math functions of the backend contract on NumPy.

Segment reductions are autograd primitives over `np.add.at` and
`np.maximum.at`: the gradient of a sum takes each row's segment gradient, that
of a max shares it among the rows that reach the maximum.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive

from lamina.backend.numpy.core import _cast_value, _floatx, _is_float, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if _is_float(x) else _cast_value(x, _floatx())


def _ids(segment_ids):
    return np.asarray(convert_to_tensor(segment_ids)).astype(np.int64)


@primitive
def _segment_sum(data, ids, num_segments):
    out = np.zeros((num_segments, *data.shape[1:]), data.dtype)
    np.add.at(out, ids, data)
    return out


@primitive
def _segment_max(data, ids, num_segments):
    if np.issubdtype(data.dtype, np.floating):
        lowest = -np.inf
    else:
        lowest = np.iinfo(data.dtype).min
    out = np.full((num_segments, *data.shape[1:]), lowest, data.dtype)
    np.maximum.at(out, ids, data)
    return out


def _max_vjp(ans, data, ids, num_segments):
    winners = (data == ans[ids]).astype(data.dtype)
    counts = _segment_sum(winners, ids, num_segments)
    return lambda g: (g / np.maximum(counts, 1))[ids] * winners


defvjp(_segment_sum, lambda ans, data, ids, num_segments: lambda g: g[ids])
defvjp(_segment_max, _max_vjp)


def segment_sum(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    return _segment_sum(convert_to_tensor(data), _ids(segment_ids), num_segments)


def segment_max(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    return _segment_max(convert_to_tensor(data), _ids(segment_ids), num_segments)


def erfc(x):
    x = _float(x)
    return _cast_value(_special().erfc(x), x.dtype)


def erfinv(x):
    x = _float(x)
    return _cast_value(_special().erfinv(x), x.dtype)


@primitive
def _same_dtype_gradient(x):
    """`x`, whose gradient is cast to x's dtype (autograd's FFT gradients are complex128)."""
    return x


defvjp(_same_dtype_gradient, lambda ans, x: lambda g: np.real(g).astype(x.dtype))


def _complex(x):
    real = _same_dtype_gradient(_float(x[0]))
    imag = _same_dtype_gradient(_cast_value(_float(x[1]), real.dtype))
    return real, real + 1j * imag


def _parts(z, like):
    return _cast_value(anp.real(z), like.dtype), _cast_value(anp.imag(z), like.dtype)


def fft(x):
    real, z = _complex(x)
    return _parts(anp.fft.fft(z), real)


def fft2(x):
    real, z = _complex(x)
    return _parts(anp.fft.fft2(z), real)


def ifft2(x):
    real, z = _complex(x)
    return _parts(anp.fft.ifft2(z), real)


def _fit_last(x, length):
    """`x` cut or padded with zeros to `length` along the last axis."""
    size = x.shape[-1]
    if size >= length:
        return x[..., :length]
    return anp.concatenate([x, anp.zeros((*x.shape[:-1], length - size), x.dtype)], axis=-1)


def rfft(x, fft_length=None):
    # The signal is fitted to fft_length here: autograd's rfft gradient assumes n = size.
    x = _same_dtype_gradient(_float(x))
    if fft_length is not None:
        x = _fit_last(x, fft_length)
    return _parts(anp.fft.rfft(x), x)


def irfft(x, fft_length=None):
    # The inverse of the full Hermitian spectrum: autograd has no irfft gradient for odd n.
    real, z = _complex(x)
    n = 2 * (z.shape[-1] - 1) if fft_length is None else fft_length
    z = _fit_last(z, n // 2 + 1)
    mirrored = anp.conj(z[..., 1 : n - n // 2][..., ::-1])
    full = anp.concatenate([z, mirrored], axis=-1)
    return _cast_value(anp.real(anp.fft.ifft(full)), real.dtype)


def _special():
    # SciPy only when asked for: importing it costs about a second, and the NumPy
    # engine does not otherwise need it.
    from autograd.scipy import special

    return special
