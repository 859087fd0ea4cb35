"""The numpy engine's own machinery: hand-written gradients, dtype promotion,
seeds and shape probing.

The engine is the reference the others are checked against, so its gradients
are checked against central finite differences in float64 (step 1e-6, rtol
1e-6), independently of any other engine. These tests import the numpy
backend package directly and run whatever engine the process selected.
"""

import warnings

import numpy as np
import pytest

pytest.importorskip("autograd")

from lamina import config  # noqa: E402
from lamina.backend import numpy as engine  # noqa: E402
from lamina.backend._spec import TensorSpec  # noqa: E402

core, nn, npx, random, functional = (
    engine.core,
    engine.nn,
    engine.numpy,
    engine.random,
    engine.functional,
)
FD = {"rtol": 1e-6, "atol": 1e-8}


@pytest.fixture
def float64(monkeypatch):
    """floatx float64: the engine keeps float64 data as float64 only then."""
    monkeypatch.setattr(config, "floatx", lambda: "float64")


def _numeric_grads(f, params, step=1e-6):
    grads = []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            values = []
            for sign in (1, -1):
                moved = [q.copy() for q in params]
                moved[i][idx] += sign * step
                values.append(float(f(moved)))
            g[idx] = (values[0] - values[1]) / (2 * step)
        grads.append(g)
    return grads


def _check_grads(fn, *arrays):
    """Gradients of sum(fn(*arrays) * w), for a fixed random w, against finite differences."""
    params = [np.asarray(a, "float64") for a in arrays]
    weights = np.random.RandomState(1).randn(*np.shape(fn(*params)))

    def loss(ps):
        return npx.sum(npx.multiply(fn(*ps), weights))

    value, grads = functional.value_and_grad(loss)(params)
    np.testing.assert_allclose(float(value), float(loss(params)), rtol=1e-12)
    for got, expected in zip(grads, _numeric_grads(loss, params), strict=True):
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, **FD)


def _randn(*shape):
    return np.random.RandomState(sum(shape)).randn(*shape)


# --------------------------------------------------------------------------- gradients

CONVS = [
    # spatial input size, kernel window, strides, padding, dilation, data format
    ((7,), (3,), 1, "valid", 1, "channels_last"),
    ((7,), (3,), 2, "same", 1, "channels_first"),
    ((6, 5), (3, 2), (2, 1), "same", 1, "channels_last"),
    ((6, 5), (2, 2), 1, "valid", 2, "channels_first"),
    ((6, 6), (3, 3), 1, "same", 2, "channels_last"),
    ((4, 3, 5), (2, 2, 3), 1, "same", 1, "channels_last"),
]


@pytest.mark.parametrize("size, window, strides, padding, dilation, data_format", CONVS)
def test_conv_gradients(float64, size, window, strides, padding, dilation, data_format):
    x = _randn(2, *size, 3) if data_format == "channels_last" else _randn(2, 3, *size)
    _check_grads(
        lambda x, k: nn.conv(x, k, strides, padding, data_format, dilation),
        x,
        _randn(*window, 3, 2),
    )


@pytest.mark.parametrize("size, window, strides, padding, dilation, data_format", CONVS[:5])
def test_depthwise_conv_gradients(float64, size, window, strides, padding, dilation, data_format):
    x = _randn(2, *size, 3) if data_format == "channels_last" else _randn(2, 3, *size)
    _check_grads(
        lambda x, k: nn.depthwise_conv(x, k, strides, padding, data_format, dilation),
        x,
        _randn(*window, 3, 2),
    )


@pytest.mark.parametrize("pool", ["max_pool", "average_pool"])
@pytest.mark.parametrize(
    "shape, pool_size, strides, padding, data_format",
    [
        ((2, 7, 3), 2, None, "valid", "channels_last"),
        ((2, 3, 7), 3, 2, "same", "channels_first"),
        ((1, 5, 4, 2), (2, 3), (2, 1), "same", "channels_last"),
        ((1, 4, 4, 3, 2), 2, 1, "valid", "channels_last"),
    ],
)
def test_pool_gradients(float64, pool, shape, pool_size, strides, padding, data_format):
    # Distinct values: a max pool's gradient is only defined without ties.
    x = np.random.RandomState(0).permutation(np.prod(shape)).reshape(shape) / 7.0
    _check_grads(lambda x: getattr(nn, pool)(x, pool_size, strides, padding, data_format), x)


