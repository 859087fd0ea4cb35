"""math functions of the backend contract on torch."""

from __future__ import annotations

import torch

from lamina.backend.torch.core import _floatx, convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(_floatx())


def _segment_index(data, segment_ids):
    index = segment_ids.to(device=data.device, dtype=torch.int64)
    return index.reshape(index.shape + (1,) * (data.ndim - 1)).expand(data.shape)


def segment_sum(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    out = torch.zeros((num_segments, *data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.scatter_add(0, _segment_index(data, segment_ids), data)


def segment_max(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    out = torch.zeros((num_segments, *data.shape[1:]), dtype=data.dtype, device=data.device)
    index = _segment_index(data, segment_ids)
    return out.scatter_reduce(0, index, data, reduce="amax", include_self=False)


def erfc(x):
    return torch.special.erfc(_float(x))


def erfinv(x):
    return torch.special.erfinv(_float(x))


def _complex(x):
    real = _float(x[0])
    return torch.complex(real, _float(x[1]).to(real.dtype))


def _parts(z):
    return z.real.contiguous(), z.imag.contiguous()


def fft(x):
    return _parts(torch.fft.fft(_complex(x)))


def fft2(x):
    return _parts(torch.fft.fft2(_complex(x)))


def ifft2(x):
    return _parts(torch.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    return _parts(torch.fft.rfft(_float(x), n=fft_length))


def irfft(x, fft_length=None):
    return torch.fft.irfft(_complex(x), n=fft_length)
