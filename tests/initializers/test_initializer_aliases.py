"""IdentityInitializer and OrthogonalInitializer: Keras's alternative names for
Identity and Orthogonal, the same classes with the same configs and lookups."""

import numpy as np
import pytest

from lamina import initializers
from lamina.testing.layer_test import keras_module


def test_aliases_are_the_classes():
    assert initializers.IdentityInitializer is initializers.Identity
    assert initializers.OrthogonalInitializer is initializers.Orthogonal
    assert "IdentityInitializer" in initializers.__all__
    assert "OrthogonalInitializer" in initializers.__all__


def test_values_and_configs():
    eye = initializers.IdentityInitializer(gain=2.0)((3, 4))
    np.testing.assert_array_equal(eye, 2.0 * np.eye(3, 4, dtype="float32"))
    q = np.asarray(initializers.OrthogonalInitializer(gain=1.0, seed=3)((4, 4)))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    config = initializers.serialize(initializers.OrthogonalInitializer(seed=3))
    assert config["class_name"] == "Orthogonal"  # Keras saves the class's own name
    again = initializers.deserialize(config)
    assert type(again) is initializers.Orthogonal and again.get_config() == {
        "seed": 3,
        "gain": 1.0,
    }
    np.testing.assert_array_equal(np.asarray(again((4, 4))), q)


@pytest.mark.parametrize(
    "name, cls", [("IdentityInitializer", "Identity"), ("OrthogonalInitializer", "Orthogonal")]
)
def test_get_by_alias_name(name, cls):
    assert type(initializers.get(name)).__name__ == cls
    restored = initializers.deserialize({"class_name": name, "config": {"gain": 0.5}})
    assert type(restored).__name__ == cls and restored.get_config()["gain"] == 0.5


@pytest.mark.skipif(keras_module() is None, reason="Keras 3 cannot run on this engine")
def test_as_keras():
    keras = keras_module()
    for name in ("IdentityInitializer", "OrthogonalInitializer"):
        ours, theirs = getattr(initializers, name)(), getattr(keras.initializers, name)()
        assert type(ours).__name__ == type(theirs).__name__
        assert (
            initializers.serialize(ours)["class_name"]
            == (keras.initializers.serialize(theirs)["class_name"])
        )
    ours = initializers.OrthogonalInitializer(gain=2.0, seed=4)
    theirs = keras.initializers.OrthogonalInitializer(gain=2.0, seed=4)
    assert ours.get_config() == theirs.get_config()
    # Keras's Identity leaves `gain` out of its config; lamina keeps it, and each
    # library rebuilds the other's config.
    ours_config = initializers.serialize(initializers.IdentityInitializer(gain=3.0))
    assert keras.initializers.deserialize(ours_config).gain == 3.0
    theirs_config = keras.initializers.serialize(keras.initializers.IdentityInitializer())
    assert initializers.deserialize(theirs_config).gain == 1.0
    np.testing.assert_allclose(
        np.asarray(initializers.IdentityInitializer(gain=3.0)((2, 5))),
        keras.ops.convert_to_numpy(keras.initializers.IdentityInitializer(gain=3.0)((2, 5))),
        atol=0,
    )
