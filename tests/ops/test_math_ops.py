"""lamina.ops' math family (segment reductions, special functions, log-determinant,
framing, Fourier transforms) against NumPy and SciPy, against Keras 3 on the same
engine, and gradients (which on PyTensor run the traced, symbolic path).

Tolerances: float32 transforms agree with NumPy's float64 to 1e-4 absolute
on inputs of size about 1 (FFT); element-wise functions to 1e-5 relative.
"""

import warnings

import numpy as np
import pytest
import scipy.special

from lamina import backend, ops
from lamina.testing.layer_test import keras_module

F32 = {"rtol": 1e-5, "atol": 1e-6}
FFT = {"rtol": 1e-4, "atol": 1e-4}
GRAD = {"rtol": 1e-3, "atol": 1e-3}
ENGINE = backend.backend()

_rng = np.random.RandomState(5)
RE = _rng.randn(3, 8).astype("float32")
IM = _rng.randn(3, 8).astype("float32")
SIGNAL = _rng.randn(2, 40).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def _complex(pair):
    return _np(pair[0]).astype("float64") + 1j * _np(pair[1])


# --------------------------------------------------------------------------- segments


DATA = _rng.randn(6, 2).astype("float32")
IDS = np.array([2, 0, 2, -1, 0, 5], "int32")


def _np_segment(reduce, data, ids, n, empty):
    out = np.full((n, *data.shape[1:]), empty, data.dtype)
    for segment in range(n):
        rows = data[ids == segment]
        if len(rows):
            out[segment] = reduce(rows, axis=0)
    return out


def test_segment_sum_leaves_out_ids_outside_the_range():
    out = ops.segment_sum(DATA, IDS, num_segments=4)
    np.testing.assert_allclose(_np(out), _np_segment(np.sum, DATA, IDS, 4, 0.0), **F32)


def test_segment_sum_infers_num_segments():
    out = ops.segment_sum(DATA, IDS, sorted=False)
    assert tuple(ops.shape(out)) == (6, 2)
    np.testing.assert_allclose(_np(out), _np_segment(np.sum, DATA, IDS, 6, 0.0), **F32)


def test_segment_max_and_min():
    np.testing.assert_allclose(
        _np(ops.segment_max(DATA, IDS, 4)), _np_segment(np.max, DATA, IDS, 4, -np.inf)
    )
    np.testing.assert_allclose(
        _np(ops.segment_min(DATA, IDS, 4)), _np_segment(np.min, DATA, IDS, 4, np.inf)
    )


def test_segment_max_of_integers():
    data = np.array([3, -7, 5, 1], "int32")
    ids = np.array([0, 0, 2, 2], "int32")
    lowest = np.iinfo("int32").min
    np.testing.assert_array_equal(_np(ops.segment_max(data, ids, 4)), [3, lowest, 5, lowest])
    highest = np.iinfo("int32").max
    np.testing.assert_array_equal(_np(ops.segment_min(data, ids, 4)), [-7, highest, 1, highest])


def test_segment_errors():
    with pytest.raises(TypeError, match="integers"):
        ops.segment_sum(DATA, IDS.astype("float32"))
    with pytest.raises(ValueError, match="1-D"):
        ops.segment_sum(DATA, IDS[None])


# --------------------------------------------------------------------------- element-wise


def test_rsqrt():
    x = _rng.rand(5).astype("float32") + 0.1
    np.testing.assert_allclose(_np(ops.rsqrt(x)), 1 / np.sqrt(x.astype("float64")), **F32)
    assert ops.dtype(ops.rsqrt(np.array([4], "int32"))) == "float32"


def test_erfc_is_accurate_in_the_tail():
    x = np.array([-2.0, 0.0, 0.5, 3.0, 6.0], "float32")
    np.testing.assert_allclose(
        _np(ops.erfc(x)), scipy.special.erfc(x.astype("float64")), rtol=1e-5
    )


def test_erfinv():
    x = np.array([-0.99, -0.3, 0.0, 0.5, 0.9], "float32")
    np.testing.assert_allclose(
        _np(ops.erfinv(x)), scipy.special.erfinv(x.astype("float64")), rtol=1e-5
    )


def test_logdet():
    a = _rng.randn(2, 4, 4)
    spd = (a @ np.swapaxes(a, -1, -2) + 4 * np.eye(4)).astype("float32")
    np.testing.assert_allclose(
        _np(ops.logdet(spd)), np.linalg.slogdet(spd.astype("float64"))[1], rtol=1e-5
    )
    with pytest.raises(ValueError, match="square"):
        ops.logdet(np.ones((2, 3), "float32"))


# --------------------------------------------------------------------------- framing and transforms


def test_extract_sequences():
    out = _np(ops.extract_sequences(SIGNAL, 7, 5))
    expected = np.stack([SIGNAL[:, s : s + 7] for s in range(0, 34, 5)], axis=1)
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="shorter"):
        ops.extract_sequences(SIGNAL, 50, 1)


