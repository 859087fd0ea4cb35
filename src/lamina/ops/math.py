"""lamina.ops.math: segment reductions, special functions, Fourier transforms.

Reached as `lamina.ops.<name>`, as Keras's `keras.ops.<name>`. Complex
numbers are pairs `(real, imag)` of float tensors of the same shape, as in
Keras.
"""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina.backend import engine as _engine
from lamina.ops import core as _core
from lamina.ops import numpy as _n

__all__ = [
    "erfc",
    "erfinv",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "irfft",
    "istft",
    "logdet",
    "rfft",
    "rsqrt",
    "segment_max",
    "segment_min",
    "segment_sum",
    "stft",
]


def _float(x):
    x = _core.convert_to_tensor(x)
    if _core.dtype(x).startswith("float"):
        return x
    return _core.cast(x, _config.floatx())


# --------------------------------------------------------------------------- segment reductions


def _segments(data, segment_ids, num_segments, name: str):
    """Tensors and the segment count; ids outside `[0, num_segments)` go to an extra segment."""
    data = _core.convert_to_tensor(data)
    segment_ids = _core.convert_to_tensor(segment_ids)
    if not _core.dtype(segment_ids).startswith(("int", "uint")):
        raise TypeError(
            f"{name}: segment_ids must be integers; got dtype {_core.dtype(segment_ids)}."
        )
    if len(_core.shape(segment_ids)) != 1:
        raise ValueError(
            f"{name}: segment_ids must be 1-D, one id per row of data; got shape "
            f"{tuple(_core.shape(segment_ids))}."
        )
    if num_segments is None:
        try:
            ids = _core.convert_to_numpy(segment_ids)
        except Exception as error:  # noqa: BLE001 - traced ids have no value to read
            raise ValueError(
                f"{name}: num_segments=None reads the ids' values, which a compiled "
                "function does not have; pass num_segments."
            ) from error
        num_segments = int(ids.max()) + 1 if ids.size else 0
    num_segments = int(num_segments)
    segment_ids = _core.cast(segment_ids, "int32")
    outside = _n.logical_or(_n.less(segment_ids, 0), _n.greater_equal(segment_ids, num_segments))
    segment_ids = _n.where(outside, num_segments, segment_ids)
    return data, segment_ids, num_segments


def segment_sum(data, segment_ids, num_segments: int | None = None, sorted: bool = False):
    """Sum the rows of `data` that share a segment id.

    Args:
        data: `(rows, ...)`.
        segment_ids: int ids `(rows,)`; rows whose id is negative or at least
            `num_segments` are left out.
        num_segments: the number of segments; None means `max(segment_ids) + 1`,
            which needs concrete ids (not inside a compiled function).
        sorted: whether the ids are sorted; accepted for Keras compatibility,
            the result is the same either way.

    Returns:
        `(num_segments, ...)`; a segment without rows gives 0.

    Example:
        >>> lamina.ops.segment_sum([1.0, 2.0, 3.0], [0, 0, 1])  # [3.0, 3.0]
    """
    data, ids, n = _segments(data, segment_ids, num_segments, "segment_sum")
    return _engine.math.segment_sum(data, ids, n + 1)[:n]


def segment_max(data, segment_ids, num_segments: int | None = None, sorted: bool = False):
    """The maximum of the rows of `data` that share a segment id.

    Args:
        data, segment_ids, num_segments, sorted: as for `segment_sum`.

    Returns:
        `(num_segments, ...)`; a segment without rows gives `-inf` (the
        dtype's lowest value for integers).

    Example:
        >>> lamina.ops.segment_max([1.0, 5.0, 3.0], [0, 0, 1])  # [5.0, 3.0]
    """
    data, ids, n = _segments(data, segment_ids, num_segments, "segment_max")
    out = _engine.math.segment_max(data, ids, n + 1)[:n]
    # Engines fill empty segments differently; give them all the same value.
    counts = _engine.math.segment_sum(_n.ones_like(ids), ids, n + 1)[:n]
    counts = _n.reshape(counts, (n,) + (1,) * (len(_core.shape(data)) - 1))
    dtype = _core.dtype(data)
    lowest = -np.inf if dtype.startswith("float") else np.iinfo(dtype).min
    fill = _core.convert_to_tensor(np.asarray(lowest, dtype))
    return _n.where(_n.greater(counts, 0), out, fill)


