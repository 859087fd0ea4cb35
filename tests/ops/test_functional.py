"""lamina.ops.functional: value_and_grad, compile and eval_shape.

Gradients are checked against analytic ones (float32, rtol 1e-5) and against
central finite differences (float32, step 1e-2, rtol 1e-2). Shape tests of
eval_shape are kept apart from value tests.
"""

import ast
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.backend import engine
from lamina.backend._spec import TensorSpec

GRAD = {"rtol": 1e-5, "atol": 1e-6}
FINITE_DIFF = {"rtol": 1e-2, "atol": 1e-3}


def _np(x):
    return ops.convert_to_numpy(x)


def _randn(*shape):
    return np.random.randn(*shape).astype("float32")


def _mean(x):
    return ops.moments(x, None)[0]


def _quadratic(params, x):
    """mean((x @ w + b) ** 2), whose gradient is known in closed form."""
    w, b = params
    y = ops.matmul(x, w) + b
    return _mean(y * y)


def _quadratic_grads(w, b, x):
    y = x @ w + b
    dy = 2 * y / y.size
    return [x.T @ dy, dy.sum(axis=0)]


def _finite_diff(f, params, step=1e-2):
    """Central differences of scalar f with respect to every entry of every param."""
    grads = []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            shifted = []
            for sign in (1, -1):
                moved = [q.copy() for q in params]
                moved[i][idx] += sign * step
                shifted.append(float(_np(f(moved))))
            g[idx] = (shifted[0] - shifted[1]) / (2 * step)
        grads.append(g)
    return grads


# --------------------------------------------------------------------------- contract


def test_engine_exports_contract_names():
    for name in ("value_and_grad", "compile", "eval_shape"):
        assert callable(getattr(engine.functional, name))
    assert sorted(ops.functional.__all__) == ["compile", "eval_shape", "value_and_grad"]


def _public_signatures(engine_name: str) -> dict:
    """Public functions of an engine's functional module, read from its source.

    Parsing instead of importing keeps the other engine out of this process.
    """
    path = Path(lamina.__file__).parent / "backend" / engine_name / "functional.py"
    tree = ast.parse(path.read_text())
    return {
        node.name: ast.unparse(node.args)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def test_engines_share_signatures():
    tf_functions, jax_functions = _public_signatures("tensorflow"), _public_signatures("jax")
    assert tf_functions == jax_functions
    assert sorted(tf_functions) == [
        "compile",
        "compiles_eager_calls",
        "eval_shape",
        "value_and_grad",
    ]


# --------------------------------------------------------------------------- value_and_grad


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_value_and_grad_matches_analytic_gradients(compiled):
    w, b, x = _randn(3, 2), _randn(2), _randn(5, 3)
    g = ops.value_and_grad(_quadratic)
    if compiled:
        g = ops.compile(g)
    value, grads = g([w, b], x)
    y = x @ w + b
    np.testing.assert_allclose(float(_np(value)), np.mean(y * y), **GRAD)
    assert isinstance(grads, list) and len(grads) == 2
    for got, expected in zip(grads, _quadratic_grads(w, b, x), strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(_np(got), expected, **GRAD)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_value_and_grad_of_cross_entropy_is_softmax_minus_target(compiled):
    logits, target = _randn(4, 5), np.eye(5, dtype="float32")[[0, 3, 1, 4]]

    def loss(params, target):
        return _mean(ops.categorical_crossentropy(target, params[0], from_logits=True))

    g = ops.value_and_grad(loss)
    g = ops.compile(g) if compiled else g
    _, (grad,) = g([logits], target)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected = (e / e.sum(axis=1, keepdims=True) - target) / 4
    np.testing.assert_allclose(_np(grad), expected, **GRAD)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("conv", lambda p, x: _mean(ops.tanh(ops.conv(x, p[0], 2, "same", "channels_first")))),
        ("depthwise", lambda p, x: _mean(ops.gelu(ops.depthwise_conv(x, p[0], 1, "valid")))),
        (
            "pool",
            lambda p, x: _mean(
                ops.average_pool(ops.elu(ops.multiply(x, p[0][0, 0, :, 0])), 2, 1, "same")
            ),
        ),
    ],
)
def test_value_and_grad_matches_finite_differences(name, fn):
    x = _randn(1, 3, 4, 3) if name == "conv" else _randn(1, 4, 4, 3)
    kernel = _randn(2, 2, 3, 2)
    _, (grad,) = ops.value_and_grad(fn)([kernel], x)
    # Compiled once, the many perturbed evaluations stay fast.
    expected = _finite_diff(ops.compile(lambda params: fn(params, x)), [kernel])[0]
    np.testing.assert_allclose(_np(grad), expected, **FINITE_DIFF)


