"""lamina.ops.core on the engine this process runs: conversion, dtypes, devices,
control flow eagerly and compiled. Values are exact unless a tolerance is given.
"""

import numpy as np
import pytest

from lamina import config, ops
from lamina.backend import engine

F32 = {"rtol": 1e-6, "atol": 1e-6}
# Contract functions this engine provides only in part, with the reason.
LIMITS = getattr(engine, "SKIPS", {})


def _engine_limit(name: str):
    return pytest.mark.skipif(name in LIMITS, reason=LIMITS.get(name, ""))


def _np(x):
    return ops.convert_to_numpy(x)


def _compiled(fn):
    compile_fn = getattr(engine.functional, "compile", None)
    if compile_fn is None:
        pytest.skip("this engine's functional.compile is not available yet")
    return compile_fn(fn)


# --------------------------------------------------------------------------- conversion and dtypes

CONVERSIONS = [
    ("python float", 1.5, None, "float32"),
    ("python int", 3, None, "int32"),
    ("python bool", True, None, "bool"),
    ("list of floats", [1.0, 2.0], None, "float32"),
    ("list of ints", [[1, 2], [3, 4]], None, "int32"),
    ("list of bools", [True, False], None, "bool"),
    ("float64 numpy", np.ones(3), None, "float32"),
    ("float16 numpy", np.ones(3, "float16"), None, "float16"),
    ("int8 numpy", np.ones(3, "int8"), None, "int8"),
    ("uint8 numpy", np.ones(3, "uint8"), None, "uint8"),
    ("numpy float64 scalar", np.float64(2.0), None, "float32"),
    ("python float as int", 2.0, "int32", "int32"),
    ("list as float16", [1, 2], "float16", "float16"),
    ("int numpy as bfloat16", np.arange(3), "bfloat16", "bfloat16"),
]


@pytest.mark.parametrize("_, value, dtype, expected", CONVERSIONS, ids=[c[0] for c in CONVERSIONS])
def test_convert_to_tensor_dtype(_, value, dtype, expected):
    x = ops.convert_to_tensor(value, dtype)
    assert ops.is_tensor(x)
    assert ops.dtype(x) == expected
    np.testing.assert_array_equal(_np(x).astype("float64"), np.asarray(value, "float64"))


def test_int64_numpy_keeps_int64_where_the_engine_has_it():
    # JAX without 64-bit mode has no int64 arrays: they become int32.
    expected = "int32" if config.backend() == "jax" else "int64"
    assert ops.dtype(np.arange(3)) == expected


def test_convert_tensor_is_idempotent_and_casts():
    x = ops.convert_to_tensor([1.0, 2.0])
    assert ops.convert_to_tensor(x) is x or ops.dtype(ops.convert_to_tensor(x)) == "float32"
    assert ops.dtype(ops.convert_to_tensor(x, "int32")) == "int32"


def test_convert_list_of_tensors():
    row = ops.convert_to_tensor([1.0, 2.0])
    x = ops.convert_to_tensor([row, row])
    assert ops.shape(x) == (2, 2)


class _TensorLike:
    """Converts through the engines' own protocols only, never through NumPy."""

    def __init__(self, value):
        self.value = value

    def __tf_tensor__(self, dtype=None, name=None):
        return self.value

    def __jax_array__(self):
        return self.value

    # DLPack is torch's protocol for foreign tensors.
    def __dlpack__(self, **kwargs):
        return self.value.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.value.__dlpack_device__()

    def __array__(self, dtype=None, copy=None):
        raise AssertionError("converted through NumPy")


@_engine_limit("core.convert_to_tensor")
def test_convert_uses_the_engine_protocol_with_and_without_dtype():
    thing = _TensorLike(ops.convert_to_tensor([1.5, 2.5]))
    assert ops.dtype(ops.convert_to_tensor(thing)) == "float32"
    x = ops.convert_to_tensor(thing, "float16")
    assert ops.dtype(x) == "float16"
    np.testing.assert_array_equal(_np(x), [1.5, 2.5])


def test_convert_to_numpy_round_trip():
    data = np.random.randn(2, 3).astype("float32")
    out = _np(ops.convert_to_tensor(data))
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, data)


@_engine_limit("core.is_tensor")
def test_is_tensor():
    assert ops.is_tensor(ops.ones((2,)))
    assert not ops.is_tensor(np.ones(2))
    assert not ops.is_tensor([1.0])


def test_shape_and_dtype():
    x = ops.zeros((2, 3, 1), "int8")
    assert ops.shape(x) == (2, 3, 1)
    assert isinstance(ops.shape(x), tuple)
    assert ops.shape(5.0) == ()
    assert ops.dtype(x) == "int8"