def segment_min(data, segment_ids, num_segments: int | None = None, sorted: bool = False):
    """The minimum of the rows of `data` that share a segment id.

    Args:
        data, segment_ids, num_segments, sorted: as for `segment_sum`.

    Returns:
        `(num_segments, ...)`; a segment without rows gives `inf` (the dtype's
        largest value for integers).

    Example:
        >>> lamina.ops.segment_min([1.0, 5.0, 3.0], [0, 0, 1])  # [1.0, 3.0]
    """
    data = _core.convert_to_tensor(data)
    if _core.dtype(data).startswith(("uint", "bool")):
        raise TypeError(
            f"segment_min takes signed data; got dtype {_core.dtype(data)}. Cast it to int32."
        )
    dtype = _core.dtype(data)
    if dtype.startswith("int"):
        # -max(-x) would overflow the dtype's lowest value; flip the bits instead.
        flipped = segment_max(_n.subtract(-1, data), segment_ids, num_segments, sorted)
        return _n.subtract(-1, flipped)
    return _n.negative(segment_max(_n.negative(data), segment_ids, num_segments, sorted))


# --------------------------------------------------------------------------- element-wise


def rsqrt(x):
    """Reciprocal square root, `1 / sqrt(x)`, element-wise.

    Args:
        x: input tensor; integers are computed in floatx.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.rsqrt([4.0, 16.0])  # [0.5, 0.25]
    """
    return _n.divide(1.0, _n.sqrt(_float(x)))


def erfc(x):
    """Complementary error function, `1 - erf(x)`, accurate where it is tiny.

    Args:
        x: input tensor; integers are computed in floatx.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.erfc([0.0, 5.0])  # [1.0, 1.5375e-12]
    """
    return _engine.math.erfc(x)


def erfinv(x):
    """Inverse error function: `y` with `erf(y) = x`, for `x` in (-1, 1).

    Args:
        x: input tensor; integers are computed in floatx. -1 and 1 give
            -inf and inf, values outside [-1, 1] NaN.

    Returns:
        A float tensor of x's shape.

    Example:
        >>> lamina.ops.erfinv([0.5])  # [0.47693628]
    """
    return _engine.math.erfinv(x)


def logdet(x):
    """Log-determinant of Hermitian positive-definite matrices.

    Computed from the Cholesky factor, `2 * sum(log(diag(cholesky(x))))`, so it
    stays finite where `log(det(x))` would overflow.

    Args:
        x: symmetric positive-definite matrices `(..., n, n)`.

    Returns:
        `(...)`: one log-determinant per matrix.

    Example:
        >>> lamina.ops.logdet([[2.0, 0.0], [0.0, 3.0]])  # log(6) = 1.7917595
    """
    x = _float(x)
    if len(_core.shape(x)) < 2 or _core.shape(x)[-1] != _core.shape(x)[-2]:
        raise ValueError(
            f"logdet takes square matrices (..., n, n); got shape {tuple(_core.shape(x))}."
        )
    factor = _engine.linalg.cholesky(x)
    n = _core.shape(x)[-1]
    diagonal = _n.sum(_n.multiply(factor, _n.eye(n, dtype=_core.dtype(x))), axis=-1)
    return _n.multiply(_n.sum(_n.log(diagonal), axis=-1), 2.0)


# --------------------------------------------------------------------------- sequences and Fourier transforms


def extract_sequences(x, sequence_length: int, sequence_stride: int):
    """Frames of the last axis: windows of `sequence_length` samples every `sequence_stride`.

    Args:
        x: `(..., samples)`.
        sequence_length: the length of each frame.
        sequence_stride: the step between the starts of two frames.

    Returns:
        `(..., frames, sequence_length)` with
        `frames = 1 + (samples - sequence_length) // sequence_stride`.

    Example:
        >>> lamina.ops.extract_sequences([1, 2, 3, 4, 5], 3, 2)  # [[1, 2, 3], [3, 4, 5]]
    """
    for name, value in (
        ("sequence_length", sequence_length),
        ("sequence_stride", sequence_stride),
    ):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"extract_sequences: {name} must be a positive int; got {value!r}.")
    x = _core.convert_to_tensor(x)
    samples = _core.shape(x)[-1]
    if samples < sequence_length:
        raise ValueError(
            f"extract_sequences: the last axis ({samples} samples) is shorter than "
            f"sequence_length ({sequence_length})."
        )
    frames = 1 + (samples - sequence_length) // sequence_stride
    starts = np.arange(frames)[:, None] * sequence_stride
    index = (starts + np.arange(sequence_length)[None, :]).astype("int32")
    return _n.take(x, index, axis=-1)


