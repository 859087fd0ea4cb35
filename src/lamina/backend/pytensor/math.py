"""math functions of the backend contract on pytensor.

Concrete inputs go to NumPy and SciPy. Symbolic ones are built from PyTensor
ops that differentiate: segment sums with `inc_subtensor`, segment maxima as
a masked maximum, and Fourier transforms as products with cosine and sine
matrices (PyTensor's FFT ops have no complex transforms).
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt
import scipy.special

from lamina import config
from lamina.backend.pytensor.core import (
    _any_symbolic,
    _eager,
    _is_symbolic,
    cast,
    convert_to_tensor,
)


def _dtype(x) -> str:
    return x.dtype if _is_symbolic(x) else x.dtype.name


def _float(x):
    x = convert_to_tensor(x)
    return x if _dtype(x).startswith("float") else cast(x, config.floatx())


def _lowest(dtype: str):
    return -np.inf if dtype.startswith("float") else np.iinfo(dtype).min


def segment_sum(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if not _any_symbolic(data, ids):
        out = np.zeros((num_segments, *data.shape[1:]), data.dtype)
        np.add.at(out, np.asarray(ids).astype(np.int64), np.asarray(data))
        return _eager(out)
    data, ids = pt.as_tensor(data), pt.as_tensor(ids)
    out = pt.zeros((num_segments, *[data.shape[i] for i in range(1, data.ndim)]), data.dtype)
    return pt.inc_subtensor(out[ids], data)


def segment_max(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    lowest = _lowest(_dtype(data))
    if not _any_symbolic(data, ids):
        out = np.full((num_segments, *data.shape[1:]), lowest, data.dtype)
        np.maximum.at(out, np.asarray(ids).astype(np.int64), np.asarray(data))
        return _eager(out)
    data, ids = pt.as_tensor(data), pt.as_tensor(ids)
    member = pt.eq(pt.arange(num_segments)[:, None], ids[None, :])  # (segments, rows)
    member = member.reshape((num_segments, ids.shape[0], *([1] * (data.ndim - 1))))
    filled = pt.switch(member, data[None], np.asarray(lowest, _dtype(data)))
    return pt.max(filled, axis=1)


def erfc(x):
    x = _float(x)
    if _is_symbolic(x):
        return pt.erfc(x)
    return _eager(scipy.special.erfc(x).astype(x.dtype))


def erfinv(x):
    x = _float(x)
    if _is_symbolic(x):
        return pt.erfinv(x)
    return _eager(scipy.special.erfinv(x).astype(x.dtype))


# --------------------------------------------------------------------------- Fourier transforms


def _pair(x):
    real = _float(x[0])
    return real, cast(_float(x[1]), _dtype(real))


def _np_complex(real, imag):
    return np.asarray(real) + 1j * np.asarray(imag)


def _eager_parts(z, dtype):
    return _eager(np.real(z).astype(dtype)), _eager(np.imag(z).astype(dtype))


def _dft_matrices(n: int, m: int, dtype: str, inverse: bool = False):
    """cos and sin of `2 pi j k / n` for j < n, k < m."""
    angles = 2 * np.pi * np.outer(np.arange(n), np.arange(m)) / n
    sign = 1.0 if inverse else -1.0
    return np.cos(angles).astype(dtype), (sign * np.sin(angles)).astype(dtype)


def _dft_last(real, imag, inverse: bool = False):
    """The DFT (or unscaled inverse DFT) of `real + i imag` along the last axis."""
    n = int(real.type.shape[-1])
    cos, sin = _dft_matrices(n, n, real.dtype, inverse)
    return pt.dot(real, cos) - pt.dot(imag, sin), pt.dot(real, sin) + pt.dot(imag, cos)


def _static_last(x, name):
    if x.type.shape[-1] is None:
        raise ValueError(
            f"{name} on the PyTensor engine needs the transformed axes' sizes while tracing; "
            "give the input a fully known shape."
        )


def fft(x):
    real, imag = _pair(x)
    if not _any_symbolic(real, imag):
        return _eager_parts(np.fft.fft(_np_complex(real, imag)), real.dtype)
    real, imag = pt.as_tensor(real), pt.as_tensor(imag)
    _static_last(real, "fft")
    return _dft_last(real, imag)


def _dft2(real, imag, inverse: bool):
    real, imag = _dft_last(real, imag, inverse)
    real, imag = _dft_last(pt.swapaxes(real, -1, -2), pt.swapaxes(imag, -1, -2), inverse)
    return pt.swapaxes(real, -1, -2), pt.swapaxes(imag, -1, -2)


def fft2(x):
    real, imag = _pair(x)
    if not _any_symbolic(real, imag):
        return _eager_parts(np.fft.fft2(_np_complex(real, imag)), real.dtype)
    real, imag = pt.as_tensor(real), pt.as_tensor(imag)
    _static_last(real, "fft2")
    _static_last(pt.swapaxes(real, -1, -2), "fft2")
    return _dft2(real, imag, inverse=False)


def ifft2(x):
    real, imag = _pair(x)
    if not _any_symbolic(real, imag):
        return _eager_parts(np.fft.ifft2(_np_complex(real, imag)), real.dtype)
    real, imag = pt.as_tensor(real), pt.as_tensor(imag)
    _static_last(real, "ifft2")
    _static_last(pt.swapaxes(real, -1, -2), "ifft2")
    size = int(real.type.shape[-1]) * int(real.type.shape[-2])
    out_real, out_imag = _dft2(real, imag, inverse=True)
    return out_real / size, out_imag / size


def rfft(x, fft_length=None):
    x = _float(x)
    if not _is_symbolic(x):
        return _eager_parts(np.fft.rfft(x, n=fft_length), x.dtype)
    _static_last(x, "rfft")
    n = int(x.type.shape[-1])
    length = n if fft_length is None else fft_length
    used = min(n, length)
    # Samples past fft_length are cut, missing ones are zeros: only the first `used` count.
    cos, sin = _dft_matrices(length, length // 2 + 1, x.dtype)
    x = x[..., :used]
    return pt.dot(x, cos[:used]), pt.dot(x, sin[:used])


def irfft(x, fft_length=None):
    real, imag = _pair(x)
    if not _any_symbolic(real, imag):
        return _eager(np.fft.irfft(_np_complex(real, imag), n=fft_length).astype(real.dtype))
    real, imag = pt.as_tensor(real), pt.as_tensor(imag)
    _static_last(real, "irfft")
    m = int(real.type.shape[-1])
    length = 2 * (m - 1) if fft_length is None else fft_length
    bins = length // 2 + 1
    used = min(m, bins)
    # x[t] = sum_k w_k (R_k cos(2 pi k t / L) - I_k sin(2 pi k t / L)) / L, with w_k = 2
    # for the bins that stand for a conjugate pair and 1 for the zero and Nyquist bins.
    angles = 2 * np.pi * np.outer(np.arange(bins), np.arange(length)) / length
    weights = np.full((bins, 1), 2.0)
    weights[0] = 1.0
    if length % 2 == 0:
        weights[-1] = 1.0
    cos = (weights * np.cos(angles) / length).astype(real.dtype)[:used]
    sin = (weights * np.sin(angles) / length).astype(real.dtype)[:used]
    return pt.dot(real[..., :used], cos) - pt.dot(imag[..., :used], sin)
