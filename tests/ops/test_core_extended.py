"""lamina.ops' structural core ops (unstack, saturate_cast, switch, map,
slice_update, scatter, scatter_update, associative_scan) against NumPy, against
Keras 3 on the same engine, compiled, and with gradients.

Results are exact (integer data or single additions) unless a tolerance is given.
"""

import numpy as np
import pytest

from lamina import backend, ops
from lamina.testing.layer_test import keras_module

GRAD = {"rtol": 1e-5, "atol": 1e-6}
ENGINE = backend.backend()

_rng = np.random.RandomState(3)
A = _rng.randn(3, 4).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def test_unstack():
    parts = ops.unstack(A, axis=1)
    assert len(parts) == 4
    for i, part in enumerate(parts):
        np.testing.assert_array_equal(_np(part), A[:, i])
    with pytest.raises(ValueError, match="num=2"):
        ops.unstack(A, num=2)


@pytest.mark.parametrize(
    "values, dtype, expected",
    [
        ([-1.5, 0.4, 254.6, 300.0], "uint8", [0, 0, 254, 255]),
        ([3e10, -3e10, 7.9], "int32", [2147483520, -2147483648, 7]),
        ([1e5, -1e5], "float16", [65504.0, -65504.0]),
    ],
)
def test_saturate_cast(values, dtype, expected):
    out = ops.saturate_cast(np.array(values, "float32"), dtype)
    assert ops.dtype(out) == dtype
    np.testing.assert_array_equal(_np(out), np.array(expected, dtype))


def test_saturate_cast_of_integers():
    out = ops.saturate_cast(np.array([-5, 100, 300], "int32"), "uint8")
    np.testing.assert_array_equal(_np(out), [0, 100, 255])


BRANCHES = [lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x - y]


@pytest.mark.parametrize("index, expected", [(0, 5.0), (1, 6.0), (2, -1.0), (7, -1.0), (-3, 5.0)])
def test_switch(index, expected):
    x, y = np.float32(2.0), np.float32(3.0)
    np.testing.assert_allclose(_np(ops.switch(index, BRANCHES, x, y)), expected)
    tensor_index = ops.convert_to_tensor(index, "int32")
    np.testing.assert_allclose(_np(ops.switch(tensor_index, BRANCHES, x, y)), expected)


def test_switch_compiles():
    fn = ops.compile(lambda i, x: ops.switch(i, [ops.negative, ops.square, ops.exp], x))
    x = np.array([1.0, 2.0], "float32")
    np.testing.assert_allclose(_np(fn(np.int32(1), x)), [1.0, 4.0])
    np.testing.assert_allclose(_np(fn(np.int32(0), x)), [-1.0, -2.0])


def test_map():
    out = ops.map(lambda row: ops.sum(ops.square(row)), A)
    np.testing.assert_allclose(_np(out), np.sum(A * A, axis=1), rtol=1e-6)
    first, second = ops.map(lambda pair: (pair[0] + pair[1], pair[0]), (A, A))
    np.testing.assert_allclose(_np(first), 2 * A)
    np.testing.assert_allclose(_np(second), A)


def test_slice_update():
    out = ops.slice_update(A, (1, 2), np.ones((2, 2), "float32"))
    expected = A.copy()
    expected[1:3, 2:4] = 1
    np.testing.assert_array_equal(_np(out), expected)
    starts = ops.convert_to_tensor([0, 1], "int32")
    out = ops.slice_update(A, starts, np.zeros((1, 3), "float32"))
    expected = A.copy()
    expected[0:1, 1:4] = 0
    np.testing.assert_array_equal(_np(out), expected)
    with pytest.raises(ValueError, match="rank"):
        ops.slice_update(A, (0, 0), np.zeros(2, "float32"))


def test_scatter():
    out = ops.scatter(np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0]), (3, 4))
    expected = np.zeros((3, 4))
    expected[0, 1], expected[2, 3] = 4.0, 2.0
    np.testing.assert_array_equal(_np(out), expected)
    rows = ops.scatter(np.array([[2], [0]]), np.array([[1, 2], [3, 4]], "int32"), (3, 2))
    np.testing.assert_array_equal(_np(rows), [[3, 4], [0, 0], [1, 2]])
    assert ops.dtype(rows) == "int32"