def _complex_pair(x, name: str):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            f"{name} takes a complex tensor as a pair (real, imag) of float tensors; got "
            f"{type(x).__name__}."
        )
    real, imag = _float(x[0]), _float(x[1])
    if tuple(_core.shape(real)) != tuple(_core.shape(imag)):
        raise ValueError(
            f"{name}: the real and imaginary parts must have the same shape; got "
            f"{tuple(_core.shape(real))} and {tuple(_core.shape(imag))}."
        )
    return real, _core.cast(imag, _core.dtype(real))


def fft(x):
    """Discrete Fourier transform along the last axis.

    Args:
        x: a pair `(real, imag)` of float tensors of the same shape.

    Returns:
        A pair `(real, imag)` of x's shape.

    Example:
        >>> lamina.ops.fft(([1.0, 0.0], [0.0, 0.0]))  # ([1.0, 1.0], [0.0, 0.0])
    """
    return _engine.math.fft(_complex_pair(x, "fft"))


def fft2(x):
    """Two-dimensional discrete Fourier transform over the last two axes.

    Args:
        x: a pair `(real, imag)` of float tensors `(..., m, n)`.

    Returns:
        A pair `(real, imag)` of x's shape.

    Example:
        >>> lamina.ops.fft2((np.ones((2, 2)), np.zeros((2, 2))))  # ([[4, 0], [0, 0]], zeros)
    """
    return _engine.math.fft2(_complex_pair(x, "fft2"))


def ifft2(x):
    """Inverse two-dimensional discrete Fourier transform over the last two axes.

    Args:
        x: a pair `(real, imag)` of float tensors `(..., m, n)`.

    Returns:
        A pair `(real, imag)` of x's shape; `ifft2(fft2(x))` is `x`.

    Example:
        >>> lamina.ops.ifft2(([[4.0, 0.0], [0.0, 0.0]], np.zeros((2, 2))))  # (ones, zeros)
    """
    return _engine.math.ifft2(_complex_pair(x, "ifft2"))


def _check_length(fft_length, name: str):
    if fft_length is not None and (
        not isinstance(fft_length, (int, np.integer)) or fft_length < 1
    ):
        raise ValueError(f"{name}: fft_length must be a positive int or None; got {fft_length!r}.")


def rfft(x, fft_length: int | None = None):
    """Discrete Fourier transform of real signals along the last axis.

    Args:
        x: a real tensor `(..., samples)`.
        fft_length: the transform length; the signal is cut or padded with
            zeros to it. None means `samples`.

    Returns:
        A pair `(real, imag)` of shape `(..., fft_length // 2 + 1)`: the
        non-negative frequencies.

    Example:
        >>> lamina.ops.rfft([1.0, 1.0, 1.0, 1.0])  # ([4.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    """
    _check_length(fft_length, "rfft")
    return _engine.math.rfft(_float(x), fft_length)


def irfft(x, fft_length: int | None = None):
    """Inverse of `rfft`: the real signal with the given non-negative frequencies.

    Args:
        x: a pair `(real, imag)` of shape `(..., bins)`.
        fft_length: the output length; None means `2 * (bins - 1)`.

    Returns:
        A real tensor `(..., fft_length)`.

    Example:
        >>> lamina.ops.irfft(([4.0, 0.0, 0.0], [0.0, 0.0, 0.0]))  # [1.0, 1.0, 1.0, 1.0]
    """
    _check_length(fft_length, "irfft")
    return _engine.math.irfft(_complex_pair(x, "irfft"), fft_length)


def _window(window, sequence_length: int, fft_length: int, dtype: str, name: str):
    """The window padded to `fft_length` in the middle, as a NumPy array (or tensor)."""
    left = (fft_length - sequence_length) // 2
    right = fft_length - sequence_length - left
    if window is None:
        return np.ones((fft_length,), dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f"{name}: window must be 'hann', 'hamming', a 1-D tensor or None; got {window!r}."
            )
        # The periodic windows, as scipy.signal.get_window gives them.
        a = 0.5 if window == "hann" else 0.54
        phase = 2 * np.pi * np.arange(sequence_length) / sequence_length
        values = a - (1 - a) * np.cos(phase)
        return np.pad(values, (left, right)).astype(dtype)
    window = _core.cast(window, dtype)
    if tuple(_core.shape(window)) != (sequence_length,):
        raise ValueError(
            f"{name}: window must have shape ({sequence_length},) (sequence_length); got "
            f"{tuple(_core.shape(window))}."
        )
    return _n.pad(window, [(left, right)])