def test_same_average_pool_divides_by_the_real_cells():
    x = np.ones((1, 3, 3, 1), "float32")
    np.testing.assert_array_equal(nn.average_pool(x, 2, 1, "same"), x)


GATHERS = [
    ("take", lambda x: npx.take(x, [2, 0, 2, -1], axis=1)),
    ("take flat", lambda x: npx.take(x, [[1, 5], [5, 0]])),
    ("take_along_axis", lambda x: npx.take_along_axis(x, np.array([[0, 3], [2, 2], [1, 0]]), 1)),
    ("repeat list", lambda x: npx.repeat(x, [2, 0, 1], axis=0)),
    ("repeat flat", lambda x: npx.repeat(x, 2)),
    ("pad reflect", lambda x: npx.pad(x, ((1, 2), (2, 1)), "reflect")),
    ("pad symmetric", lambda x: npx.pad(x, ((2, 0), (1, 3)), "symmetric")),
    ("pad constant", lambda x: npx.pad(x, 1, constant_values=2.0)),
    ("sort", lambda x: npx.sort(x, axis=0)),
    ("top_k", lambda x: npx.top_k(x, 2)[0]),
    ("split", lambda x: npx.split(x, [1, 3], axis=1)[1]),
    ("flip", lambda x: npx.flip(x, 1)),
    ("slice", lambda x: npx.slice(x, (1, 1), (2, 2))),
    ("shuffle", lambda x: random.shuffle(x, axis=1, seed=np.array([1, 2]))),
]


@pytest.mark.parametrize("_, fn", GATHERS, ids=[g[0] for g in GATHERS])
def test_gather_gradients(float64, _, fn):
    _check_grads(fn, _randn(3, 4))


FUNCTIONS = [
    ("erf", npx.erf),
    ("gelu exact", lambda x: nn.gelu(x, approximate=False)),
    ("logsumexp", lambda x: npx.logsumexp(x, axis=1)),
    ("prod of two axes", lambda x: npx.prod(x, axis=(0, 2))),
    ("max of two axes", lambda x: npx.max(x, axis=(0, 2))),
    ("clip", lambda x: npx.clip(x, -0.5, 0.7)),
    ("sigmoid", nn.sigmoid),
    ("elu", nn.elu),
    ("softmax", lambda x: nn.softmax(x, axis=1)),
    ("log_softmax", lambda x: nn.log_softmax(x, axis=0)),
    ("log_sigmoid", nn.log_sigmoid),
    ("moments", lambda x: nn.moments(x, (0, 2))[1]),
    ("cumsum", lambda x: npx.cumsum(x, axis=1)),
    ("std", lambda x: npx.std(x, axis=1)),
]


