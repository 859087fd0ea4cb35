"""Initializers: statistics, seeding, dtypes, config round trips and get()."""

import math

import numpy as np
import pytest

from lamina import initializers
from lamina.random import _global

SHAPE = (200, 300)  # fan_in 200, fan_out 300: 60,000 draws keep the statistics tight


def test_constant_initializers():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(initializers.Constant(2.5)((2,)), [2.5, 2.5])
    np.testing.assert_array_equal(initializers.Constant([1.0, 2.0])((3, 2)), [[1.0, 2.0]] * 3)
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((2, 3)), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2-D"):
        initializers.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="broadcast"):
        initializers.Constant([1.0, 2.0])((3, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32"])
def test_constant_dtypes(dtype):
    assert initializers.Ones()((2,), dtype=dtype).dtype == np.dtype(dtype)
    assert initializers.Zeros()((2,), dtype=dtype).dtype == np.dtype(dtype)


def test_default_dtype_is_floatx():
    assert initializers.GlorotUniform(seed=1)((3, 4)).dtype == np.float32
    assert initializers.Zeros()((3,)).dtype == np.float32


def test_random_needs_float_dtype():
    with pytest.raises(ValueError, match="float"):
        initializers.RandomNormal(seed=1)((3,), dtype="int32")


@pytest.mark.parametrize(
    "initializer, mean, std",
    [
        (initializers.RandomNormal(mean=1.0, stddev=0.5, seed=1), 1.0, 0.5),
        (initializers.RandomUniform(-2.0, 4.0, seed=1), 1.0, 6.0 / math.sqrt(12)),
        # A normal truncated at 2 sigma has 0.8796 of the untruncated stddev.
        (initializers.TruncatedNormal(mean=0.5, stddev=0.2, seed=1), 0.5, 0.2 * 0.87962566),
        (initializers.GlorotUniform(seed=1), 0.0, math.sqrt(2.0 / 500)),
        (initializers.GlorotNormal(seed=1), 0.0, math.sqrt(2.0 / 500)),
        (initializers.HeUniform(seed=1), 0.0, math.sqrt(2.0 / 200)),
        (initializers.HeNormal(seed=1), 0.0, math.sqrt(2.0 / 200)),
        (initializers.LecunUniform(seed=1), 0.0, math.sqrt(1.0 / 200)),
        (initializers.LecunNormal(seed=1), 0.0, math.sqrt(1.0 / 200)),
        (initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=1), 0.0, 0.1),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, initializers.Initializer) else None,
)
def test_statistics(initializer, mean, std):
    values = initializer(SHAPE)
    assert values.shape == SHAPE and values.dtype == np.float32
    assert abs(values.mean() - mean) < 4 * std / math.sqrt(values.size) + 1e-6
    assert values.std() == pytest.approx(std, rel=0.02)


def test_limits():
    limit = math.sqrt(6.0 / 500)
    values = initializers.GlorotUniform(seed=3)(SHAPE)
    assert values.min() >= -limit and values.max() <= limit
    assert values.max() > 0.99 * limit
    values = initializers.TruncatedNormal(stddev=1.0, seed=3)(SHAPE)
    assert np.abs(values).max() <= 2.0
    stddev = math.sqrt(2.0 / 200) / 0.87962566103423978
    values = initializers.HeNormal(seed=3)(SHAPE)
    assert np.abs(values).max() <= 2.0 * stddev + 1e-7


def test_conv_kernel_fans():
    assert initializers.compute_fans((3, 3, 8, 16)) == (72, 144)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((4, 5, 6), input_axes=(0, 1), output_axes=(2,)) == (20, 6)
    values = initializers.HeUniform(seed=0)((3, 3, 32, 64))
    limit = math.sqrt(6.0 / (9 * 32))
    assert values.min() >= -limit and values.max() <= limit
    assert values.max() > 0.99 * limit


@pytest.mark.parametrize("shape", [(6, 6), (8, 3), (3, 8), (2, 3, 4)])
def test_orthogonal(shape):
    values = initializers.Orthogonal(gain=2.0, seed=0)(shape).astype("float64")
    matrix = values.reshape(-1, shape[-1])
    if matrix.shape[0] >= matrix.shape[1]:
        gram = matrix.T @ matrix
    else:
        gram = matrix @ matrix.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)
    with pytest.raises(ValueError, match="rank 2"):
        initializers.Orthogonal()((4,))


