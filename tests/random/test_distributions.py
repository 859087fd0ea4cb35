"""lamina.random's gamma, beta, binomial and categorical on the engine this
process runs: moments against theory, reproducibility from seeds, shapes and
dtypes as Keras gives them.

Moments are taken over 20,000 draws with fixed seeds; each tolerance is about
five standard errors of the statistic (stated beside it), so a correct sampler
passes and a wrong parameterization (scale instead of rate, p for 1 - p) fails.
"""

import warnings

import numpy as np
import pytest

from lamina import ops
from lamina import random as lr
from lamina.testing.layer_test import keras_module

N = 20_000


def _np(x):
    return ops.convert_to_numpy(x)


# ------------------------------------------------------------------ moments


@pytest.mark.parametrize(
    "alpha, mean_tol, var_tol",
    [
        # stderr of the mean sqrt(a/N): 0.0100 and 0.0050; of the variance about
        # a * sqrt((2 + 6/a) / N): 0.0447 and 0.0300.
        (2.0, 0.05, 0.23),
        (0.5, 0.025, 0.15),
    ],
)
def test_gamma_moments(alpha, mean_tol, var_tol):
    x = _np(lr.gamma((N,), alpha=alpha, seed=7))
    assert x.shape == (N,) and x.dtype == np.float32
    assert (x >= 0).all()
    assert abs(x.mean() - alpha) < mean_tol
    assert abs(x.var() - alpha) < var_tol


def test_beta_moments():
    a, b = 2.0, 5.0
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))  # 0.02551
    x = _np(lr.beta((N,), alpha=a, beta=b, seed=7))
    assert ((x >= 0) & (x <= 1)).all()
    assert abs(x.mean() - mean) < 0.0057  # stderr 0.00113
    assert abs(x.var() - var) < 0.0012  # stderr about 0.00023


def test_binomial_moments():
    n, p = 10, 0.3
    x = _np(lr.binomial((N,), counts=n, probabilities=p, seed=7))
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, np.round(x))
    assert x.min() >= 0 and x.max() <= n
    assert abs(x.mean() - n * p) < 0.052  # stderr 0.0102
    assert abs(x.var() - n * p * (1 - p)) < 0.11  # stderr about 0.021


def test_binomial_edges():
    counts = np.array([0.0, 7.0, 7.0, 3.0], "float32")
    probabilities = np.array([0.5, 0.0, 1.0, 0.5], "float32")
    x = _np(lr.binomial((200, 4), counts=counts, probabilities=probabilities, seed=3))
    np.testing.assert_array_equal(x[:, 0], 0)
    np.testing.assert_array_equal(x[:, 1], 0)
    np.testing.assert_array_equal(x[:, 2], 7)
    assert set(np.unique(x[:, 3])) <= {0.0, 1.0, 2.0, 3.0}


def test_categorical_frequencies():
    probabilities = np.array([[0.2, 0.5, 0.3], [0.7, 0.0, 0.3]])
    logits = np.log(np.maximum(probabilities, 1e-30)).astype("float32")
    logits[1, 1] = -np.inf
    x = _np(lr.categorical(logits, N, seed=7))
    assert x.shape == (2, N) and x.dtype == np.int32
    for row in range(2):
        freq = np.bincount(x[row], minlength=3) / N
        # stderr at most sqrt(0.25 / N) = 0.0035.
        np.testing.assert_allclose(freq, probabilities[row], atol=0.018)
    assert (x[1] != 1).all()  # a class of probability 0 is never drawn