@pytest.mark.parametrize(
    "dtype", ["float16", "bfloat16", "float32", "int8", "int32", "uint8", "bool"]
)
def test_cast(dtype):
    x = ops.cast(np.array([0.0, 1.0, 2.7]), dtype)
    assert ops.dtype(x) == dtype
    np.testing.assert_array_equal(_np(x), np.array([0.0, 1.0, 2.7]).astype(_np(x).dtype))


def test_cast_truncates_toward_zero():
    np.testing.assert_array_equal(_np(ops.cast([-1.7, 1.7], "int32")), [-1, 1])


def test_stop_gradient_keeps_values():
    np.testing.assert_array_equal(_np(ops.stop_gradient([1.0, 2.0])), [1.0, 2.0])


# --------------------------------------------------------------------------- devices


def test_device_names():
    names = ops.device_names()
    assert names and all(":" in n and n == n.lower() for n in names)
    assert any(n.startswith("cpu:") for n in names) or any(n.startswith("gpu:") for n in names)
    assert ops.default_device() in names


def test_engine_version():
    version = ops.engine_version()
    assert isinstance(version, str) and version[0].isdigit()


# --------------------------------------------------------------------------- control flow


def _cumulative(carry, x):
    carry = carry + x
    return carry, carry * 2.0


def _run(fn, compiled, *args):
    return _compiled(fn)(*args) if compiled else fn(*args)


MODES = pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])


@MODES
@pytest.mark.parametrize("reverse", [False, True])
def test_scan_values(compiled, reverse):
    xs = np.arange(1.0, 6.0, dtype="float32")

    def fn(xs):
        return ops.scan(_cumulative, ops.convert_to_tensor(0.0), xs, reverse=reverse)

    carry, ys = _run(fn, compiled, ops.convert_to_tensor(xs))
    running = np.cumsum(xs[::-1])[::-1] if reverse else np.cumsum(xs)
    np.testing.assert_allclose(_np(carry), xs.sum(), **F32)
    np.testing.assert_allclose(_np(ys), 2 * running, **F32)


@MODES
def test_scan_with_structures(compiled):
    # The carry is a pair, xs a list of two tensors, y a tuple.
    a = np.arange(6.0, dtype="float32").reshape(3, 2)
    b = np.array([1, 2, 3], dtype="int32")

    def step(carry, x):
        total, count = carry
        row, k = x
        total = total + row * ops.cast(k, "float32")
        return (total, count + 1), (ops.sum(row), k * 10)

    def fn(a, b):
        init = (ops.zeros((2,)), ops.convert_to_tensor(0))
        return ops.scan(step, init, [a, b])

    (total, count), (sums, scaled) = _run(
        fn, compiled, ops.convert_to_tensor(a), ops.convert_to_tensor(b)
    )
    np.testing.assert_allclose(_np(total), (a * b[:, None]).sum(0), **F32)
    assert int(_np(count)) == 3
    np.testing.assert_allclose(_np(sums), a.sum(1), **F32)
    np.testing.assert_array_equal(_np(scaled), b * 10)


@MODES
def test_cond(compiled):
    def fn(x):
        return ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)

    np.testing.assert_allclose(
        _np(_run(fn, compiled, ops.convert_to_tensor([1.0, 2.0]))), [2.0, 4.0]
    )
    np.testing.assert_allclose(
        _np(_run(fn, compiled, ops.convert_to_tensor([-1.0, 0.0]))), [-2.0, -1.0]
    )


@MODES
def test_fori_loop(compiled):
    def fn(x):
        return ops.fori_loop(0, 4, lambda i, v: v * 2.0 + ops.cast(i, "float32"), x)

    out = _run(fn, compiled, ops.convert_to_tensor([1.0, 0.0]))
    expected = np.array([1.0, 0.0])
    for i in range(4):
        expected = expected * 2.0 + i
    np.testing.assert_allclose(_np(out), expected, **F32)


@MODES
def test_fori_loop_with_tuple_state(compiled):
    def fn(x):
        return ops.fori_loop(1, 4, lambda i, s: (s[0] + ops.cast(i, "float32"), s[1] * x), (x, x))

    total, power = _run(fn, compiled, ops.convert_to_tensor(2.0))
    assert float(_np(total)) == 2.0 + 1 + 2 + 3
    assert float(_np(power)) == 2.0**4


# --------------------------------------------------------------------------- shape rules


def test_scan_shape_rule():
    xs = ops.zeros((7, 3, 2))
    carry, ys = ops.scan(lambda c, x: (c + ops.sum(x), ops.concatenate([x, x], 1)), 0.0, xs)
    assert ops.shape(carry) == ()
    assert ops.shape(ys) == (7, 3, 4)