@pytest.mark.parametrize("_, fn", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_gradients(float64, _, fn):
    _check_grads(fn, _randn(2, 3, 4))


def test_scan_gradients(float64):
    def rnn(xs, w):
        def step(h, x):
            h = npx.tanh(npx.add(npx.matmul(h, w), x))
            return h, h

        return core.scan(step, npx.zeros((2, 3)), xs)[1]

    _check_grads(rnn, _randn(4, 2, 3), _randn(3, 3) * 0.5)


def test_fori_loop_and_cond_gradients(float64):
    def fn(x):
        y = core.fori_loop(0, 3, lambda i, v: npx.multiply(v, v) * 0.5, x)
        return core.cond(npx.sum(y) > -1e9, lambda: npx.sin(y), lambda: y)

    _check_grads(fn, _randn(3) * 0.5)


# --------------------------------------------------------------------------- value_and_grad


def test_int_and_unused_params_get_zero_gradients():
    def fn(params):
        x, ids, unused = params
        return npx.sum(npx.multiply(x, core.cast(ids, "float32")))

    x = np.ones(3, "float32")
    ids = np.array([1, 2, 3], "int32")
    _, grads = functional.value_and_grad(fn)([x, ids, np.ones((2, 2), "float32")])
    np.testing.assert_array_equal(grads[0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(grads[1], np.zeros(3, "int32"))
    np.testing.assert_array_equal(grads[2], np.zeros((2, 2), "float32"))
    assert [g.dtype for g in grads] == [np.float32, np.int32, np.float32]


def test_output_independent_of_params_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grads = functional.value_and_grad(lambda p: npx.sum(np.ones(3)))([np.ones(2)])
    assert float(value) == 3.0
    np.testing.assert_array_equal(grads[0], np.zeros(2))


def test_aux_comes_back_as_plain_arrays():
    def fn(params):
        y = npx.multiply(params[0], 2.0)
        return npx.sum(y), {"y": y, "pair": (y, 1)}

    (value, aux), _ = functional.value_and_grad(fn, has_aux=True)([np.ones(2, "float32")])
    assert type(aux["y"]) is np.ndarray and type(aux["pair"][0]) is np.ndarray
    assert aux["pair"][1] == 1
    assert float(value) == 4.0


def test_nested_value_and_grad_gives_second_derivatives(float64):
    # d/dx of (d/dx x**3) = 6x.
    def inner(params):
        return npx.sum(npx.power(params[0], 3.0))

    def outer(params):
        _, (g,) = functional.value_and_grad(inner)(params)
        return npx.sum(g)

    x = np.array([0.5, -2.0])
    _, (second,) = functional.value_and_grad(outer)([x])
    np.testing.assert_allclose(second, 6 * x)


def test_compiled_and_eager_ops_warn_nothing_on_inf_and_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert npx.log(np.zeros(1, "float32"))[0] == -np.inf
        assert np.isnan(npx.divide(0.0, 0.0))
        out = functional.compile(lambda x: npx.sqrt(npx.subtract(x, 1.0)))(np.zeros(2, "float32"))
    assert np.isnan(out).all()


# --------------------------------------------------------------------------- dtypes


def test_ints_meeting_floats_keep_the_float_dtype():
    assert npx.add(np.ones(2, "int32"), np.ones(2, "float32")).dtype == np.float32
    assert npx.multiply(np.ones(2, "int64"), np.ones(2, "float16")).dtype == np.float16
    assert npx.divide(np.ones(2, "int32"), 2).dtype == np.float32
    assert npx.matmul(np.ones((2, 2), "int32"), np.ones((2, 2), "float32")).dtype == np.float32


def test_bfloat16_meeting_float16_gives_float32():
    pytest.importorskip("ml_dtypes")
    a = core.convert_to_tensor([1.0, 2.0], "bfloat16")
    assert core.dtype(a) == "bfloat16"
    assert core.dtype(npx.add(a, core.convert_to_tensor([1.0, 2.0], "float16"))) == "float32"
    assert core.dtype(npx.add(a, 1.5)) == "bfloat16"


def test_variables_convert_to_their_value():
    from lamina.backend._variable import StatelessScope, Variable

    if config.backend() != "numpy":
        pytest.skip("Variables hold the selected engine's tensors")
    v = Variable(np.ones(2, "float32"))
    with StatelessScope([(v, np.full(2, 3.0, "float32"))]):
        np.testing.assert_array_equal(core.convert_to_tensor(v), [3.0, 3.0])
    np.testing.assert_array_equal(core.convert_to_tensor(v, "int32"), [1, 1])


# --------------------------------------------------------------------------- random


def test_seeds_key_philox_with_both_ints():
    first = random.uniform((5,), seed=np.array([3, 4]))
    np.testing.assert_array_equal(first, random.uniform((5,), seed=[3, 4]))
    assert not np.array_equal(first, random.uniform((5,), seed=np.array([4, 3])))
    assert not np.array_equal(first, random.uniform((5,), seed=np.array([3, 5])))
    # An int seed s means the pair (0, s).
    np.testing.assert_array_equal(random.normal((3,), seed=7), random.normal((3,), seed=[0, 7]))


def test_dropout_gradient_is_the_mask(float64):
    seed = np.array([5, 6])
    mask = random.dropout(np.ones(50), 0.4, seed=seed)
    _, (grad,) = functional.value_and_grad(
        lambda p: npx.sum(random.dropout(p[0], 0.4, seed=seed))
    )([np.full(50, 2.0)])
    np.testing.assert_allclose(grad, mask)


# --------------------------------------------------------------------------- eval_shape


def test_eval_shape_finds_the_dims_that_depend_on_unknown_ones():
    def fn(x, k):
        return nn.conv(x, k, strides=4, padding="same"), npx.sum(x, axis=(1, 2))

    out = functional.eval_shape(
        fn, TensorSpec((None, None, 9, 2), "float32"), TensorSpec((3, 3, 2, 5), "float32")
    )
    assert out == (TensorSpec((None, None, 3, 5), "float32"), TensorSpec((None, 2), "float32"))