def test_scatter_update():
    indices = np.array([[0, 0], [1, 2], [0, 0]])
    updates = np.array([5.0, -6.0, 7.0], "float32")
    replaced = A.copy()
    replaced[0, 0], replaced[1, 2] = 7.0, -6.0  # the last update of a repeated index wins
    np.testing.assert_array_equal(_np(ops.scatter_update(A, indices, updates)), replaced)
    added = A.copy()
    added[0, 0] += 12.0
    added[1, 2] -= 6.0
    np.testing.assert_allclose(
        _np(ops.scatter_update(A, indices, updates, "add")), added, rtol=1e-6
    )
    maxed = A.copy()
    maxed[0, 0], maxed[1, 2] = 7.0, max(A[1, 2], -6.0)
    np.testing.assert_array_equal(_np(ops.scatter_update(A, indices, updates, "max")), maxed)
    mins = A.copy()
    mins[0, 0], mins[1, 2] = min(A[0, 0], 5.0), -6.0
    np.testing.assert_array_equal(_np(ops.scatter_update(A, indices, updates, "min")), mins)
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(A, indices, updates, "mean")


@pytest.mark.parametrize("size", [1, 2, 5, 8])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_sums(size, reverse):
    x = np.arange(1, size + 1, dtype="int32")
    out = _np(ops.associative_scan(lambda a, b: a + b, x, reverse=reverse))
    expected = np.cumsum(x[::-1])[::-1] if reverse else np.cumsum(x)
    np.testing.assert_array_equal(out, expected)


def test_associative_scan_structure_and_axis():
    # Composing affine maps x -> a x + b is associative but not commutative.
    a = _rng.rand(2, 7).astype("float32")
    b = _rng.rand(2, 7).astype("float32")

    def compose(first, second):
        return (first[0] * second[0], second[0] * first[1] + second[1])

    out_a, out_b = ops.associative_scan(compose, (a, b), axis=1)
    expected_b = np.zeros(b.shape)
    value = np.zeros(2)
    for t in range(7):
        value = a[:, t] * value + b[:, t]
        expected_b[:, t] = value
    np.testing.assert_allclose(_np(out_a), np.cumprod(a.astype("float64"), axis=1), rtol=1e-5)
    np.testing.assert_allclose(_np(out_b), expected_b, rtol=1e-5)


def _grad(fn, x):
    grad_fn = ops.value_and_grad(lambda params: ops.sum(fn(params[0])))
    return _np(grad_fn([ops.convert_to_tensor(x)])[1][0])


def test_gradients_flow_through_updates():
    weights = np.arange(12, dtype="float32").reshape(3, 4)
    grad = _grad(
        lambda u: ops.multiply(ops.slice_update(A, (1, 1), u), weights), np.ones((2, 2), "float32")
    )
    np.testing.assert_allclose(grad, weights[1:3, 1:3], **GRAD)
    grad = _grad(
        lambda v: ops.multiply(
            ops.scatter(np.array([[1], [1], [3]]), v, (4,)), [1.0, 2.0, 3.0, 4.0]
        ),
        np.ones(3, "float32"),
    )
    np.testing.assert_allclose(grad, [2.0, 2.0, 4.0], **GRAD)
    grad = _grad(
        lambda x: ops.multiply(ops.associative_scan(lambda p, q: p * q, x), [1.0, 1.0, 1.0]),
        np.array([2.0, 3.0, 4.0], "float32"),
    )
    np.testing.assert_allclose(grad, [1 + 3 + 12, 2 + 8, 6], **GRAD)


@ops.custom_gradient
def _log1pexp(x):
    e = ops.exp(x)

    def grad_fn(upstream):
        return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1.0, e))

    return ops.log(ops.add(1.0, e)), grad_fn


