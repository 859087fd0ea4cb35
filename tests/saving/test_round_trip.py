"""lamina to lamina: configs, JSON, weights files and whole models round-trip."""

import json
import os
import zipfile

import numpy as np
import pytest

import lamina
from lamina.utils import _tree

from ._models import BUILDERS, loss_for, scale_class


def _predict_equal(a, b, x):
    for u, v in zip(
        _tree.flatten(a.predict(x, verbose=0)), _tree.flatten(b.predict(x, verbose=0))
    ):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), atol=1e-6)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_json_round_trip(name):
    scale_class(lamina)
    model, x, _ = BUILDERS[name](lamina)
    clone = lamina.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in clone.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    clone.set_weights(model.get_weights())
    _predict_equal(model, clone, x)


def test_save_writes_keras_archive(tmp_path):
    model, x, y = BUILDERS["sequential"](lamina)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "mse"
    assert config["compile_config"]["metrics"] == ["mae"]
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    # No temporary files are left next to the target.
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_fit_resumes_exactly_after_load(tmp_path):
    model, x, y = BUILDERS["two_in_two_out"](lamina)
    model.compile(optimizer="adam", loss=loss_for("two_in_two_out"))
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = lamina.models.load_model(path)
    assert int(loaded.optimizer.iterations.numpy()) == 4
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_weights_round_trip_and_checks(tmp_path):
    model, x, _ = BUILDERS["recurrent"](lamina)
    path = tmp_path / "r.weights.h5"
    model.save_weights(path)
    other, _, _ = BUILDERS["recurrent"](lamina)
    other.load_weights(path)
    _predict_equal(model, other, x)
    with pytest.raises(ValueError, match="weights.h5"):
        model.save_weights(tmp_path / "r.h5")
    wrong, _, _ = BUILDERS["sequential"](lamina)
    with pytest.raises(ValueError, match="no group|variables|shape"):
        wrong.load_weights(path)


def test_subclassed_model_round_trip(tmp_path):
    @lamina.saving.register_keras_serializable(package="Tests")
    class TwoDense(lamina.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.first = lamina.layers.Dense(units, activation="relu")
            self.second = lamina.layers.Dense(1)

        def call(self, inputs):
            return self.second(self.first(inputs))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = TwoDense(units=4)
    x = np.linspace(0, 1, 12, dtype="float32").reshape(4, 3)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((4, 1), "float32"), verbose=0)
    model.save(tmp_path / "s.keras")
    loaded = lamina.models.load_model(tmp_path / "s.keras")
    assert isinstance(loaded, TwoDense) and loaded.units == 4
    _predict_equal(model, loaded, x)


def test_serialize_round_trips_components():
    from lamina.saving import deserialize_keras_object, serialize_keras_object

    for obj in (
        lamina.layers.Dense(3, activation="relu", kernel_regularizer="l2"),
        lamina.optimizers.Adam(learning_rate=0.01),
        lamina.losses.MeanSquaredError(),
        lamina.metrics.MeanAbsoluteError(),
        lamina.initializers.Constant(2.0),
    ):
        config = serialize_keras_object(obj)
        assert set(config) >= {"module", "class_name", "config", "registered_name"}
        assert config["module"].startswith("keras.")
        restored = deserialize_keras_object(config)
        assert type(restored) is type(obj)
    assert deserialize_keras_object(serialize_keras_object(lamina.activations.relu)) is (
        lamina.activations.relu
    )


def test_registry_and_scopes():
    from lamina.saving import (
        CustomObjectScope,
        deserialize_keras_object,
        get_registered_object,
        serialize_keras_object,
    )

    @lamina.saving.register_keras_serializable(package="Pkg", name="Doubler")
    class Doubler(lamina.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    assert get_registered_object("Pkg>Doubler") is Doubler
    config = serialize_keras_object(Doubler(name="d"))
    assert config["registered_name"] == "Pkg>Doubler"
    assert type(deserialize_keras_object(config)) is Doubler

    class Local(lamina.layers.Layer):
        pass

    local_config = {"module": "x", "class_name": "Local", "config": {}, "registered_name": "Local"}
    with pytest.raises(ValueError, match="custom_objects"):
        deserialize_keras_object(local_config)
    with CustomObjectScope({"Local": Local}):
        assert type(deserialize_keras_object(local_config)) is Local
    with lamina.utils.custom_object_scope({"Local": Local}):
        assert get_registered_object("Local") is Local
    assert get_registered_object("Local") is None
    assert type(deserialize_keras_object(local_config, custom_objects={"Local": Local})) is Local


def test_lambda_needs_its_function_from_custom_objects(tmp_path):
    def double(x):
        return x * 2

    inputs = lamina.Input(shape=(2,))
    model = lamina.Model(inputs, lamina.layers.Lambda(double)(inputs))
    model.save(tmp_path / "l.keras")
    with pytest.raises(ValueError, match="double.*custom_objects"):
        lamina.models.load_model(tmp_path / "l.keras")
    loaded = lamina.models.load_model(tmp_path / "l.keras", custom_objects={"double": double})
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2)), verbose=0), [[2.0, 2.0]])