def test_fft_and_fft2():
    z = RE.astype("float64") + 1j * IM
    np.testing.assert_allclose(_complex(ops.fft((RE, IM))), np.fft.fft(z), **FFT)
    np.testing.assert_allclose(_complex(ops.fft2((RE, IM))), np.fft.fft2(z), **FFT)
    np.testing.assert_allclose(_complex(ops.ifft2((RE, IM))), np.fft.ifft2(z), **FFT)


@pytest.mark.parametrize("fft_length", [None, 6, 11])
def test_rfft_and_irfft(fft_length):
    np.testing.assert_allclose(
        _complex(ops.rfft(RE, fft_length)), np.fft.rfft(RE.astype("float64"), fft_length), **FFT
    )
    spectrum = np.fft.rfft(RE.astype("float64"))
    pair = (spectrum.real.astype("float32"), spectrum.imag.astype("float32"))
    np.testing.assert_allclose(
        _np(ops.irfft(pair, fft_length)), np.fft.irfft(spectrum, fft_length), **FFT
    )


def test_complex_pair_errors():
    with pytest.raises(ValueError, match="pair"):
        ops.fft(RE)
    with pytest.raises(ValueError, match="same shape"):
        ops.fft((RE, IM[:2]))


def _np_stft(x, length, stride, fft_length, center):
    if center:
        x = np.pad(x, [(0, 0), (fft_length // 2, fft_length // 2)], mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)
    left = (fft_length - length) // 2
    window = np.pad(window, (left, fft_length - length - left))
    starts = range(0, x.shape[-1] - fft_length + 1, stride)
    frames = np.stack([x[..., s : s + fft_length] * window for s in starts], axis=-2)
    return np.fft.rfft(frames, fft_length)


@pytest.mark.parametrize("center", [True, False])
def test_stft(center):
    out = ops.stft(SIGNAL, 8, 4, 10, center=center)
    np.testing.assert_allclose(
        _complex(out), _np_stft(SIGNAL.astype("float64"), 8, 4, 10, center), **FFT
    )


def test_istft_inverts_stft():
    spectrum = ops.stft(SIGNAL, 8, 2, 8)
    back = ops.istft(spectrum, 8, 2, 8, length=40)
    np.testing.assert_allclose(_np(back), SIGNAL, **FFT)


def test_stft_errors():
    with pytest.raises(ValueError, match="window"):
        ops.stft(SIGNAL, 8, 4, 8, window="kaiser")
    with pytest.raises(ValueError, match="at least"):
        ops.stft(SIGNAL, 8, 4, 4)
    with pytest.raises(TypeError, match="float32"):
        ops.stft(SIGNAL.astype("int32"), 8, 4, 8)


# --------------------------------------------------------------------------- gradients


def _grad(fn, x):
    grad_fn = ops.value_and_grad(lambda params: ops.sum(fn(params[0])))
    return _np(grad_fn([ops.convert_to_tensor(x)])[1][0])


def _finite_diff(fn, x, step=1e-3):
    x = x.astype("float64")
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += step
        down[idx] -= step
        g[idx] = (np.sum(fn(up)) - np.sum(fn(down))) / (2 * step)
    return g


WEIGHTS = np.linspace(-1, 1, 10).astype("float32")


def _weighted(pair, size):
    return ops.add(
        ops.multiply(pair[0], WEIGHTS[:size]), ops.multiply(pair[1], WEIGHTS[::-1][:size])
    )


def _np_weighted(z, size):
    return z.real * WEIGHTS[:size] + z.imag * WEIGHTS[::-1][:size]


GRADIENTS = [
    (
        "segment_sum",
        lambda x: ops.multiply(ops.segment_sum(x, [1, 0, 1, 2], 3), [1.0, 2.0, 3.0]),
        lambda x: np.array([x[1], x[0] + x[2], x[3]]) * [1.0, 2.0, 3.0],
    ),
    (
        "segment_max",
        lambda x: ops.multiply(ops.segment_max(x, [1, 0, 1, 2], 3), [1.0, 2.0, 3.0]),
        lambda x: np.array([x[1], max(x[0], x[2]), x[3]]) * [1.0, 2.0, 3.0],
    ),
    (
        "erfinv",
        lambda x: ops.erfinv(ops.multiply(x, 0.2)),
        lambda x: scipy.special.erfinv(0.2 * x),
    ),
    ("erfc", lambda x: ops.erfc(x), lambda x: scipy.special.erfc(x)),
    (
        "fft",
        lambda x: _weighted(ops.fft((x, ops.square(x))), 4),
        lambda x: _np_weighted(np.fft.fft(x + 1j * x**2), 4),
    ),
    ("rfft", lambda x: _weighted(ops.rfft(x, 6), 4), lambda x: _np_weighted(np.fft.rfft(x, 6), 4)),
    (
        "irfft",
        lambda x: ops.multiply(ops.irfft((x, ops.square(x)), 5), WEIGHTS[:5]),
        lambda x: np.fft.irfft(x + 1j * x**2, 5) * WEIGHTS[:5],
    ),
    (
        "fft2",
        lambda x: _weighted(ops.fft2((ops.reshape(x, (2, 2)), ops.zeros((2, 2)))), 2),
        lambda x: _np_weighted(np.fft.fft2(x.reshape(2, 2)), 2),
    ),
    (
        "ifft2",
        lambda x: _weighted(ops.ifft2((ops.zeros((2, 2)), ops.reshape(x, (2, 2)))), 2),
        lambda x: _np_weighted(np.fft.ifft2(1j * x.reshape(2, 2)), 2),
    ),
]


@pytest.mark.parametrize("name, op, reference", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients(name, op, reference):
    x = np.array([0.3, -1.2, 0.8, 2.0], "float32")
    np.testing.assert_allclose(_grad(op, x), _finite_diff(reference, x), **GRAD)


def test_logdet_gradient_is_the_inverse():
    a = np.array([[3.0, 1.0], [1.0, 2.0]], "float32")
    grad = _grad(ops.logdet, a)
    # Engines differ in how they split the gradient between the two triangles of a
    # symmetric input (the Cholesky factor reads one); its symmetric part is the inverse.
    np.testing.assert_allclose((grad + grad.T) / 2, np.linalg.inv(a), **GRAD)


def test_segment_sum_compiles():
    fn = ops.compile(lambda x: ops.segment_sum(x, np.array([0, 0, 1], "int32"), 2))
    np.testing.assert_allclose(_np(fn(np.array([1.0, 2.0, 3.0], "float32"))), [3.0, 3.0])


# --------------------------------------------------------------------------- against Keras 3


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


def _keras_np(keras, out):
    if isinstance(out, (tuple, list)):
        return tuple(keras.ops.convert_to_numpy(o) for o in out)
    return keras.ops.convert_to_numpy(out)


_spectrum = _np_stft(SIGNAL.astype("float64"), 8, 2, 8, center=True)
SPECTRUM = (_spectrum.real.astype("float32"), _spectrum.imag.astype("float32"))

KERAS_CASES = [
    ("segment_sum", (DATA[:5], np.array([2, 0, 2, 1, 0], "int32")), {"num_segments": 3}),
    ("segment_max", (DATA[:5], np.array([2, 0, 2, 1, 0], "int32")), {"num_segments": 3}),
    ("rsqrt", (np.abs(RE) + 0.1,), {}),
    ("erfinv", (np.clip(RE, -0.9, 0.9),), {}),
    ("extract_sequences", (SIGNAL, 6, 3), {}),
    ("fft", ((RE, IM),), {}),
    ("fft2", ((RE, IM),), {}),
    ("ifft2", ((RE, IM),), {}),
    ("rfft", (RE,), {"fft_length": 6}),
    ("irfft", ((RE, IM),), {"fft_length": 10}),
    ("stft", (SIGNAL, 8, 4, 8), {"window": "hamming", "center": False}),
    ("istft", (SPECTRUM, 8, 2, 8), {"length": 40}),
]


@pytest.mark.parametrize("name, args, kwargs", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(keras, name, args, kwargs):
    if name == "istft" and ENGINE == "tensorflow":
        pytest.skip(
            "Keras 3 on TensorFlow normalizes the first and last samples of istft differently "
            "from its other backends; lamina matches those (SciPy's overlap-add)"
        )
    ours = getattr(ops, name)(*args, **kwargs)
    with warnings.catch_warnings():
        # SciPy, under Keras's numpy backend, warns about the window at the edges.
        warnings.simplefilter("ignore", UserWarning)
        theirs = _keras_np(keras, getattr(keras.ops, name)(*args, **kwargs))
    ours = tuple(_np(o) for o in ours) if isinstance(ours, tuple) else _np(ours)
    np.testing.assert_allclose(ours, theirs, **FFT)


# --------------------------------------------------------------------------- shape rules

SHAPES = [
    (lambda: ops.segment_sum(np.zeros((4, 2, 3)), np.array([0, 1, 1, 0]), 5), (5, 2, 3)),
    (lambda: ops.extract_sequences(np.zeros((2, 3, 20)), 4, 3), (2, 3, 6, 4)),
    (lambda: ops.rfft(np.zeros((2, 9)))[0], (2, 5)),
    (lambda: ops.irfft((np.zeros((2, 9)), np.zeros((2, 9))))[0], (16,)),
    (lambda: ops.stft(np.zeros((3, 32), "float32"), 8, 4, 16)[1], (3, 9, 9)),
    (lambda: ops.logdet(np.eye(3)[None].repeat(4, 0)), (4,)),
]


@pytest.mark.parametrize("make, shape", SHAPES)
def test_shapes(make, shape):
    assert tuple(ops.shape(make())) == shape
