"""math functions of the backend contract on tensorflow."""

from __future__ import annotations

import tensorflow as tf

from lamina import config
from lamina.backend.tensorflow.core import convert_to_tensor


def _float(x):
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, config.floatx())


def segment_sum(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    return tf.math.unsorted_segment_sum(data, segment_ids, num_segments)


def segment_max(data, segment_ids, num_segments, sorted=False):  # noqa: A002
    data, segment_ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    return tf.math.unsorted_segment_max(data, segment_ids, num_segments)


def erfc(x):
    return tf.math.erfc(_float(x))


def erfinv(x):
    return tf.math.erfinv(_float(x))


def _complex(x):
    real = _float(x[0])
    return tf.complex(real, tf.cast(_float(x[1]), real.dtype))


def _parts(z):
    return tf.math.real(z), tf.math.imag(z)


def fft(x):
    return _parts(tf.signal.fft(_complex(x)))


def fft2(x):
    return _parts(tf.signal.fft2d(_complex(x)))


def ifft2(x):
    return _parts(tf.signal.ifft2d(_complex(x)))


def _fit_last(x, length):
    """`x` cut or padded with zeros to `length` along the last axis.

    TensorFlow's rfft and irfft gradients assume inputs of exactly that length.
    """
    size = x.shape[-1]
    if size >= length:
        return x[..., :length]
    pad = [[0, 0]] * (x.shape.rank - 1) + [[0, length - size]]
    return tf.pad(x, pad)


def rfft(x, fft_length=None):
    x = _float(x)
    if fft_length is None:
        fft_length = x.shape[-1]
    return _parts(tf.signal.rfft(_fit_last(x, fft_length), fft_length=[fft_length]))


def irfft(x, fft_length=None):
    z = _complex(x)
    if fft_length is None:
        fft_length = 2 * (z.shape[-1] - 1)
    return tf.signal.irfft(_fit_last(z, fft_length // 2 + 1), fft_length=[fft_length])