@ops.custom_gradient
def _scaled_sum(x, y):
    def grad_fn(upstream):
        return ops.multiply(upstream, 3.0), ops.negative(upstream)

    return ops.add(ops.multiply(x, 2.0), y), grad_fn


def test_custom_gradient():
    x = np.array([0.0, 100.0], "float32")
    np.testing.assert_allclose(
        _np(_log1pexp(np.array([0.0, 1.0], "float32"))), np.log1p(np.exp([0.0, 1.0])), rtol=1e-6
    )
    # The plain gradient of log(1 + exp(x)) is NaN at 100 (inf / inf); the custom one is 1.
    np.testing.assert_allclose(_grad(_log1pexp, x), [0.5, 1.0], **GRAD)
    grad_fn = ops.value_and_grad(lambda p: ops.sum(ops.multiply(_scaled_sum(p[0], p[1]), 2.0)))
    _, (gx, gy) = grad_fn([ops.convert_to_tensor(x), ops.convert_to_tensor(x)])
    np.testing.assert_allclose(_np(gx), [6.0, 6.0], **GRAD)
    np.testing.assert_allclose(_np(gy), [-2.0, -2.0], **GRAD)


def test_custom_gradient_compiles():
    grad_fn = ops.value_and_grad(lambda p: ops.sum(_log1pexp(p[0])))
    step = ops.compile(lambda x: grad_fn([x])[1][0])
    np.testing.assert_allclose(_np(step(np.array([0.0, 100.0], "float32"))), [0.5, 1.0], **GRAD)


# --------------------------------------------------------------------------- against Keras 3


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


def test_matches_keras(keras):
    k = keras.ops
    big = np.array([-3e10, 1.5, 3e10, 70000.0], "float32")
    # Not int32: 2**31 - 1 is no float32, and Keras's engines overflow differently there.
    for dtype in ("uint8", "int16", "float16"):
        np.testing.assert_array_equal(
            _np(ops.saturate_cast(big, dtype)), k.convert_to_numpy(k.saturate_cast(big, dtype))
        )
    indices, values = np.array([[0, 1], [2, 0]]), np.array([1.0, 2.0], "float32")
    np.testing.assert_array_equal(
        _np(ops.scatter(indices, values, (3, 2))),
        k.convert_to_numpy(k.scatter(indices, values, (3, 2))),
    )
    np.testing.assert_array_equal(
        _np(ops.scatter_update(A, indices, values)),
        k.convert_to_numpy(k.scatter_update(A, indices, values)),
    )
    np.testing.assert_array_equal(
        _np(ops.slice_update(A, (1, 0), np.zeros((1, 2), "float32"))),
        k.convert_to_numpy(k.slice_update(A, (1, 0), np.zeros((1, 2), "float32"))),
    )
    x = np.arange(1, 7, dtype="float32")
    np.testing.assert_allclose(
        _np(ops.associative_scan(lambda a, b: a * b, x, reverse=True)),
        k.convert_to_numpy(k.associative_scan(lambda a, b: a * b, x, reverse=True)),
    )
    np.testing.assert_allclose(
        _np(ops.switch(5, BRANCHES, 2.0, 3.0)), k.convert_to_numpy(k.switch(5, BRANCHES, 2.0, 3.0))
    )


# --------------------------------------------------------------------------- shape rules


def test_shapes():
    assert [tuple(ops.shape(t)) for t in ops.unstack(np.zeros((2, 3, 4)), axis=-1)] == [(2, 3)] * 4
    assert tuple(ops.shape(ops.map(lambda r: ops.stack([r, r]), np.zeros((5, 3))))) == (5, 2, 3)
    assert tuple(
        ops.shape(ops.scatter(np.zeros((2, 1), "int32"), np.zeros((2, 3, 4)), (6, 3, 4)))
    ) == (
        6,
        3,
        4,
    )
    assert tuple(ops.shape(ops.associative_scan(ops.add, np.zeros((2, 9, 3)), axis=1))) == (
        2,
        9,
        3,
    )
