"""Regularizers: values against NumPy and real Keras 3, configs and get()."""

import numpy as np
import pytest

from lamina import ops, regularizers

TOL = {"rtol": 1e-6, "atol": 1e-6}


def _w():
    return np.random.default_rng(0).normal(size=(5, 4)).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_values_against_numpy():
    w = _w()
    np.testing.assert_allclose(_np(regularizers.L1(0.1)(w)), 0.1 * np.abs(w).sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(regularizers.L2(0.2)(w)), 0.2 * np.square(w).sum(), rtol=1e-6)
    expected = 0.1 * np.abs(w).sum() + 0.2 * np.square(w).sum()
    np.testing.assert_allclose(_np(regularizers.L1L2(0.1, 0.2)(w)), expected, rtol=1e-6)
    assert float(_np(regularizers.L1L2()(w))) == 0.0
    assert _np(regularizers.L2()(w)).shape == ()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("L1", {"l1": 0.05}),
        ("L2", {"l2": 0.03}),
        ("L1L2", {"l1": 0.01, "l2": 0.02}),
        ("OrthogonalRegularizer", {"factor": 0.5, "mode": "rows"}),
        ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
    ],
)
def test_matches_keras(keras_ref, name, kwargs):
    if kwargs.get("mode") == "columns" and keras_ref.backend.backend() == "numpy":
        pytest.skip(
            "Keras 3's utils.normalize takes its numpy backend's tensors for host NumPy data "
            "and turns axis=0 into -1 (`axis or -1`), so it fails on columns mode"
        )
    w = _w()
    ours = getattr(regularizers, name)(**kwargs)
    reference = getattr(keras_ref.regularizers, name)(**kwargs)
    expected = keras_ref.ops.convert_to_numpy(reference(keras_ref.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(_np(ours(w)), expected, **TOL)
    # Keras keeps some factors as float32 tensors, so its configs round them.
    expected_config = reference.get_config()
    assert ours.get_config().keys() == expected_config.keys()
    for key, value in ours.get_config().items():
        if isinstance(value, float):
            assert value == pytest.approx(expected_config[key], rel=1e-7)
        else:
            assert value == expected_config[key]


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows():
    value = regularizers.OrthogonalRegularizer(factor=1.0)(np.eye(3, dtype="float32"))
    assert abs(float(_np(value))) < 1e-7
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2), "float32"))


def test_get_and_config():
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert isinstance(regularizers.get("L1"), regularizers.L1)
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert regularizers.l2 is regularizers.L2
    reg = regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}})
    assert reg.get_config() == {"l1": 0.1, "l2": 0.0}
    for reg in (
        regularizers.L1(0.3),
        regularizers.L2(),
        regularizers.L1L2(0.1, 0.2),
        regularizers.OrthogonalRegularizer(0.1, "columns"),
    ):
        restored = regularizers.deserialize(regularizers.serialize(reg))
        assert type(restored) is type(reg) and restored.get_config() == reg.get_config()
    instance = regularizers.L2(0.5)
    assert regularizers.get(instance) is instance


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown regularizer 'l3'.*Known regularizers"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="Could not interpret"):
        regularizers.get(1.5)
