"""lamina.ops.numpy against NumPy, on the engine this process runs.

Tolerances: float32 element-wise results agree with NumPy's float64 to
rtol 1e-6 / atol 1e-6 (F32); reductions and products, which add up rounding
errors, to rtol 1e-5 (SUMS). Integer and bool results are exact. Shape-rule
tests are kept apart from value tests, after them.
"""

import numpy as np
import pytest

from lamina import config, ops

F32 = {"rtol": 1e-6, "atol": 1e-6}
SUMS = {"rtol": 1e-5, "atol": 1e-5}

_rng = np.random.RandomState(0)
A = _rng.randn(2, 3, 4).astype("float32")
B = _rng.randn(3, 4).astype("float32")  # broadcasts against A
POS = (_rng.rand(2, 3, 4) + 0.1).astype("float32")
INTS = _rng.randint(-5, 6, size=(2, 3, 4)).astype("int32")
NONZERO_INTS = np.where(INTS == 0, 3, INTS).astype("int32")
BOOLS = _rng.rand(2, 3, 4) > 0.5
SPECIALS = np.array([0.0, 1.5, -np.inf, np.inf, np.nan, -2.5], "float32")


def _np(x):
    return ops.convert_to_numpy(x)


def _check(out, expected, tol=None, dtype=None):
    out = _np(out)
    expected = np.asarray(expected)
    assert out.shape == expected.shape
    if dtype is not None:
        assert ops.dtype(out) == dtype
    if tol is None:
        np.testing.assert_array_equal(out, expected)
    else:
        np.testing.assert_allclose(out, expected, **tol)


def _erf(x):
    from math import erf

    return np.vectorize(erf)(x.astype("float64"))


# --------------------------------------------------------------------------- element-wise values

UNARY = [
    ("negative", np.negative, A),
    ("abs", np.abs, A),
    ("sign", np.sign, A),
    ("sqrt", np.sqrt, POS),
    ("square", np.square, A),
    ("exp", np.exp, A),
    ("log", np.log, POS),
    ("log1p", np.log1p, POS),
    ("expm1", np.expm1, A),
    ("sin", np.sin, A),
    ("cos", np.cos, A),
    ("tanh", np.tanh, A),
    ("erf", _erf, A),
    ("round", np.round, A * 3),
    ("floor", np.floor, A * 3),
    ("ceil", np.ceil, A * 3),
]


@pytest.mark.parametrize("name, ref, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_float(name, ref, x):
    _check(getattr(ops, name)(x), ref(x.astype("float64")), F32, "float32")


def test_round_halves_to_even():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5], "float32")
    _check(ops.round(x), np.round(x))


BINARY = [
    ("add", np.add, A, B),
    ("subtract", np.subtract, A, B),
    ("multiply", np.multiply, A, B),
    ("divide", np.divide, A, POS[0]),
    ("floor_divide", np.floor_divide, A * 4, POS[0]),
    ("mod", np.mod, A * 4, POS[0]),
    ("power", np.power, POS, B),
    ("maximum", np.maximum, A, B),
    ("minimum", np.minimum, A, B),
]


@pytest.mark.parametrize("name, ref, x1, x2", BINARY, ids=[b[0] for b in BINARY])
def test_binary_float(name, ref, x1, x2):
    expected = ref(x1.astype("float64"), x2.astype("float64"))
    _check(getattr(ops, name)(x1, x2), expected, {"rtol": 1e-5, "atol": 1e-5}, "float32")


INT_BINARY = [
    ("add", np.add),
    ("subtract", np.subtract),
    ("multiply", np.multiply),
    ("floor_divide", np.floor_divide),
    ("mod", np.mod),
    ("maximum", np.maximum),
    ("minimum", np.minimum),
]


@pytest.mark.parametrize("name, ref", INT_BINARY, ids=[b[0] for b in INT_BINARY])
def test_binary_int_is_exact(name, ref):
    # floor_divide and mod round toward -inf, with the divisor's sign, as NumPy.
    _check(getattr(ops, name)(INTS, NONZERO_INTS), ref(INTS, NONZERO_INTS), dtype="int32")


