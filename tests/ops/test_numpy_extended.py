"""The NumPy-family ops beyond the core set (trigonometry, nan-reductions,
quantiles, diagonals, stacking, spacing, searching, windows) against NumPy,
their result dtypes against Keras 3 on the same engine, and a few gradients.

Tolerances: float32 element-wise results agree with NumPy's float64 to rtol
1e-6 / atol 1e-6 (F32); results that add up or interpolate to 1e-5 (SUMS).
Integer and bool results are exact. Shape-rule tests come after the value tests.
"""

import numpy as np
import pytest

from lamina import backend, ops
from lamina.testing.layer_test import keras_module

F32 = {"rtol": 1e-6, "atol": 1e-6}
SUMS = {"rtol": 1e-5, "atol": 1e-5}
GRAD = {"rtol": 1e-4, "atol": 1e-5}

_rng = np.random.RandomState(7)
A = _rng.randn(2, 3, 4).astype("float32")
B = _rng.randn(3, 4).astype("float32")
M = _rng.randn(4, 5).astype("float32")
UNIT = (_rng.rand(2, 3, 4) * 1.8 - 0.9).astype("float32")  # inside (-1, 1)
ABOVE_ONE = (_rng.rand(2, 3, 4) * 3 + 1.1).astype("float32")
POS = (_rng.rand(2, 3, 4) + 0.1).astype("float32")
INTS = _rng.randint(-8, 9, size=(2, 3, 4)).astype("int32")
NONZERO_INTS = np.where(INTS == 0, 3, INTS).astype("int32")
SPECIALS = np.array([0.0, -0.0, 1.5, -np.inf, np.inf, np.nan, -2.5], "float32")
WITH_NAN = A.copy()
WITH_NAN[0, 1, 2] = WITH_NAN[1, 0, 0] = WITH_NAN[1, 2, :] = np.nan
ENGINE = backend.backend()


def _np(x):
    return ops.convert_to_numpy(x)


def _check(out, expected, tol=None, dtype=None):
    expected = np.asarray(expected)
    if dtype is not None:
        assert ops.dtype(out) == dtype
    out = _np(out)
    assert out.shape == expected.shape, (out.shape, expected.shape)
    if tol is None:
        np.testing.assert_array_equal(out, expected)
    else:
        np.testing.assert_allclose(out, expected, **tol)


def _f64(x):
    return x.astype("float64") if x.dtype == np.float32 else x


# --------------------------------------------------------------------------- element-wise values

UNARY = [
    ("tan", np.tan, UNIT),
    ("sinh", np.sinh, A),
    ("cosh", np.cosh, A),
    ("arcsin", np.arcsin, UNIT),
    ("arccos", np.arccos, UNIT),
    ("arctan", np.arctan, A),
    ("arcsinh", np.arcsinh, A),
    ("arccosh", np.arccosh, ABOVE_ONE),
    ("arctanh", np.arctanh, UNIT),
    ("log2", np.log2, POS),
    ("log10", np.log10, POS),
    ("exp2", np.exp2, A),
    ("i0", np.i0, A * 3),
    ("absolute", np.absolute, A),
    ("fabs", np.fabs, A),
    ("reciprocal", np.reciprocal, POS),
    ("trunc", np.trunc, A * 3),
    ("sinc", np.sinc, np.concatenate([A.ravel(), [0.0]]).astype("float32")),
    ("cbrt", np.cbrt, A),
    ("deg2rad", np.deg2rad, A * 90),
    ("rad2deg", np.rad2deg, A),
    ("angle", np.angle, A),
]


