"""Constraints: values against NumPy and real Keras 3, configs and get()."""

import numpy as np
import pytest

from lamina import constraints, ops

TOL = {"rtol": 1e-6, "atol": 1e-6}


def _w():
    return np.random.default_rng(0).normal(0.0, 2.0, size=(6, 4)).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_values_against_numpy():
    w = _w()
    norms = np.sqrt(np.square(w).sum(axis=0, keepdims=True))
    eps = 1e-7
    np.testing.assert_allclose(_np(constraints.NonNeg()(w)), np.maximum(w, 0), **TOL)
    np.testing.assert_allclose(_np(constraints.UnitNorm()(w)), w / (eps + norms), **TOL)
    np.testing.assert_allclose(
        _np(constraints.MaxNorm(1.5)(w)), w * np.clip(norms, 0, 1.5) / (eps + norms), **TOL
    )
    after = _np(constraints.MaxNorm(1.5)(w))
    assert np.sqrt(np.square(after).sum(axis=0)).max() <= 1.5 + 1e-5


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("MaxNorm", {"max_value": 1.0, "axis": 0}),
        ("MaxNorm", {"max_value": 2.0, "axis": 1}),
        ("MinMaxNorm", {"min_value": 1.0, "max_value": 2.0, "rate": 0.5, "axis": 0}),
        ("NonNeg", {}),
        ("UnitNorm", {"axis": 1}),
        ("UnitNorm", {"axis": [0, 1]}),
    ],
)
def test_matches_keras(keras_ref, name, kwargs):
    w = _w()
    ours = getattr(constraints, name)(**kwargs)
    reference = getattr(keras_ref.constraints, name)(**kwargs)
    expected = keras_ref.ops.convert_to_numpy(reference(keras_ref.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(_np(ours(w)), expected, **TOL)
    assert ours.get_config() == reference.get_config()


def test_get_and_config():
    assert constraints.get(None) is None
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("NonNeg"), constraints.NonNeg)
    assert isinstance(constraints.get("unit_norm"), constraints.UnitNorm)
    assert isinstance(constraints.get("min_max_norm"), constraints.MinMaxNorm)
    built = constraints.get({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}})
    assert built.get_config() == {"max_value": 3, "axis": 1}
    for c in (
        constraints.MaxNorm(2.0, 1),
        constraints.MinMaxNorm(0.5, 2.0, 0.3, 0),
        constraints.NonNeg(),
        constraints.UnitNorm(axis=-1),
    ):
        restored = constraints.deserialize(constraints.serialize(c))
        assert type(restored) is type(c) and restored.get_config() == c.get_config()
    instance = constraints.NonNeg()
    assert constraints.get(instance) is instance


def test_errors():
    with pytest.raises(ValueError, match=r"Unknown constraint 'max_nrom'.*'max_norm'.*Known"):
        constraints.get("max_nrom")
    with pytest.raises(ValueError, match="Could not interpret"):
        constraints.get(2)