def _np_max_pool_grad(x, upstream, window, padding):
    """Gradient of 2-D channels_last max pooling with strides == window: each
    window's upstream gradient goes to its first maximum in row-major order."""
    n, h, w, c = x.shape
    oh, ow = upstream.shape[1:3]
    if padding == "same":
        top = (oh * window[0] - h) // 2
        left = (ow * window[1] - w) // 2
    else:
        top = left = 0
    grad = np.zeros_like(x)
    for b, i, j, k in np.ndindex(n, oh, ow, c):
        best, where = -np.inf, None
        for di, dj in np.ndindex(*window):
            r, s = i * window[0] + di - top, j * window[1] + dj - left
            if 0 <= r < h and 0 <= s < w and x[b, r, s, k] > best:
                best, where = x[b, r, s, k], (b, r, s, k)
        grad[where] += upstream[b, i, j, k]
    return grad


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding, size", [("valid", (6, 4)), ("valid", (7, 5)), ("same", (7, 5))])
@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_max_pool_gradient_goes_to_the_first_maximum(data_format, padding, size, compiled):
    # Rounded values make ties inside windows: the first maximum takes the
    # whole gradient on every engine, as TensorFlow's and torch's kernels do.
    x = np.round(np.random.randn(2, *size, 3) * 1.5).astype("float32")
    window = (2, 2)
    upstream_shape = ops.max_pool(x, window, padding=padding).shape
    upstream = np.arange(np.prod(upstream_shape), dtype="float32").reshape(upstream_shape)
    to_format = (
        (lambda a: np.moveaxis(a, -1, 1)) if data_format == "channels_first" else np.asarray
    )

    def fn(params, upstream):
        pooled = ops.max_pool(params[0], window, padding=padding, data_format=data_format)
        return ops.sum(pooled * upstream)

    g = ops.value_and_grad(fn)
    g = ops.compile(g) if compiled else g
    _, (grad,) = g([to_format(x)], to_format(upstream))
    expected = _np_max_pool_grad(x, upstream, window, padding)
    np.testing.assert_array_equal(_np(grad), to_format(expected))


def test_value_and_grad_with_aux():
    w, b, x = _randn(3, 2), _randn(2), _randn(5, 3)

    def fn(params, x):
        y = ops.matmul(x, params[0]) + params[1]
        return _mean(y * y), {"y": y}

    (value, aux), grads = ops.value_and_grad(fn, has_aux=True)([w, b], x)
    np.testing.assert_allclose(_np(aux["y"]), x @ w + b, **GRAD)
    np.testing.assert_allclose(float(_np(value)), np.mean((x @ w + b) ** 2), **GRAD)
    np.testing.assert_allclose(_np(grads[0]), _quadratic_grads(w, b, x)[0], **GRAD)


def test_value_and_grad_gives_zeros_for_unused_params():
    def fn(params, x):
        return _mean(params[0] * x)

    _, grads = ops.value_and_grad(fn)([_randn(3), _randn(2, 2)], _randn(3))
    np.testing.assert_array_equal(_np(grads[1]), np.zeros((2, 2), "float32"))


@pytest.mark.parametrize("compiled", [False, True])
def test_value_and_grad_of_a_gather_is_a_dense_tensor(compiled):
    # TensorFlow differentiates gathers into IndexedSlices; lamina's grads are tensors.
    table = _randn(5, 3)

    def fn(params, ids):
        return ops.sum(ops.take(params[0], ids, axis=0))

    step = ops.value_and_grad(fn)
    if compiled:
        step = ops.compile(step)
    _, grads = step([table], np.array([0, 2, 2], "int32"))
    expected = np.zeros((5, 3), "float32")
    expected[0] += 1.0
    expected[2] += 2.0
    np.testing.assert_allclose(_np(grads[0]), expected, **GRAD)


# --------------------------------------------------------------------------- compile


def test_compile_gives_eager_values():
    def fn(x, y):
        return ops.multiply(ops.relu(x), y), [ops.sigmoid(x)]

    x, y = _randn(4, 3), _randn(4, 3)
    eager = fn(x, y)
    compiled = ops.compile(fn)(x, y)
    np.testing.assert_allclose(_np(compiled[0]), _np(eager[0]), **GRAD)
    np.testing.assert_allclose(_np(compiled[1][0]), _np(eager[1][0]), **GRAD)


@pytest.mark.parametrize("jit_compile", [None, True, False])
def test_compile_jit_compile_setting(jit_compile):
    fn = ops.compile(lambda x: ops.softplus(x) + 1.0, jit_compile=jit_compile)
    x = _randn(6)
    np.testing.assert_allclose(_np(fn(x)), np.logaddexp(0, x) + 1, **GRAD)