@pytest.mark.parametrize("name, ref, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_float(name, ref, x):
    _check(getattr(ops, name)(x), ref(_f64(x)), F32, "float32")


@pytest.mark.parametrize("name", ["tan", "log2", "exp2", "arctan", "fabs", "sinc", "cbrt"])
def test_unary_of_ints_gives_floatx(name):
    x = np.abs(INTS) + 1
    expected = getattr(np, name)(x.astype("float64"))
    _check(getattr(ops, name)(x), expected, {"rtol": 1e-5, "atol": 1e-5}, "float32")


BINARY = [
    ("arctan2", np.arctan2, A, B),
    ("fmod", np.fmod, A * 4, POS[0]),
    ("hypot", np.hypot, A, B),
    ("logaddexp", np.logaddexp, A, B),
    ("logaddexp2", np.logaddexp2, A, B),
    ("true_divide", np.true_divide, A, POS[0]),
    ("fmax", np.fmax, WITH_NAN, B),
    ("fmin", np.fmin, WITH_NAN, B),
    ("heaviside", np.heaviside, np.round(A), B),
]


@pytest.mark.parametrize("name, ref, x1, x2", BINARY, ids=[b[0] for b in BINARY])
def test_binary_float(name, ref, x1, x2):
    _check(getattr(ops, name)(x1, x2), ref(_f64(x1), _f64(x2)), SUMS, "float32")


def test_fmod_of_ints_keeps_the_dividend_sign():
    _check(ops.fmod(INTS, NONZERO_INTS), np.fmod(INTS, NONZERO_INTS), dtype="int32")


def test_fmax_fmin_with_nan_on_both_sides():
    x1 = np.array([np.nan, 1.0, np.nan], "float32")
    x2 = np.array([2.0, np.nan, np.nan], "float32")
    _check(ops.fmax(x1, x2), np.fmax(x1, x2))
    _check(ops.fmin(x1, x2), np.fmin(x1, x2))


def test_hypot_does_not_overflow():
    x = np.array([3e30, 0.0, np.inf], "float32")
    y = np.array([4e30, 0.0, 1.0], "float32")
    _check(ops.hypot(x, y), np.hypot(x, y), F32)


def test_logaddexp_of_infinities():
    x1 = np.array([-np.inf, np.inf, 1000.0], "float32")
    x2 = np.array([-np.inf, 1.0, 1000.0], "float32")
    _check(ops.logaddexp(x1, x2), np.logaddexp(x1, x2), F32)


def test_divide_no_nan():
    x2 = np.array([0.0, 2.0, -4.0, 0.0], "float32")
    x1 = np.array([1.0, 1.0, 2.0, 0.0], "float32")
    _check(ops.divide_no_nan(x1, x2), [0.0, 0.5, -0.5, 0.0], F32, "float32")


def test_signbit():
    # NaN's sign bit is left out: engines do not agree on the sign of the NaNs they make.
    numbers = SPECIALS[~np.isnan(SPECIALS)]
    _check(ops.signbit(numbers), np.signbit(numbers), dtype="bool")
    _check(ops.signbit(INTS), np.signbit(INTS), dtype="bool")


def test_special_value_tests():
    for name in ("isneginf", "isposinf"):
        _check(getattr(ops, name)(SPECIALS), getattr(np, name)(SPECIALS), dtype="bool")
    _check(ops.isreal(A), np.isreal(A), dtype="bool")


def test_real_imag_conj_of_real_tensors():
    _check(ops.real(A), A)
    _check(ops.imag(A), np.zeros_like(A))
    _check(ops.conj(A), A)
    _check(ops.conjugate(INTS), INTS)


def test_nan_to_num():
    _check(ops.nan_to_num(SPECIALS), np.nan_to_num(SPECIALS), dtype="float32")
    expected = np.nan_to_num(SPECIALS, nan=-1.0, posinf=9.0, neginf=-9.0)
    _check(ops.nan_to_num(SPECIALS, nan=-1.0, posinf=9.0, neginf=-9.0), expected)
    _check(ops.nan_to_num(INTS), INTS)


def test_isclose_and_allclose():
    x1 = np.array([1.0, 1.0, np.inf, np.nan, -np.inf, 1e-9], "float32")
    x2 = np.array([1.0 + 1e-6, 1.1, np.inf, np.nan, np.inf, 0.0], "float32")
    _check(ops.isclose(x1, x2), np.isclose(x1, x2), dtype="bool")
    _check(ops.isclose(x1, x2, equal_nan=True), np.isclose(x1, x2, equal_nan=True))
    _check(ops.isclose(x1, x2, rtol=0.2), np.isclose(x1, x2, rtol=0.2))
    assert bool(_np(ops.allclose(A, A * np.float32(1 + 2e-6))))
    assert not bool(_np(ops.allclose(A, A + 1e-3)))


def test_isin():
    _check(ops.isin(INTS, [1, -3, 5]), np.isin(INTS, [1, -3, 5]), dtype="bool")
    _check(ops.isin(INTS, [1, -3, 5], invert=True), np.isin(INTS, [1, -3, 5], invert=True))


def test_logical_xor():
    _check(ops.logical_xor(INTS > 0, INTS), np.logical_xor(INTS > 0, INTS), dtype="bool")


def test_gcd_lcm_nextafter():
    x1 = np.array([12, -18, 0, 7, 0, 1 << 20], "int32")
    x2 = np.array([8, 12, 5, -21, 0, 6], "int32")
    _check(ops.gcd(x1, x2), np.gcd(x1, x2), dtype="int32")
    _check(ops.lcm(x1, x2), np.lcm(x1, x2), dtype="int32")
    toward = np.array([2.0, -np.inf, 0.0, 1.0], "float32")
    start = np.array([1.0, 0.0, 1e-3, 1.0], "float32")
    _check(ops.nextafter(start, toward), np.nextafter(start, toward), dtype="float32")


COMPILED_BITS = [
    ("nextafter", lambda x: ops.nextafter(x, 2.0), lambda x: np.nextafter(x, np.float32(2.0))),
    ("view", lambda x: ops.view(x, "int32"), lambda x: x.view("int32")),
]


@pytest.mark.parametrize("name, fn, ref", COMPILED_BITS, ids=[c[0] for c in COMPILED_BITS])
def test_bit_ops_in_a_compiled_function(name, fn, ref):
    x = np.array([1.0, 3.0], "float32")
    compiled = ops.compile(fn)
    if f"numpy.{name}" in getattr(backend.engine, "SKIPS", {}):
        # PyTensor has no such op for its graphs: eager only (see SKIPS).
        with pytest.raises(NotImplementedError, match="eagerly only"):
            compiled(ops.convert_to_tensor(x))
        return
    _check(compiled(ops.convert_to_tensor(x)), ref(x))


@pytest.mark.parametrize(
    "x, dtype",
    [(B, "int32"), (INTS, "float32"), (INTS, "uint8"), (INTS.astype("uint8"), "int32"),
     (B.astype("float16"), "int16"), (B.astype("float16"), "float32")],
    ids=lambda v: str(v) if isinstance(v, str) else str(v.dtype),
)  # fmt: skip
def test_view(x, dtype):
    _check(ops.view(x, dtype), np.ascontiguousarray(x).view(dtype), dtype=dtype)


def test_ldexp():
    _check(ops.ldexp(A, INTS), np.ldexp(A, INTS), F32, "float32")
    with pytest.raises(TypeError, match="integers"):
        ops.ldexp(A, A)


BITWISE = [
    ("bitwise_and", np.bitwise_and),
    ("bitwise_or", np.bitwise_or),
    ("bitwise_xor", np.bitwise_xor),
]


@pytest.mark.parametrize("name, ref", BITWISE, ids=[b[0] for b in BITWISE])
def test_bitwise_binary(name, ref):
    _check(getattr(ops, name)(INTS, NONZERO_INTS), ref(INTS, NONZERO_INTS), dtype="int32")
    bools = INTS > 0
    _check(getattr(ops, name)(bools, NONZERO_INTS > 0), ref(bools, NONZERO_INTS > 0), dtype="bool")


def test_bitwise_not_and_shifts():
    _check(ops.bitwise_not(INTS), np.bitwise_not(INTS), dtype="int32")
    _check(ops.bitwise_invert(INTS > 0), np.invert(INTS > 0), dtype="bool")
    shifts = np.abs(INTS) % 4
    _check(ops.left_shift(INTS, shifts), np.left_shift(INTS, shifts), dtype="int32")
    _check(ops.right_shift(INTS, shifts), np.right_shift(INTS, shifts), dtype="int32")
    _check(ops.bitwise_left_shift(INTS, 2), np.left_shift(INTS, 2))
    _check(ops.bitwise_right_shift(INTS, 1), np.right_shift(INTS, 1))


def test_select():
    x = np.arange(8, dtype="int32")
    expected = np.select([x < 2, x > 5], [x, x * x], default=-1)
    _check(ops.select([x < 2, x > 5], [x, x * x], default=-1), expected, dtype="int32")
    with pytest.raises(ValueError, match="as long"):
        ops.select([x < 2], [x, x])


# --------------------------------------------------------------------------- reductions

AXES = [None, 1, (0, 2)]
REDUCTIONS = [
    ("amax", np.amax, A),
    ("amin", np.amin, A),
    ("ptp", np.ptp, A),
    ("median", np.median, A),
    ("nansum", np.nansum, WITH_NAN),
    ("nanprod", np.nanprod, WITH_NAN),
    ("nanmean", np.nanmean, WITH_NAN),
    ("nanvar", np.nanvar, WITH_NAN),
    ("nanstd", np.nanstd, WITH_NAN),
    ("nanmax", np.nanmax, WITH_NAN),
    ("nanmin", np.nanmin, WITH_NAN),
    ("nanmedian", np.nanmedian, WITH_NAN),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns of the all-NaN slice
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), ((0, 2), False)], ids=str)
@pytest.mark.parametrize("name, ref, x", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduction(name, ref, x, axis, keepdims):
    expected = ref(_f64(x), axis=axis, keepdims=keepdims)
    _check(getattr(ops, name)(x, axis=axis, keepdims=keepdims), expected, SUMS, "float32")


@pytest.mark.parametrize(
    "method, axis",
    [("linear", None), ("linear", (0, 1)), ("lower", -1), ("higher", -1), ("midpoint", -1),
     ("nearest", -1)],
    ids=str,
)  # fmt: skip
def test_quantile(method, axis):
    q = np.array([0.0, 0.1, 0.5, 0.9, 1.0], "float32")
    expected = np.quantile(_f64(A), q, axis=axis, method=method)
    _check(ops.quantile(A, q, axis=axis, method=method), expected, SUMS, "float32")
    expected = np.percentile(_f64(A), 30.0, axis=axis, method=method, keepdims=True)
    _check(ops.percentile(A, 30.0, axis=axis, method=method, keepdims=True), expected, SUMS)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns of the all-NaN slice
@pytest.mark.parametrize("axis", [None, 0], ids=str)
def test_nanquantile(axis):
    q = np.array([0.25, 0.5, 0.8], "float32")
    _check(
        ops.nanquantile(WITH_NAN, q, axis=axis), np.nanquantile(_f64(WITH_NAN), q, axis=axis), SUMS
    )
    expected = np.nanpercentile(_f64(WITH_NAN), 75.0, axis=axis)
    _check(ops.nanpercentile(WITH_NAN, 75.0, axis=axis), expected, SUMS)


def test_quantile_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method must be one of"):
        ops.quantile(A, 0.5, method="cubic")


@pytest.mark.parametrize("axis", [None, 0, 2])
def test_nan_arg_reductions(axis):
    _check(
        ops.nanargmax(WITH_NAN[0], axis=None if axis is None else 0),
        np.nanargmax(WITH_NAN[0], axis=None if axis is None else 0),
        dtype="int32",
    )
    x = np.where(np.isnan(WITH_NAN), 0.5, WITH_NAN)
    x[0, 0, 1] = np.nan
    _check(ops.nanargmin(x, axis=axis), np.nanargmin(x, axis=axis))
    _check(
        ops.nanargmax(x, axis=axis, keepdims=True),
        np.argmax(np.nan_to_num(x, nan=-9), axis=axis, keepdims=True),
    )


@pytest.mark.parametrize("axis", [None, 1])
def test_cumulative(axis):
    _check(ops.cumprod(A, axis=axis), np.cumprod(_f64(A), axis=axis), SUMS, "float32")
    small = np.clip(INTS, -2, 2)
    _check(ops.cumprod(small, axis=axis), np.cumprod(small, axis=axis), dtype="int32")
    _check(ops.cumprod(small, axis=axis, dtype="float32"), np.cumprod(small, axis=axis), SUMS)
    _check(ops.nancumsum(WITH_NAN, axis=axis), np.nancumsum(_f64(WITH_NAN), axis=axis), SUMS)
    _check(ops.nancumprod(WITH_NAN, axis=axis), np.nancumprod(_f64(WITH_NAN), axis=axis), SUMS)


def test_cumprod_of_bools_widens():
    _check(ops.cumprod(INTS > -5), np.cumprod(INTS > -5).astype("int32"), dtype="int32")


def test_average():
    weights = np.abs(A) + 0.1
    _check(ops.average(A), np.average(A), SUMS, "float32")
    _check(ops.average(A, axis=1, weights=weights), np.average(A, 1, weights), SUMS)
    w1 = np.array([1.0, 2.0, 0.5, 0.25], "float32")
    _check(ops.average(A, axis=-1, weights=w1), np.average(A, -1, w1), SUMS)
    with pytest.raises(ValueError, match="weights of shape"):
        ops.average(A, weights=w1)


# --------------------------------------------------------------------------- linear algebra


@pytest.mark.parametrize("offset", [0, 1, -2, 7])
def test_diagonal_and_trace(offset):
    _check(ops.diagonal(M, offset), np.diagonal(M, offset), dtype="float32")
    _check(ops.diagonal(A, offset, 2, 0), np.diagonal(A, offset, 2, 0))
    _check(ops.trace(M, offset), np.trace(_f64(M), offset), SUMS)
    _check(ops.trace(INTS, offset, 1, 2), np.trace(INTS, offset, 1, 2), dtype="int32")


@pytest.mark.parametrize("k", [0, 2, -1])
def test_diag_and_diagflat(k):
    v = np.arange(1, 4, dtype="int32")
    _check(ops.diag(v, k), np.diag(v, k), dtype="int32")
    _check(ops.diag(M, k), np.diag(M, k))
    _check(ops.diagflat(B[:2, :2], k), np.diagflat(B[:2, :2], k))


def test_products():
    _check(ops.outer(A[0], B[0]), np.outer(_f64(A[0]), B[0]), F32)
    _check(ops.inner(A, B), np.inner(_f64(A), B), SUMS)
    _check(ops.inner(2.0, B), np.inner(2.0, B), F32)
    _check(ops.vdot(A[0], B), np.vdot(_f64(A[0]), B), SUMS)
    _check(ops.kron(B[:2, :3], M[:3, :2]), np.kron(_f64(B[:2, :3]), M[:3, :2]), F32)
    _check(ops.kron(INTS[0, 0], INTS[1]), np.kron(INTS[0, 0], INTS[1]), dtype="int32")


@pytest.mark.parametrize(
    "sa, sb, kwargs",
    [((4, 3), (4, 3), {}), ((4, 2), (4, 3), {}), ((4, 3), (1, 2), {}), ((4, 2), (4, 2), {}),
     ((3, 4), (3, 4), {"axis": 0}), ((3, 4), (4, 3), {"axisa": 0, "axisc": 0})],
    ids=str,
)  # fmt: skip
def test_cross(sa, sb, kwargs):
    a, b = _rng.randn(*sa).astype("float32"), _rng.randn(*sb).astype("float32")
    _check(ops.cross(a, b, **kwargs), _cross(_f64(a), b, **kwargs), SUMS)


def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    # NumPy 2 deprecates 2-component vectors: they are given z = 0 here.
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    flat = a.shape[-1] == 2 and b.shape[-1] == 2
    a = np.concatenate([a, np.zeros(a.shape[:-1] + (3 - a.shape[-1],))], -1)
    b = np.concatenate([b, np.zeros(b.shape[:-1] + (3 - b.shape[-1],))], -1)
    out = np.cross(a, b)
    return out[..., 2] if flat else np.moveaxis(out, -1, axisc)


def test_vander_trapezoid_corrcoef():
    v = np.array([1.0, 2.0, -1.5, 0.5], "float32")
    _check(ops.vander(v), np.vander(v), F32)
    _check(ops.vander(v, 3, increasing=True), np.vander(v, 3, increasing=True), F32)
    _check(ops.trapezoid(A), np.trapezoid(_f64(A)), SUMS, "float32")
    _check(ops.trapezoid(A, dx=0.5, axis=1), np.trapezoid(_f64(A), dx=0.5, axis=1), SUMS)
    points = np.cumsum(POS[0, 0])
    _check(ops.trapezoid(A, points), np.trapezoid(_f64(A), points), SUMS)
    _check(ops.corrcoef(M), np.corrcoef(_f64(M)), SUMS, "float32")


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("n, m", [(5, 3), (2, 5)])
def test_correlate(mode, n, m):
    a, v = _rng.randn(n).astype("float32"), _rng.randn(m).astype("float32")
    _check(ops.correlate(a, v, mode), np.correlate(_f64(a), v, mode), SUMS, "float32")


# --------------------------------------------------------------------------- shape ops (values)

SHAPE_OPS = [
    ("swapaxes", lambda m: m.swapaxes(A, 0, 2), lambda: np.swapaxes(A, 0, 2)),
    ("ravel", lambda m: m.ravel(A), lambda: np.ravel(A)),
    ("hstack", lambda m: m.hstack([A, A[:, :1]]), lambda: np.hstack([A, A[:, :1]])),
    ("hstack vectors", lambda m: m.hstack([B[0], B[1]]), lambda: np.hstack([B[0], B[1]])),
    ("vstack", lambda m: m.vstack([B, B[0]]), lambda: np.vstack([B, B[0]])),
    ("dstack", lambda m: m.dstack([B, B]), lambda: np.dstack([B, B])),
    ("dstack vectors", lambda m: m.dstack([B[0], B[1]]), lambda: np.dstack([B[0], B[1]])),
    ("append", lambda m: m.append(A, B), lambda: np.append(A, B)),
    ("append axis", lambda m: m.append(B, B[:1], axis=0), lambda: np.append(B, B[:1], axis=0)),
    ("fliplr", lambda m: m.fliplr(A), lambda: np.fliplr(A)),
    ("flipud", lambda m: m.flipud(A), lambda: np.flipud(A)),
    ("rot90", lambda m: m.rot90(B), lambda: np.rot90(B)),
    ("rot90 k2", lambda m: m.rot90(A, 2, (1, 2)), lambda: np.rot90(A, 2, (1, 2))),
    ("rot90 k3", lambda m: m.rot90(A, -1, (2, 0)), lambda: np.rot90(A, -1, (2, 0))),
    ("roll", lambda m: m.roll(A, 3), lambda: np.roll(A, 3)),
    ("roll axis", lambda m: m.roll(A, -1, axis=1), lambda: np.roll(A, -1, axis=1)),
    ("roll axes", lambda m: m.roll(A, (1, 5), (0, 2)), lambda: np.roll(A, (1, 5), (0, 2))),
    ("tril", lambda m: m.tril(A), lambda: np.tril(A)),
    ("tril k", lambda m: m.tril(M, -1), lambda: np.tril(M, -1)),
    ("triu", lambda m: m.triu(A, 1), lambda: np.triu(A, 1)),
    ("triu bools", lambda m: m.triu(M > 0), lambda: np.triu(M > 0)),
    ("diff", lambda m: m.diff(A), lambda: np.diff(A)),
    ("diff n axis", lambda m: m.diff(INTS, 2, axis=0), lambda: np.diff(INTS, 2, axis=0)),
    ("diff bools", lambda m: m.diff(M > 0), lambda: np.diff(M > 0)),
    ("get_item", lambda m: m.get_item(A, (1, slice(None), 2)), lambda: A[1, :, 2]),
    ("get_item newaxis", lambda m: m.get_item(A, (..., None, 0)), lambda: A[..., None, 0]),
]


@pytest.mark.parametrize("_, fn, ref", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_op_values(_, fn, ref):
    _check(fn(ops), ref())


@pytest.mark.parametrize("sections", [3, 4, [1, 3]], ids=str)
def test_array_split(sections):
    x = np.arange(20, dtype="float32").reshape(10, 2)
    parts = ops.array_split(x, sections)
    expected = np.array_split(x, sections)
    assert len(parts) == len(expected)
    for part, ref in zip(parts, expected):
        _check(part, ref)


@pytest.mark.parametrize(
    "name, x, sections",
    [("hsplit", np.arange(24).reshape(2, 6, 2), 3), ("hsplit", np.arange(6), [2]),
     ("vsplit", np.arange(24).reshape(4, 6), 2), ("dsplit", np.arange(24).reshape(2, 2, 6), [1, 4])],
    ids=lambda v: str(v)[:10],
)  # fmt: skip
def test_named_splits(name, x, sections):
    parts = getattr(ops, name)(x.astype("int32"), sections)
    expected = getattr(np, name)(x.astype("int32"), sections)
    assert len(parts) == len(expected)
    for part, ref in zip(parts, expected):
        _check(part, ref)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    vectors = [np.arange(2.0), np.arange(3.0), np.arange(4.0)]
    for ours, ref in zip(
        ops.meshgrid(*vectors, indexing=indexing), np.meshgrid(*vectors, indexing=indexing)
    ):
        _check(ours, ref)


def test_size_and_ndim():
    assert int(ops.size(A)) == 24
    assert ops.ndim(A) == 3
    assert ops.ndim(2.0) == 0


# --------------------------------------------------------------------------- creation


@pytest.mark.parametrize(
    "kwargs",
    [{"start": 0.0, "stop": 1.0, "num": 5}, {"start": 2, "stop": 3, "num": 4, "endpoint": False},
     {"start": -1.0, "stop": 1.0, "num": 1}, {"start": 0, "stop": 10, "num": 5, "dtype": "int32"},
     {"start": [0.0, 1.0], "stop": [1.0, 5.0], "num": 3}, {"start": [0.0, 1.0], "stop": 4.0, "num": 3, "axis": -1}],
    ids=str,
)  # fmt: skip
def test_linspace(kwargs):
    expected = np.linspace(**kwargs)
    out = ops.linspace(**kwargs)
    _check(out, expected, SUMS, kwargs.get("dtype", "float32"))


def test_linspace_retstep_and_logspace_geomspace():
    values, step = ops.linspace(1.0, 2.0, 5, retstep=True)
    ref_values, ref_step = np.linspace(1.0, 2.0, 5, retstep=True)
    _check(values, ref_values, SUMS)
    assert abs(float(_np(step)) - ref_step) < 1e-6
    _check(ops.logspace(0.0, 3.0, 4), np.logspace(0.0, 3.0, 4), SUMS, "float32")
    _check(
        ops.logspace(0.0, 3.0, 4, base=2.0, endpoint=False), np.logspace(0, 3, 4, False, 2.0), SUMS
    )
    _check(ops.geomspace(1.0, 1000.0, 4), np.geomspace(1.0, 1000.0, 4), SUMS, "float32")
    _check(ops.geomspace(-2.0, -32.0, 5), np.geomspace(-2.0, -32.0, 5), SUMS)


def test_creation():
    _check(ops.tri(3, 4, 1), np.tri(3, 4, 1), dtype="float32")
    _check(ops.tri(3, dtype="int32"), np.tri(3, dtype="int32"), dtype="int32")
    _check(ops.identity(3), np.identity(3), dtype="float32")
    _check(ops.empty((2, 3)), np.zeros((2, 3)), dtype="float32")
    _check(ops.empty_like(INTS), np.zeros_like(INTS), dtype="int32")
    _check(ops.array([1, 2], dtype="float16"), np.array([1, 2], "float16"), dtype="float16")


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("n", [0, 1, 7])
def test_windows(name, n):
    _check(getattr(ops, name)(n), getattr(np, name)(n), F32, "float32")


def test_kaiser():
    _check(ops.kaiser(8, 5.0), np.kaiser(8, 5.0), F32, "float32")


# --------------------------------------------------------------------------- searching and counting


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side):
    sequence = np.array([-1.0, 0.0, 0.0, 2.5, 3.0], "float32")
    values = np.array([[-2.0, 0.0, 1.0], [2.5, 3.0, 9.0]], "float32")
    _check(
        ops.searchsorted(sequence, values, side=side),
        np.searchsorted(sequence, values, side),
        dtype="int32",
    )
    with pytest.raises(ValueError, match="side must be"):
        ops.searchsorted(sequence, values, side="middle")


def test_digitize():
    bins = np.array([-1.0, 0.0, 0.5, 2.0], "float32")
    _check(ops.digitize(A, bins), np.digitize(A, bins), dtype="int32")
    _check(ops.digitize([0.0, 2.0, -3.0], bins), np.digitize([0.0, 2.0, -3.0], bins))


def test_argpartition_partitions():
    x = _rng.randn(3, 7).astype("float32")
    order = _np(ops.argpartition(x, 3))
    picked = np.take_along_axis(x, order, -1)
    kth = np.sort(x, -1)[:, 3:4]
    assert (picked[:, 3:4] == kth).all()
    assert (picked[:, :3] <= kth).all() and (picked[:, 4:] >= kth).all()


def test_unravel_index():
    flat = np.array([0, 5, 11, 7], "int32")
    for ours, ref in zip(ops.unravel_index(flat, (3, 4)), np.unravel_index(flat, (3, 4))):
        _check(ours, ref)


def test_bincount():
    x = np.array([0, 1, 1, 3, 6, 1], "int32")
    _check(ops.bincount(x), np.bincount(x), dtype="int32")
    _check(ops.bincount(x, minlength=9), np.bincount(x, minlength=9))
    weights = np.linspace(0.5, 3.0, 6).astype("float32")
    _check(ops.bincount(x, weights=weights), np.bincount(x, weights), F32, "float32")
    rows = np.array([[0, 2, 2], [1, 1, 0]], "int32")
    _check(ops.bincount(rows), [[1, 0, 2], [1, 2, 0]])
    with pytest.raises(ValueError, match="non-negative"):
        ops.bincount([1, -2])


@pytest.mark.parametrize("kwargs", [{}, {"bins": 4}, {"bins": 3, "range": (-1.0, 1.0)}], ids=str)
def test_histogram(kwargs):
    x = _rng.randn(50).astype("float32")
    counts, edges = ops.histogram(x, **kwargs)
    ref_counts, ref_edges = np.histogram(x, **kwargs)
    _check(counts, ref_counts, dtype="int32")
    _check(edges, ref_edges, SUMS)


def test_vectorize():
    add = ops.vectorize(lambda a, b: ops.add(a, b))
    _check(add([1, 2, 3, 4], 2), [3, 4, 5, 6])
    matvec = ops.vectorize(lambda m, v: ops.matmul(m, v), signature="(m,n),(n)->(m)")
    v = _rng.randn(4).astype("float32")
    _check(matvec(A, v), np.einsum("bij,j->bi", _f64(A), v), SUMS)
    both = ops.vectorize(
        lambda x, scale: (ops.sum(x) * scale, ops.max(x)), excluded={1}, signature="(n)->(),()"
    )
    total, top = both(A, 2.0)
    _check(total, A.sum(-1) * 2.0, SUMS)
    _check(top, A.max(-1))
    with pytest.raises(ValueError, match="names 2 inputs"):
        matvec(A, v, v)


def test_nonzero_and_unique():
    x = np.array([[0, 3, 0], [2, 0, 3]], "int32")
    for ours, ref in zip(ops.nonzero(x), np.nonzero(x)):
        _check(ours, ref, dtype="int32")
    values, index, inverse, counts = ops.unique(
        x, return_index=True, return_inverse=True, return_counts=True
    )
    refs = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for ours, ref in zip((values, index, inverse, counts), refs):
        _check(ours, ref)
    _check(ops.unique(x, size=5, fill_value=-1), [0, 2, 3, -1, -1])
    _check(ops.unique(x, size=2), [0, 2])
    _check(ops.unique(x, size=5), [0, 2, 3, 0, 0])


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


GRADS = [
    ("arcsin", np.arcsin, UNIT[0]),
    ("i0", np.i0, A[0]),
    ("cumprod", lambda x: np.cumprod(x, axis=1), POS[0]),
    ("hypot", lambda x: np.hypot(x, 0.5), A[0]),
    ("median", lambda x: np.median(x, axis=1), A[0]),
    ("nanmean", np.nanmean, A[0]),
    ("diagonal", lambda x: np.diagonal(x, 1) * np.arange(1, 4), A[0]),
    ("correlate", lambda x: np.correlate(x.ravel(), [1.0, -2.0, 0.5]) ** 2, A[0]),
    ("fmod", lambda x: np.fmod(x, 0.7), A[0]),
]
_OPS_FOR_GRAD = {
    "cumprod": lambda x: ops.cumprod(x, axis=1),
    "hypot": lambda x: ops.hypot(x, 0.5),
    "logaddexp": lambda x: ops.logaddexp(x, 0.3),
    "median": lambda x: ops.median(x, axis=1),
    "quantile": lambda x: ops.quantile(x, 0.3),
    "diagonal": lambda x: ops.multiply(ops.diagonal(x, 1), np.arange(1, 4, dtype="float32")),
    "roll": lambda x: ops.multiply(
        ops.roll(x, 1, 1), np.arange(12, dtype="float32").reshape(3, 4)
    ),
    "correlate": lambda x: ops.square(ops.correlate(ops.ravel(x), [1.0, -2.0, 0.5])),
    "fmod": lambda x: ops.fmod(x, 0.7),
}


@pytest.mark.parametrize("name, ref, x", GRADS, ids=[g[0] for g in GRADS])
def test_gradients_match_finite_differences(name, ref, x):
    fn = _OPS_FOR_GRAD.get(name, getattr(ops, name))
    np.testing.assert_allclose(_grad(fn, x), _finite_diff(ref, x), rtol=1e-3, atol=1e-3)


COMPILED = [
    ("nanquantile", lambda x: ops.nanquantile(x, [0.2, 0.7], axis=0)),
    ("diagonal", lambda x: ops.trace(x, 1, 1, 2)),
    ("roll", lambda x: ops.roll(ops.tril(x), 2, axis=-1)),
    ("cumprod", lambda x: ops.cumprod(x, axis=1)),
    ("gcd", lambda x: ops.gcd(ops.cast(ops.nan_to_num(x) * 10, "int32"), 6)),
]


def test_compiled_ops_match_eager():
    # One function for them all: PyTensor compiles each new graph in seconds.
    def every(x):
        return [fn(x) for _, fn in COMPILED]

    outputs = ops.compile(every)(ops.convert_to_tensor(WITH_NAN))
    for (name, fn), out in zip(COMPILED, outputs):
        np.testing.assert_allclose(_np(out), _np(fn(WITH_NAN)), err_msg=name, **SUMS)


def test_divide_no_nan_gradient_is_finite_at_zero():
    grads = _grad(lambda x: ops.divide_no_nan(1.0, x), np.array([0.0, 2.0], "float32"))
    np.testing.assert_allclose(grads, [0.0, -0.25], **GRAD)


# --------------------------------------------------------------------------- dtypes against Keras


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip(f"Keras 3 cannot run on the {ENGINE} engine here")
    return module


FLOATS, INTS_2D = B, INTS[0]
DTYPE_CASES = [
    ("tan", (INTS_2D,)),
    ("arctan2", (INTS_2D, INTS_2D)),
    ("fmod", (INTS_2D, NONZERO_INTS[0])),
    ("fabs", (INTS_2D,)),
    ("trunc", (INTS_2D,)),
    ("logaddexp", (INTS_2D, FLOATS)),
    ("isin", (INTS_2D, INTS_2D[0])),
    ("gcd", (INTS_2D, NONZERO_INTS[0])),
    ("nextafter", (FLOATS, 0.0)),
    ("bitwise_and", (INTS_2D, INTS_2D)),
    ("median", (INTS_2D,)),
    ("nansum", (INTS_2D,)),
    ("nanprod", (INTS_2D,)),
    ("nancumsum", (INTS_2D.astype("int8"),)),
    ("absolute", (INTS_2D > 0,)),
    ("heaviside", (FLOATS, 1)),
    ("cumprod", (INTS_2D,)),
    ("diagonal", (INTS_2D,)),
    ("outer", (INTS_2D[0], FLOATS[0])),
    ("kron", (INTS_2D, INTS_2D)),
    ("diff", (INTS_2D,)),
    ("searchsorted", (np.sort(FLOATS[0]), FLOATS[1])),
    ("digitize", (FLOATS, np.sort(FLOATS[0]))),
    ("argpartition", (FLOATS, 1)),
    ("linspace", (0, 5, 4)),
    ("tri", (3,)),
    ("hamming", (5,)),
]


@pytest.mark.parametrize("name, args", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_dtype_matches_keras(keras, name, args):
    ours = getattr(ops, name)(*args)
    theirs = getattr(keras.ops, name)(*args)
    assert ops.dtype(ours) == keras.backend.standardize_dtype(theirs.dtype)


# --------------------------------------------------------------------------- shape rules

SHAPES = [
    ("diagonal", lambda: ops.diagonal(A, 0, 1, 2), (2, 3)),
    ("diag vector", lambda: ops.diag(B[0], -2), (6, 6)),
    ("trace", lambda: ops.trace(A, axis1=0, axis2=2), (3,)),
    ("cross 2-D", lambda: ops.cross(B[:, :2], B[:, 1:3]), (3,)),
    ("kron", lambda: ops.kron(A, B), (2, 9, 16)),
    ("inner", lambda: ops.inner(A, B), (2, 3, 3)),
    ("quantile", lambda: ops.quantile(A, [0.1, 0.2], axis=1, keepdims=True), (2, 2, 1, 4)),
    ("median", lambda: ops.median(A, axis=(0, 2)), (3,)),
    ("linspace axis", lambda: ops.linspace([0.0, 1.0], 2.0, 7, axis=1), (2, 7)),
    ("vstack", lambda: ops.vstack([B[0], B[1], B]), (5, 4)),
    ("dstack", lambda: ops.dstack([B[0], B[1]]), (1, 4, 2)),
    ("rot90", lambda: ops.rot90(A, axes=(0, 2)), (4, 3, 2)),
    ("swapaxes", lambda: ops.swapaxes(A, 0, -1), (4, 3, 2)),
    ("vander", lambda: ops.vander(B[0], 6), (4, 6)),
    ("correlate same", lambda: ops.correlate(B[0], M[0], "same"), (5,)),
    ("nanargmax keepdims", lambda: ops.nanargmax(A, axis=1, keepdims=True), (2, 1, 4)),
    ("histogram", lambda: ops.histogram(A, bins=6)[1], (7,)),
    ("meshgrid xy", lambda: ops.meshgrid(B[0], A[0, 0, :3])[0], (3, 4)),
    ("bincount rows", lambda: ops.bincount(np.array([[0, 4]], "int32"), minlength=2), (1, 5)),
]


@pytest.mark.parametrize("_, fn, shape", SHAPES, ids=[s[0] for s in SHAPES])
def test_shape_rules(_, fn, shape):
    assert tuple(ops.shape(fn())) == shape


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="2 or 3 components"):
        ops.cross(A, A)
    with pytest.raises(ValueError, match="at least 2 dims"):
        ops.diagonal(B[0])
    with pytest.raises(ValueError, match="at least 2 dims"):
        ops.triu(B[0])
    with pytest.raises(ValueError, match="mode must be"):
        ops.correlate(B[0], B[1], "middle")
    with pytest.raises(ValueError, match="indexing must be"):
        ops.meshgrid(B[0], indexing="yx")
    with pytest.raises(ValueError, match="sparse"):
        ops.bincount([1, 2], sparse=True)
