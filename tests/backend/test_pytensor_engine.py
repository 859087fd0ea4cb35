"""The PyTensor engine's own mechanics: eager NumPy and compiled graph agree,
compiled functions are cached per input signature, shapes stay static while
tracing. Runs only when this process uses the pytensor backend.

Tolerances: eager (NumPy) and compiled (PyTensor) float32 results agree to
rtol/atol 1e-5; random bits and integer results are identical, floats drawn
from them to 1e-6.
"""

import numpy as np
import pytest

from lamina import config, ops
from lamina.backend import engine
from lamina.backend._spec import TensorSpec

pytestmark = pytest.mark.skipif(
    config.backend() != "pytensor", reason="checks the pytensor engine's internals"
)

TOL = {"rtol": 1e-5, "atol": 1e-5}
_rng = np.random.RandomState(0)
IMAGES = _rng.randn(2, 7, 6, 3).astype("float32")
KERNEL = _rng.randn(3, 2, 3, 4).astype("float32")
DEPTHWISE = _rng.randn(3, 3, 3, 2).astype("float32")
SEED = np.array([3, 17], "int32")


def _both(fn, *args):
    """fn(*args) eagerly and compiled, as NumPy."""
    eager = fn(*args)
    compiled = engine.functional.compile(fn)(*[ops.convert_to_tensor(a) for a in args])

    def to_numpy(out):
        if isinstance(out, (tuple, list)):
            return tuple(ops.convert_to_numpy(o) for o in out)
        return ops.convert_to_numpy(out)

    return to_numpy(eager), to_numpy(compiled)


CASES = [
    ("weak scalar", lambda x: ops.add(ops.cast(x, "int32"), 2.5)),
    ("softmax", lambda x: ops.softmax(x, axis=1)),
    ("conv same strided", lambda x: ops.conv(x, KERNEL, 2, "same")),
    ("conv dilated", lambda x: ops.conv(x, KERNEL, 1, "valid", dilation_rate=(2, 1))),
    ("depthwise", lambda x: ops.depthwise_conv(x, DEPTHWISE, 1, "same")),
    ("max pool same", lambda x: ops.max_pool(x, 3, 2, "same")),
    ("average pool same", lambda x: ops.average_pool(x, (2, 3), 1, "same")),
    ("moments", lambda x: ops.moments(x, axes=(0, 1, 2))),
    ("top_k", lambda x: ops.top_k(ops.reshape(x, (2, -1)), 3)),
    ("cumsum", lambda x: ops.cumsum(x, axis=2)),
    ("sort", lambda x: ops.sort(x, axis=1)),
]