COMPARISONS = [
    ("equal", np.equal),
    ("not_equal", np.not_equal),
    ("greater", np.greater),
    ("greater_equal", np.greater_equal),
    ("less", np.less),
    ("less_equal", np.less_equal),
]


@pytest.mark.parametrize("name, ref", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons(name, ref):
    x2 = np.round(B)
    _check(getattr(ops, name)(np.round(A), x2), ref(np.round(A), x2), dtype="bool")


@pytest.mark.parametrize(
    "name, ref",
    [("logical_and", np.logical_and), ("logical_or", np.logical_or)],
)
def test_logical_binary(name, ref):
    _check(getattr(ops, name)(BOOLS, INTS), ref(BOOLS, INTS), dtype="bool")


def test_logical_not():
    _check(ops.logical_not(INTS), np.logical_not(INTS), dtype="bool")


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_float_tests(name):
    _check(getattr(ops, name)(SPECIALS), getattr(np, name)(SPECIALS), dtype="bool")
    _check(getattr(ops, name)(INTS), getattr(np, name)(INTS), dtype="bool")


def test_clip():
    _check(ops.clip(A, -0.5, 0.5), np.clip(A, -0.5, 0.5), F32, "float32")
    _check(ops.clip(INTS, -2, 3), np.clip(INTS, -2, 3), dtype="int32")


def test_where():
    _check(ops.where(BOOLS, A, B), np.where(BOOLS, A, B), dtype="float32")
    _check(ops.where(A > 0, A, 0.0), np.where(A > 0, A, 0.0), dtype="float32")


# --------------------------------------------------------------------------- dtypes

DTYPES = [
    ("float tensor + python int", lambda: ops.add(A, 2), "float32"),
    ("int tensor + python int", lambda: ops.add(INTS, 2), "int32"),
    ("int tensor + python float", lambda: ops.add(INTS, 2.5), "float32"),
    ("float16 tensor * python float", lambda: ops.multiply(A.astype("float16"), 2.5), "float16"),
    ("uint8 tensor + python int", lambda: ops.add(np.uint8([1, 2]), 1), "uint8"),
    ("int32 + float32", lambda: ops.add(INTS, A), "float32"),
    ("int32 + float16", lambda: ops.add(INTS, A.astype("float16")), "float16"),
    ("float16 + float32", lambda: ops.add(A.astype("float16"), A), "float32"),
    ("int8 + int32", lambda: ops.add(INTS.astype("int8"), INTS), "int32"),
    ("bool + int32", lambda: ops.add(BOOLS, INTS), "int32"),
    ("python floats", lambda: ops.add(1.0, 2.0), "float32"),
    ("float64 numpy", lambda: ops.add(A.astype("float64"), 1), "float32"),
    ("int / int", lambda: ops.divide(INTS, NONZERO_INTS), "float32"),
    ("sqrt of ints", lambda: ops.sqrt(np.abs(INTS)), "float32"),
    ("floor of ints", lambda: ops.floor(INTS), "int32"),
    ("abs of ints", lambda: ops.abs(INTS), "int32"),
    ("sum of bools", lambda: ops.sum(BOOLS), "int32"),
    ("sum of int8", lambda: ops.sum(INTS.astype("int8")), "int32"),
    ("sum of float16", lambda: ops.sum(A.astype("float16")), "float16"),
    ("mean of ints", lambda: ops.mean(INTS), "float32"),
    ("max of bools", lambda: ops.max(BOOLS), "bool"),
    ("argmax", lambda: ops.argmax(A), "int32"),
    ("count_nonzero", lambda: ops.count_nonzero(A), "int32"),
    ("cumsum of bools", lambda: ops.cumsum(BOOLS), "int32"),
    ("argsort", lambda: ops.argsort(A), "int32"),
    ("top_k indices", lambda: ops.top_k(A, 2)[1], "int32"),
    ("zeros", lambda: ops.zeros((2,)), "float32"),
    ("full of python int", lambda: ops.full((2,), 3), "int32"),
    ("full of python float", lambda: ops.full((2,), 3.0), "float32"),
    ("full_like keeps x", lambda: ops.full_like(INTS, 2.7), "int32"),
    ("zeros_like with dtype", lambda: ops.zeros_like(INTS, "float16"), "float16"),
    ("arange of ints", lambda: ops.arange(5), "int32"),
    ("arange with a float", lambda: ops.arange(0, 1, 0.25), "float32"),
    ("eye", lambda: ops.eye(3), "float32"),
    ("clip of bools", lambda: ops.clip(BOOLS, 0, 1), "int32"),
]


@pytest.mark.parametrize("_, fn, dtype", DTYPES, ids=[d[0] for d in DTYPES])
def test_result_dtype(_, fn, dtype):
    assert ops.dtype(fn()) == dtype


def test_python_scalar_keeps_its_value_in_the_tensor_dtype():
    _check(ops.add(INTS, 2.5), INTS + 2.5, F32)
    _check(ops.multiply(np.uint8([1, 2]), 3), np.uint8([3, 6]))


def test_floatx_is_followed(monkeypatch):
    # Only the creation defaults are checked: JAX without 64-bit mode has no float64.
    monkeypatch.setattr(config, "floatx", lambda: "float16")
    assert ops.dtype(ops.zeros((2,))) == "float16"
    assert ops.dtype(ops.add(1.5, 1.0)) == "float16"
    assert ops.dtype(ops.mean(INTS)) == "float16"


# --------------------------------------------------------------------------- reductions

REDUCTIONS = [
    ("sum", np.sum, A),
    ("prod", np.prod, POS),
    ("mean", np.mean, A),
    ("max", np.max, A),
    ("min", np.min, A),
    ("var", np.var, A),
    ("std", np.std, A),
    ("any", np.any, BOOLS),
    ("all", np.all, BOOLS),
    ("count_nonzero", np.count_nonzero, INTS),
]
AXES = [None, -1, (0, 2)]


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize(
    "name, ref, x", [*REDUCTIONS, ("logsumexp", _logsumexp, A)], ids=lambda v: str(v)[:12]
)
def test_reduction(name, ref, x, axis, keepdims):
    expected = ref(
        x.astype("float64") if x.dtype == "float32" else x, axis=axis, keepdims=keepdims
    )
    _check(getattr(ops, name)(x, axis=axis, keepdims=keepdims), expected, SUMS)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions(name, axis):
    _check(getattr(ops, name)(A, axis=axis), getattr(np, name)(A, axis=axis))


def test_argmax_takes_the_first_of_ties():
    _check(ops.argmax([[1, 3, 3], [2, 2, 0]], axis=1), [1, 0])


@pytest.mark.parametrize("axis", [None, 0, 2])
def test_cumsum(axis):
    _check(ops.cumsum(A, axis=axis), np.cumsum(A.astype("float64"), axis=axis), SUMS)
    _check(ops.cumsum(INTS, axis=axis), np.cumsum(INTS, axis=axis))


# --------------------------------------------------------------------------- linear algebra

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((1, 3, 4), (2, 4, 5)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("s1, s2", MATMUL_SHAPES, ids=str)
def test_matmul(s1, s2):
    x1, x2 = _rng.randn(*s1).astype("float32"), _rng.randn(*s2).astype("float32")
    _check(ops.matmul(x1, x2), np.matmul(x1, x2), SUMS)


DOT_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4,)),
    ((2, 3, 4), (4,)),
    ((2, 3, 4), (5, 4, 2)),
    ((), (3,)),
]