def _check_stft(sequence_length, sequence_stride, fft_length, name: str):
    for arg, value in (
        ("sequence_length", sequence_length),
        ("sequence_stride", sequence_stride),
        ("fft_length", fft_length),
    ):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: {arg} must be a positive int; got {value!r}.")
    if fft_length < sequence_length:
        raise ValueError(
            f"{name}: fft_length ({fft_length}) must be at least sequence_length "
            f"({sequence_length})."
        )


def stft(
    x,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    window="hann",
    center: bool = True,
):
    """Short-time Fourier transform along the last axis.

    Each frame of `sequence_length` samples, `sequence_stride` apart, is
    multiplied by the window, padded with zeros on both sides to `fft_length`
    and transformed with `rfft`.

    Args:
        x: a float32 or float64 signal `(..., samples)`.
        sequence_length: the frame (and window) length.
        sequence_stride: the step between frames.
        fft_length: the transform length, at least `sequence_length`.
        window: "hann", "hamming" (periodic), a 1-D tensor of length
            `sequence_length`, or None for no window.
        center: pad the signal by `fft_length // 2` on both sides by
            reflection, so frame `t` is centred on sample `t * sequence_stride`.

    Returns:
        A pair `(real, imag)` of shape `(..., frames, fft_length // 2 + 1)`.

    Example:
        >>> real, imag = lamina.ops.stft(np.ones(16, "float32"), 8, 4, 8)  # (5, 5) each
    """
    _check_stft(sequence_length, sequence_stride, fft_length, "stft")
    x = _core.convert_to_tensor(x)
    dtype = _core.dtype(x)
    if dtype not in ("float32", "float64"):
        raise TypeError(
            f"stft takes a float32 or float64 signal; got dtype {dtype}. Cast it first."
        )
    if center:
        pad_width = [(0, 0)] * (len(_core.shape(x)) - 1) + [(fft_length // 2, fft_length // 2)]
        x = _n.pad(x, pad_width, mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    win = _window(window, sequence_length, fft_length, dtype, "stft")
    return rfft(_n.multiply(frames, win), fft_length)


def istft(
    x,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    length: int | None = None,
    window="hann",
    center: bool = True,
):
    """Inverse short-time Fourier transform: the signal whose `stft` is `x`.

    Each frame is transformed back with `irfft`, multiplied by the window and
    added in place (overlap-add); the sum is divided by the overlap-added
    squared window where that is nonzero.

    Args:
        x: a pair `(real, imag)` of shape `(..., frames, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: as
            given to `stft`.
        length: the number of samples to return; None means all of them
            (without the `center` padding).

    Returns:
        A real tensor `(..., samples)`.

    Example:
        >>> signal = np.random.rand(32).astype("float32")
        >>> lamina.ops.istft(lamina.ops.stft(signal, 8, 4, 8), 8, 4, 8, length=32)  # signal
    """
    _check_stft(sequence_length, sequence_stride, fft_length, "istft")
    real, imag = _complex_pair(x, "istft")
    dtype = _core.dtype(real)
    frames = irfft((real, imag), fft_length)  # (..., frames, fft_length)
    count = _core.shape(frames)[-2]
    win = _window(window, sequence_length, fft_length, dtype, "istft")
    frames = _n.multiply(frames, win)
    total = fft_length + sequence_stride * (count - 1)
    # Overlap-add: sample j of frame t lands at t * stride + j.
    positions = (np.arange(count)[:, None] * sequence_stride + np.arange(fft_length)).ravel()
    batch = tuple(_core.shape(frames)[:-2])
    rows = _n.reshape(frames, (*batch, count * fft_length))
    rows = _n.moveaxis(rows, -1, 0)
    signal = segment_sum(rows, positions.astype("int32"), total)
    signal = _n.moveaxis(signal, 0, -1)
    if window is None:
        win_np = np.ones(fft_length, dtype)
    else:
        win_np = _core.convert_to_numpy(win).astype(dtype)
    norm = np.zeros(total, dtype)
    np.add.at(norm, positions, np.tile(win_np**2, count))
    norm = np.where(norm > 1e-10, norm, 1.0).astype(dtype)
    signal = _n.divide(signal, norm)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = total - fft_length // 2
    else:
        end = total
    return signal[..., start:end]


from lamina.ops._symbolic import dispatch_symbolic as _dispatch_symbolic  # noqa: E402

_dispatch_symbolic(globals(), __all__)  # ops on symbolic tensors add graph nodes