def test_int_seed_repeats_and_none_seed_draws_fresh():
    seeded = initializers.GlorotUniform(seed=7)
    np.testing.assert_array_equal(seeded((4, 5)), seeded((4, 5)))
    np.testing.assert_array_equal(seeded((4, 5)), initializers.GlorotUniform(seed=7)((4, 5)))
    assert not np.array_equal(seeded((4, 5)), initializers.GlorotUniform(seed=8)((4, 5)))
    unseeded = initializers.GlorotUniform()
    assert not np.array_equal(unseeded((4, 5)), unseeded((4, 5)))


def test_global_seed_makes_unseeded_reproducible():
    _global.set_global_seed(123)
    first = [initializers.get("he_normal")((3, 4)), initializers.RandomUniform()((5,))]
    _global.set_global_seed(123)
    second = [initializers.get("he_normal")((3, 4)), initializers.RandomUniform()((5,))]
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_float64_draws_are_the_float32_values_widened():
    a = initializers.RandomNormal(seed=5)((10,), dtype="float64")
    b = initializers.RandomNormal(seed=5)((10,), dtype="float32")
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="x")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


ALL = [
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Constant(3.0),
    initializers.Identity(gain=0.5),
    initializers.RandomNormal(0.1, 0.2, seed=1),
    initializers.RandomUniform(-1.0, 2.0, seed=2),
    initializers.TruncatedNormal(0.0, 0.3, seed=3),
    initializers.VarianceScaling(2.0, "fan_avg", "uniform", seed=4),
    initializers.GlorotUniform(seed=5),
    initializers.GlorotNormal(seed=6),
    initializers.HeUniform(seed=7),
    initializers.HeNormal(seed=8),
    initializers.LecunUniform(seed=9),
    initializers.LecunNormal(seed=10),
    initializers.Orthogonal(gain=1.5, seed=11),
]


@pytest.mark.parametrize("initializer", ALL, ids=lambda v: type(v).__name__)
def test_config_round_trip(initializer):
    config = initializer.get_config()
    clone = type(initializer).from_config(config)
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone((4, 4)), initializer((4, 4)))
    restored = initializers.deserialize(initializers.serialize(initializer))
    assert type(restored) is type(initializer) and restored.get_config() == config
    np.testing.assert_array_equal(initializer.clone()((4, 4)), initializer((4, 4)))


@pytest.mark.parametrize("initializer", ALL, ids=lambda v: type(v).__name__)
def test_config_matches_keras(keras_ref, initializer):
    cls = getattr(keras_ref.initializers, type(initializer).__name__)
    reference = cls.from_config(initializer.get_config())
    # Keras's Identity forgets `gain` in its config; every key Keras writes must agree.
    assert reference.get_config().items() <= initializer.get_config().items()


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorot_uniform", initializers.GlorotUniform),
        ("GlorotUniform", initializers.GlorotUniform),
        ("he_normal", initializers.HeNormal),
        ("zeros", initializers.Zeros),
        ("ones", initializers.Ones),
        ("uniform", initializers.RandomUniform),
        ("normal", initializers.RandomNormal),
        ("truncated_normal", initializers.TruncatedNormal),
        ("orthogonal", initializers.Orthogonal),
        ("identity", initializers.Identity),
        ("constant", initializers.Constant),
        ("variance_scaling", initializers.VarianceScaling),
        ("lecun_uniform", initializers.LecunUniform),
    ],
)
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_other_identifiers():
    assert initializers.get(None) is None
    instance = initializers.HeNormal(seed=1)
    assert initializers.get(instance) is instance
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    from_dict = initializers.get({"class_name": "Constant", "config": {"value": 4.0}})
    np.testing.assert_array_equal(from_dict((2,)), [4.0, 4.0])

    def custom(shape, dtype=None):
        return np.full(shape, 9.0, dtype=dtype)

    assert initializers.get(custom) is custom
    array = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(array)((2, 3)), array)
    with pytest.raises(ValueError, match="shape"):
        initializers.get(array)((3, 2))


def test_get_errors():
    with pytest.raises(
        ValueError, match=r"Unknown initializer 'glorot_unifrom'.*'glorot_uniform'.*Known"
    ):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3)
    with pytest.raises(ValueError, match="class_name"):
        initializers.deserialize({"config": {}})


def test_works_as_variable_initializer():
    from lamina.backend._variable import Variable

    variable = Variable(initializers.GlorotUniform(seed=1), shape=(3, 4), dtype="float32")
    np.testing.assert_array_equal(variable.numpy(), initializers.GlorotUniform(seed=1)((3, 4)))