@pytest.mark.parametrize("fn", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_eager_and_compiled_agree(fn):
    eager, compiled = _both(fn, IMAGES)
    for e, c in zip(
        eager if isinstance(eager, tuple) else [eager],
        compiled if isinstance(compiled, tuple) else [compiled],
    ):
        assert np.asarray(e).dtype == np.asarray(c).dtype
        np.testing.assert_allclose(np.asarray(c), np.asarray(e), **TOL)


@pytest.mark.parametrize(
    "draw",
    [
        lambda s: ops.random.uniform((5, 4), seed=s),
        lambda s: ops.random.dropout(ops.ones((40,)), 0.5, seed=s),
        lambda s: ops.random.normal((5, 4), dtype="float64", seed=s),
        lambda s: ops.random.truncated_normal((50,), seed=s),
        lambda s: ops.random.randint((30,), -3, 9, seed=s),
        lambda s: ops.random.shuffle(ops.arange(10), seed=s),
    ],
    ids=["uniform", "dropout", "normal64", "truncated", "randint", "shuffle"],
)
def test_random_draws_are_the_same_eagerly_and_with_a_traced_seed(draw):
    eager, compiled = _both(draw, SEED)
    if eager.dtype.kind == "f":
        # The bits are identical; log, cos and erfinv may differ in the last place
        # between NumPy and the C library.
        np.testing.assert_allclose(compiled, eager, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(compiled, eager)


def test_random_draws_look_random():
    values = ops.convert_to_numpy(ops.random.normal((20000,), seed=SEED))
    assert abs(values.mean()) < 0.03 and abs(values.std() - 1) < 0.03
    truncated = ops.convert_to_numpy(ops.random.truncated_normal((20000,), seed=SEED))
    assert truncated.min() >= -2 and truncated.max() <= 2
    other = ops.convert_to_numpy(ops.random.normal((20000,), seed=np.array([3, 18])))
    assert abs(np.corrcoef(values, other)[0, 1]) < 0.03


def test_channels_first_conv_is_channels_last_transposed():
    first = np.transpose(IMAGES, (0, 3, 1, 2))
    out_last = ops.convert_to_numpy(ops.conv(IMAGES, KERNEL, 1, "same", "channels_last"))
    out_first = ops.convert_to_numpy(ops.conv(first, KERNEL, 1, "same", "channels_first"))
    np.testing.assert_allclose(np.transpose(out_first, (0, 2, 3, 1)), out_last, **TOL)


def test_compile_caches_per_signature_and_relaxes_changing_dims():
    traces = []

    def fn(x):
        traces.append(ops.shape(x))
        return ops.sum(x, axis=1)

    compiled = engine.functional.compile(fn)
    compiled(ops.ones((4, 3)))
    compiled(ops.ones((4, 3)))
    assert traces == [(4, 3)]
    compiled(ops.ones((2, 3)))
    # The second batch size makes the batch dim unknown; the feature dim stays an int.
    assert len(traces) == 2 and traces[1][1] == 3 and not isinstance(traces[1][0], int)
    out = compiled(ops.ones((7, 3)))
    assert len(traces) == 2
    np.testing.assert_array_equal(ops.convert_to_numpy(out), np.full(7, 3.0))


def test_value_and_grad_eagerly_and_compiled_agree():
    w = _rng.randn(3, 2).astype("float32")
    x = _rng.randn(5, 3).astype("float32")

    def loss(params, x):
        return ops.mean(ops.square(ops.tanh(ops.matmul(x, params[0]))))

    grad_fn = engine.functional.value_and_grad(loss)
    value, (grad,) = grad_fn([ops.convert_to_tensor(w)], x)
    compiled = engine.functional.compile(lambda p, x: grad_fn(p, x))
    value_c, (grad_c,) = compiled([ops.convert_to_tensor(w)], ops.convert_to_tensor(x))
    np.testing.assert_allclose(ops.convert_to_numpy(value_c), ops.convert_to_numpy(value), **TOL)
    np.testing.assert_allclose(ops.convert_to_numpy(grad_c), ops.convert_to_numpy(grad), **TOL)
    assert ops.dtype(grad) == "float32"


def test_eval_shape_keeps_known_dims_static():
    def fn(x):
        flat = ops.reshape(x, (ops.shape(x)[0], -1))
        return ops.conv(x, KERNEL, 1, "valid"), flat

    conv, flat = engine.functional.eval_shape(fn, TensorSpec((None, 7, 6, 3), "float32"))
    assert conv == TensorSpec((None, 5, 5, 4), "float32")
    assert flat == TensorSpec((None, 126), "float32")


def test_float64_tensors_stay_float64_while_float64_data_becomes_floatx():
    assert ops.dtype(np.ones(3)) == "float32"
    x = ops.cast(ops.ones(3), "float64")
    assert ops.dtype(ops.convert_to_tensor(x)) == "float64"
    assert ops.dtype(ops.add(x, 1.0)) == "float64"


def test_pytensor_float_default_follows_floatx():
    import pytensor

    assert pytensor.config.floatX == config.floatx()


def test_graph_scan_matches_eager_scan():
    xs = _rng.randn(6, 2).astype("float32")

    def run(xs):
        def step(carry, x):
            carry = ops.add(ops.multiply(carry, 0.5), x)
            return carry, ops.sum(carry)

        return ops.scan(step, ops.zeros((2,)), xs, reverse=True)

    (carry_e, ys_e), (carry_c, ys_c) = _both(run, xs)
    np.testing.assert_allclose(carry_c, carry_e, **TOL)
    np.testing.assert_allclose(ys_c, ys_e, **TOL)