def test_compile_with_donated_state():
    """A training-step shape: the state goes in, a new state comes out."""

    def step(state, x):
        (loss, grads) = ops.value_and_grad(_quadratic)(state, x)
        return [p - 0.1 * g for p, g in zip(state, grads, strict=True)], loss

    w, b, x = _randn(3, 2), _randn(2), _randn(5, 3)
    expected = [p - 0.1 * g for p, g in zip([w, b], _quadratic_grads(w, b, x), strict=True)]
    compiled = ops.compile(step, donate_argnums=(0,))
    # Donation applies to engine buffers, not to NumPy data: make engine copies.
    state = ops.compile(lambda s: [p + 0.0 for p in s])([w, b])
    new_state, _ = compiled(state, x)
    for got, want in zip(new_state, expected, strict=True):
        np.testing.assert_allclose(_np(got), want, **GRAD)


def test_compiled_function_called_again_with_new_shapes_and_arguments():
    """Repeated calls: new batch sizes, Python constants, None, dicts, engine tensors.

    Engines may cache compiled forms per argument signature (TensorFlow keys
    its calls by nesting, shapes and dtypes); every call must still compute
    from its own arguments.
    """

    def fn(state, x, scale, bias):
        w, b = state
        y = ops.matmul(x, w) + b
        if bias is not None:
            y = y + bias["shift"]
        return {"y": y * scale, "sum": ops.sum(y)}, [w + 1.0]

    w, b = _randn(3, 2), _randn(2)
    compiled = ops.compile(fn)
    for batch, scale, bias in [
        (4, 2.0, None),
        (4, 2.0, None),
        (4, 3.0, None),
        (1, 3.0, None),
        (4, 2.0, {"shift": _randn(2)}),
        (7, 2.0, None),
    ]:
        x = _randn(batch, 3)
        for state in ([w, b], (ops.convert_to_tensor(w), ops.convert_to_tensor(b))):
            got, (new_w,) = compiled(state, x, scale, bias)
            want = x @ w + b + (0.0 if bias is None else bias["shift"])
            np.testing.assert_allclose(_np(got["y"]), want * scale, **GRAD)
            np.testing.assert_allclose(_np(got["sum"]), want.sum(), rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(_np(new_w), w + 1.0, **GRAD)


# --------------------------------------------------------------------------- eval_shape: shapes


def _conv_net(x, kernel):
    y = ops.conv(x, kernel, strides=2, padding="same")
    return ops.max_pool(ops.relu(y), 2)


EVAL_SHAPES = [
    # input shape, expected output shape
    ((None, 8, 8, 3), (None, 2, 2, 4)),
    ((2, 8, 8, 3), (2, 2, 2, 4)),
    ((None, None, 16, 3), (None, None, 4, 4)),
]


@pytest.mark.parametrize("in_shape, out_shape", EVAL_SHAPES)
def test_eval_shape_of_conv_net(in_shape, out_shape):
    out = ops.eval_shape(_conv_net, TensorSpec(in_shape, "float32"), TensorSpec((3, 3, 3, 4)))
    assert out == TensorSpec(out_shape, "float32")


def test_eval_shape_keeps_output_structure_and_dtypes():
    def fn(x, ids):
        return {"probs": ops.softmax(x), "pair": (ops.one_hot(ids, 7, dtype="int32"), x[:, 0])}

    out = ops.eval_shape(fn, TensorSpec((None, 5), "float16"), TensorSpec((None,), "int32"))
    assert out == {
        "probs": TensorSpec((None, 5), "float16"),
        "pair": (TensorSpec((None, 7), "int32"), TensorSpec((None,), "float16")),
    }


def test_eval_shape_accepts_nested_specs():
    def fn(pair):
        a, b = pair
        return a * b

    out = ops.eval_shape(fn, [TensorSpec((None, 3)), TensorSpec((1, 3))])
    assert out == TensorSpec((None, 3), "float32")


@pytest.mark.skipif(
    "functional.eval_shape" in getattr(engine, "SKIPS", {}),
    reason=getattr(engine, "SKIPS", {}).get("functional.eval_shape", ""),
)
def test_eval_shape_computes_nothing():
    calls = []

    def fn(x):
        calls.append(1)
        return ops.relu(x)

    out = ops.eval_shape(fn, TensorSpec((None, 10_000, 10_000)))
    assert out == TensorSpec((None, 10_000, 10_000), "float32")
    # Tracing may call fn once per probe, but never with real data of that size.
    assert 1 <= len(calls) <= 2