@pytest.mark.parametrize("s1, s2", DOT_SHAPES, ids=str)
def test_dot(s1, s2):
    x1, x2 = np.asarray(_rng.randn(*s1), "float32"), _rng.randn(*s2).astype("float32")
    _check(ops.dot(x1, x2), np.dot(x1, x2), SUMS)


def test_matmul_of_ints():
    x1, x2 = INTS[0], INTS[1].T
    _check(ops.matmul(x1, x2), x1 @ x2, dtype="int32")


@pytest.mark.parametrize(
    "subscripts, shapes",
    [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij->bji", [(2, 3, 4)]), ("i,i->", [(4,), (4,)])],
)
def test_einsum(subscripts, shapes):
    operands = [_rng.randn(*s).astype("float32") for s in shapes]
    _check(ops.einsum(subscripts, *operands), np.einsum(subscripts, *operands), SUMS)


TENSORDOT = [
    ((2, 3, 4), (3, 4, 5), 2),
    ((2, 3, 4), (4, 5), 1),
    ((2, 3), (4,), 0),
    ((2, 3, 4), (3, 4, 5), ([1, 2], [0, 1])),
    ((2, 3, 4), (5, 2), ([0], [1])),
]


@pytest.mark.parametrize("s1, s2, axes", TENSORDOT, ids=str)
def test_tensordot(s1, s2, axes):
    a, b = _rng.randn(*s1).astype("float32"), _rng.randn(*s2).astype("float32")
    _check(ops.tensordot(a, b, axes=axes), np.tensordot(a, b, axes=axes), SUMS)


# --------------------------------------------------------------------------- shape ops (values)

SHAPE_OPS = [
    ("reshape", lambda m: m.reshape(A, (4, -1)), lambda: A.reshape(4, -1)),
    ("transpose", lambda m: m.transpose(A), lambda: A.T),
    ("transpose axes", lambda m: m.transpose(A, (1, 0, 2)), lambda: A.transpose(1, 0, 2)),
    ("expand_dims", lambda m: m.expand_dims(A, -1), lambda: A[..., None]),
    ("expand_dims tuple", lambda m: m.expand_dims(A, (0, 2)), lambda: np.expand_dims(A, (0, 2))),
    ("squeeze", lambda m: m.squeeze(A[:, :1]), lambda: np.squeeze(A[:, :1])),
    ("squeeze axis", lambda m: m.squeeze(A[None, :1], 1), lambda: A[None, :1][:, 0]),
    ("concatenate", lambda m: m.concatenate([A, A], 1), lambda: np.concatenate([A, A], 1)),
    ("stack", lambda m: m.stack([B, B], -1), lambda: np.stack([B, B], -1)),
    ("tile", lambda m: m.tile(B, (2, 1, 3)), lambda: np.tile(B, (2, 1, 3))),
    ("tile short", lambda m: m.tile(A, 2), lambda: np.tile(A, 2)),
    ("repeat", lambda m: m.repeat(B, 2, axis=1), lambda: np.repeat(B, 2, axis=1)),
    ("repeat flat", lambda m: m.repeat(B, 2), lambda: np.repeat(B, 2)),
    ("pad", lambda m: m.pad(B, ((1, 2), (0, 1))), lambda: np.pad(B, ((1, 2), (0, 1)))),
    ("pad int", lambda m: m.pad(B, 1, constant_values=5), lambda: np.pad(B, 1, constant_values=5)),
    ("pad reflect", lambda m: m.pad(B, (2, 1), "reflect"), lambda: np.pad(B, (2, 1), "reflect")),
    (
        "pad symmetric",
        lambda m: m.pad(B, ((1, 0), (2, 2)), "symmetric"),
        lambda: np.pad(B, ((1, 0), (2, 2)), "symmetric"),
    ),
    (
        "broadcast_to",
        lambda m: m.broadcast_to(B, (2, 3, 4)),
        lambda: np.broadcast_to(B, (2, 3, 4)),
    ),
    ("flip", lambda m: m.flip(A, 1), lambda: np.flip(A, 1)),
    ("flip all", lambda m: m.flip(A), lambda: np.flip(A)),
    ("moveaxis", lambda m: m.moveaxis(A, 0, -1), lambda: np.moveaxis(A, 0, -1)),
    (
        "moveaxis many",
        lambda m: m.moveaxis(A, (0, 1), (2, 0)),
        lambda: np.moveaxis(A, (0, 1), (2, 0)),
    ),
    ("take", lambda m: m.take(A, [2, 0, -1], axis=2), lambda: np.take(A, [2, 0, -1], axis=2)),
    ("take flat", lambda m: m.take(A, [[1, 5], [7, -2]]), lambda: np.take(A, [[1, 5], [7, -2]])),
    (
        "take_along_axis",
        lambda m: m.take_along_axis(A, np.argsort(A, axis=1), 1),
        lambda: np.take_along_axis(A, np.argsort(A, axis=1), 1),
    ),
    (
        "take_along_axis broadcast",
        lambda m: m.take_along_axis(A, np.array([[[0], [3], [-1]]]), -1),
        lambda: np.take_along_axis(A, np.array([[[0], [3], [-1]]]), -1),
    ),
    ("slice", lambda m: m.slice(A, (1, 0, 2), (1, 2, 2)), lambda: A[1:2, 0:2, 2:4]),
    ("sort", lambda m: m.sort(A, axis=1), lambda: np.sort(A, axis=1)),
    ("argsort", lambda m: m.argsort(A), lambda: np.argsort(A, kind="stable")),
    (
        "argsort ties",
        lambda m: m.argsort([3, 1, 3, 1]),
        lambda: np.argsort([3, 1, 3, 1], kind="stable"),
    ),
]


@pytest.mark.parametrize("_, fn, ref", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_op_values(_, fn, ref):
    _check(fn(ops), ref())


@pytest.mark.parametrize("sections", [3, [1, 3], [2]], ids=str)
def test_split(sections):
    x = np.arange(24).reshape(6, 4)
    out = ops.split(x, sections, axis=0)
    expected = np.split(x, sections, axis=0)
    assert len(out) == len(expected)
    for piece, ref in zip(out, expected, strict=True):
        _check(piece, ref)


# --------------------------------------------------------------------------- creation and other

CREATION = [
    ("zeros", lambda m: m.zeros((2, 3)), np.zeros((2, 3))),
    ("ones", lambda m: m.ones((2,), "int32"), np.ones((2,), "int32")),
    ("full", lambda m: m.full((2, 2), 7.5), np.full((2, 2), 7.5)),
    ("full tensor", lambda m: m.full((2, 3), [1.0, 2.0, 3.0]), np.full((2, 3), [1.0, 2.0, 3.0])),
    ("zeros_like", lambda m: m.zeros_like(A), np.zeros_like(A)),
    ("ones_like", lambda m: m.ones_like(INTS), np.ones_like(INTS)),
    ("full_like", lambda m: m.full_like(B, -1.0), np.full_like(B, -1.0)),
    ("arange", lambda m: m.arange(5), np.arange(5)),
    ("arange start stop step", lambda m: m.arange(2, 11, 3), np.arange(2, 11, 3)),
    ("arange float", lambda m: m.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25)),
    ("arange negative step", lambda m: m.arange(5, 0, -2), np.arange(5, 0, -2)),
    ("eye", lambda m: m.eye(3), np.eye(3)),
    ("eye rect k", lambda m: m.eye(3, 5, k=1), np.eye(3, 5, k=1)),
    ("eye negative k", lambda m: m.eye(4, 3, k=-2), np.eye(4, 3, k=-2)),
]


@pytest.mark.parametrize("_, fn, expected", CREATION, ids=[c[0] for c in CREATION])
def test_creation(_, fn, expected):
    _check(fn(ops), expected, F32)


def test_top_k():
    x = _rng.randn(3, 6).astype("float32")
    values, indices = ops.top_k(x, 2)
    order = np.argsort(-x, axis=-1, kind="stable")[:, :2]
    _check(indices, order)
    _check(values, np.take_along_axis(x, order, -1))


def test_in_top_k():
    predictions = np.array(
        [[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.6, 0.2, 0.2], [np.nan, 0.1, 0.2]], "float32"
    )
    targets = np.array([2, 1, 1, 0])
    # Row 1: 0.3 ties with 0.3 for second place: both count as in the top 2.
    _check(ops.in_top_k(targets, predictions, 2), [True, True, True, False])
    _check(ops.in_top_k(targets, predictions, 1), [False, False, False, False])


# --------------------------------------------------------------------------- shape rules

SHAPE_RULES = [
    ("add broadcasts", lambda: ops.add(np.ones((2, 1, 4)), np.ones((3, 1))), (2, 3, 4)),
    ("where broadcasts", lambda: ops.where(np.ones((3, 1)) > 0, np.ones((4,)), 0.0), (3, 4)),
    ("sum keepdims", lambda: ops.sum(A, axis=(0, 2), keepdims=True), (1, 3, 1)),
    ("mean of all", lambda: ops.mean(A), ()),
    ("argmax axis", lambda: ops.argmax(A, axis=1), (2, 4)),
    ("argmax flat", lambda: ops.argmax(A), ()),
    ("cumsum flat", lambda: ops.cumsum(A), (24,)),
    (
        "matmul batch broadcast",
        lambda: ops.matmul(np.ones((5, 1, 2, 3)), np.ones((4, 3, 6))),
        (5, 4, 2, 6),
    ),
    ("matmul vector", lambda: ops.matmul(np.ones((3,)), np.ones((2, 3, 4))), (2, 4)),
    ("dot nd", lambda: ops.dot(np.ones((2, 3, 4)), np.ones((5, 4, 6))), (2, 3, 5, 6)),
    ("tensordot", lambda: ops.tensordot(np.ones((2, 3, 4)), np.ones((3, 4, 5))), (2, 5)),
    ("reshape -1", lambda: ops.reshape(A, (-1,)), (24,)),
    ("expand_dims", lambda: ops.expand_dims(A, (0, -1)), (1, 2, 3, 4, 1)),
    ("squeeze", lambda: ops.squeeze(np.ones((1, 3, 1))), (3,)),
    ("stack", lambda: ops.stack([B, B, B], axis=1), (3, 3, 4)),
    ("tile longer", lambda: ops.tile(B, (2, 2, 2)), (2, 6, 8)),
    ("repeat list", lambda: ops.repeat(B, [1, 2, 3], axis=0), (6, 4)),
    ("pad", lambda: ops.pad(A, ((0, 0), (1, 1), (2, 3))), (2, 5, 9)),
    ("moveaxis", lambda: ops.moveaxis(A, -1, 0), (4, 2, 3)),
    ("take 2-d indices", lambda: ops.take(A, [[0, 1]], axis=1), (2, 1, 2, 4)),
    (
        "take_along_axis",
        lambda: ops.take_along_axis(A, np.zeros((1, 5, 1), "int32"), 1),
        (2, 5, 4),
    ),
    ("slice", lambda: ops.slice(A, (0, 1, 1), (2, 2, 3)), (2, 2, 3)),
    ("eye", lambda: ops.eye(2, 5), (2, 5)),
    ("arange", lambda: ops.arange(1, 10, 4), (3,)),
    ("top_k", lambda: ops.top_k(A, 3)[0], (2, 3, 3)),
]


@pytest.mark.parametrize("_, fn, shape", SHAPE_RULES, ids=[s[0] for s in SHAPE_RULES])
def test_shape_rule(_, fn, shape):
    assert tuple(ops.shape(fn())) == shape


def test_split_shapes():
    assert [ops.shape(p) for p in ops.split(A, [1, 3], axis=2)] == [
        (2, 3, 1),
        (2, 3, 2),
        (2, 3, 1),
    ]


def test_every_op_accepts_lists_and_scalars():
    _check(ops.add([1, 2], 3), [4, 5], dtype="int32")
    _check(ops.maximum(2.0, [1.0, 3.0]), [2.0, 3.0], F32, "float32")
    _check(ops.sum([[1, 2], [3, 4]], axis=0), [4, 6], dtype="int32")


def test_copy_gives_the_value_in_a_buffer_of_its_own():
    x = ops.convert_to_tensor(np.arange(6, dtype="float32").reshape(2, 3))
    y = ops.copy(x)
    assert y is not x
    assert ops.shape(y) == (2, 3) and ops.dtype(y) == "float32"
    np.testing.assert_array_equal(ops.convert_to_numpy(y), np.arange(6).reshape(2, 3))
    # Mutable tensors (torch, NumPy arrays) show that no buffer is shared;
    # JAX's and TensorFlow's tensors cannot be changed in place.
    if hasattr(y, "add_"):
        y.add_(1)
    elif isinstance(y, np.ndarray):
        y += 1
    else:
        return
    np.testing.assert_array_equal(ops.convert_to_numpy(x), np.arange(6).reshape(2, 3))


def test_copy_passes_gradients_through():
    def fn(params):
        return ops.sum(ops.copy(params[0]) * params[0])

    _, (grad,) = ops.value_and_grad(fn)([np.array([1.0, 2.0], "float32")])
    np.testing.assert_allclose(ops.convert_to_numpy(grad), [2.0, 4.0])