def test_parameters_broadcast_against_shape():
    alpha = np.array([1.0, 4.0, 9.0], "float32")
    x = _np(lr.gamma((N // 4, 3), alpha=alpha, seed=11))
    assert x.shape == (N // 4, 3)
    # stderr sqrt(alpha / 5000): 0.014, 0.028, 0.042
    np.testing.assert_allclose(x.mean(axis=0), alpha, atol=0.22)
    b = _np(lr.beta((N // 4, 2), alpha=np.array([1.0, 8.0]), beta=2.0, seed=11))
    np.testing.assert_allclose(b.mean(axis=0), [1 / 3, 0.8], atol=0.02)
    k = _np(lr.binomial((N // 4, 2), counts=np.array([[4.0, 20.0]]), probabilities=0.5, seed=11))
    np.testing.assert_allclose(k.mean(axis=0), [2.0, 10.0], atol=0.15)


# ------------------------------------------------------------------ seeds

# The shapes of the moment tests: on JAX each new shape or dtype compiles a program.
DRAWS = {
    "gamma": lambda seed: lr.gamma((N,), alpha=1.5, seed=seed),
    "beta": lambda seed: lr.beta((N,), alpha=1.5, beta=2.5, seed=seed),
    "binomial": lambda seed: lr.binomial((N,), counts=50, probabilities=0.4, seed=seed),
    "categorical": lambda seed: lr.categorical(np.zeros((2, 100), "float32"), 32, seed=seed),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_seed_same_numbers(name):
    draw = DRAWS[name]
    np.testing.assert_array_equal(_np(draw(3)), _np(draw(3)))
    assert not np.array_equal(_np(draw(3)), _np(draw(4)))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_seed_generator_advances_and_replays(name):
    draw = DRAWS[name]
    first = lr.SeedGenerator(5)
    a, b = _np(draw(first)), _np(draw(first))
    assert not np.array_equal(a, b)
    again = lr.SeedGenerator(5)
    np.testing.assert_array_equal(a, _np(draw(again)))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_compiled_draw_matches_eager(name):
    # A seed tensor that is an argument of a compiled function (traced on JAX,
    # TensorFlow and PyTensor) gives the numbers of the eager call, up to float
    # rounding: a compiler may fuse the arithmetic after the draw differently.
    draw = DRAWS[name]
    seed = np.array([3, 9], "int32")
    compiled = ops.compile(lambda s: draw(s))
    ours = _np(compiled(ops.convert_to_tensor(seed)))
    np.testing.assert_allclose(ours, _np(draw(seed)), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ dtypes and errors


def _engine_dtype(dtype):
    # The dtype the engine holds for `dtype`: JAX without x64 narrows 64-bit types.
    return _np(ops.zeros((1,), dtype=dtype)).dtype


def test_float_dtypes():
    # Shape (N,) as above, so JAX without x64 reuses the float32 programs.
    wide = _engine_dtype("float64")
    assert _np(lr.gamma((N,), 2.0, dtype="float64", seed=1)).dtype == wide
    assert _np(lr.beta((N,), 2.0, 3.0, dtype="float64", seed=1)).dtype == wide
    assert _np(lr.binomial((N,), 5, 0.5, dtype="float64", seed=1)).dtype == wide
    half = _np(lr.gamma((N,), 2.0, dtype="float16", seed=1))
    assert half.dtype == np.float16 and np.isfinite(half).all()


def test_categorical_dtype():
    x = _np(lr.categorical(np.zeros((2, 3), "float32"), 4, dtype="int64", seed=1))
    assert x.dtype == _engine_dtype("int64") and x.shape == (2, 4)


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="batch_size, num_classes"):
        lr.categorical(np.zeros((3,), "float32"), 2, seed=1)
    with pytest.raises(ValueError, match="integer dtype"):
        lr.categorical(np.zeros((1, 3), "float32"), 2, dtype="float32", seed=1)
    with pytest.raises(ValueError, match="dtype='int32'"):
        lr.gamma((2,), 1.0, dtype="int32", seed=1)


@pytest.mark.skipif(keras_module() is None, reason="Keras 3 cannot run on this engine")
def test_shapes_and_dtypes_as_keras():
    keras = keras_module()
    logits = np.zeros((3, 4), "float32")
    # Few cases: Keras's eager draws on JAX compile op by op, seconds each.
    cases = [
        ("binomial", ((2, 2), 5, 0.5), {}),
        ("categorical", (logits, 6), {}),
        ("categorical", (logits, 6), {"dtype": "int64"}),
    ]
    for name, args, kwargs in cases:
        ours = _np(getattr(lr, name)(*args, seed=1, **kwargs))
        with warnings.catch_warnings():
            # Keras on JAX warns that float64 is narrowed without x64; lamina narrows too.
            warnings.simplefilter("ignore")
            theirs = keras.ops.convert_to_numpy(
                getattr(keras.random, name)(*args, seed=1, **kwargs)
            )
        assert ours.shape == theirs.shape, name
        assert ours.dtype == theirs.dtype, (name, kwargs)
