"""Files move between lamina and real Keras 3 in both directions, with the same
predictions and the same optimizer state."""

import numpy as np
import pytest

import lamina
from lamina.utils import _tree

from ._models import BUILDERS, loss_for, scale_class

# Keras's own TensorFlow variables warn under NumPy 2 when Keras saves them; not lamina's.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _max_difference(a, b) -> float:
    pairs = zip(_tree.flatten(a), _tree.flatten(b), strict=True)
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in pairs)


def _optimizer_values(optimizer) -> list:
    return [np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in optimizer.variables]


@pytest.fixture(scope="module")
def both(keras_ref):
    scale_class(lamina)
    scale_class(keras_ref)
    return keras_ref


def _trained(K, name):
    model, x, y = BUILDERS[name](K)
    model.compile(optimizer="adam", loss=loss_for(name))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return model, x


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_lamina_file_loads_in_keras(both, tmp_path, name):
    keras = both
    model, x = _trained(lamina, name)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert _max_difference(model.predict(x, verbose=0), loaded.predict(x, verbose=0)) < 1e-5
    ours, theirs = _optimizer_values(model.optimizer), _optimizer_values(loaded.optimizer)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.astype("float64"), b.astype("float64"), atol=1e-7)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_keras_file_loads_in_lamina(both, keras_training_ref, tmp_path, name):
    keras = both
    model, x = _trained(keras, name)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = lamina.models.load_model(path)
    assert _max_difference(model.predict(x, verbose=0), loaded.predict(x, verbose=0)) < 1e-5
    ours, theirs = _optimizer_values(loaded.optimizer), _optimizer_values(model.optimizer)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.astype("float64"), b.astype("float64"), atol=1e-7)


@pytest.mark.parametrize("name", ["sequential", "recurrent"])
def test_weights_files_cross(both, tmp_path, name):
    keras = both
    ours, x, _ = BUILDERS[name](lamina)
    theirs, _, _ = BUILDERS[name](keras)
    path = str(tmp_path / "w.weights.h5")
    ours.save_weights(path)
    theirs.load_weights(path)
    assert _max_difference(ours.predict(x, verbose=0), theirs.predict(x, verbose=0)) < 1e-5
    again, _, _ = BUILDERS[name](lamina)
    path2 = str(tmp_path / "k.weights.h5")
    theirs.save_weights(path2)
    again.load_weights(path2)
    assert _max_difference(again.predict(x, verbose=0), theirs.predict(x, verbose=0)) < 1e-5


def test_config_layout_matches_keras(both):
    keras = both
    ours = BUILDERS["two_in_two_out"](lamina)[0].get_config()
    theirs = BUILDERS["two_in_two_out"](keras)[0].get_config()
    assert set(ours) >= {"name", "trainable", "layers", "input_layers", "output_layers"}
    assert [layer["class_name"] for layer in ours["layers"]] == [
        layer["class_name"] for layer in theirs["layers"]
    ]
    for entry in ours["layers"]:
        assert set(entry) >= {"module", "class_name", "config", "registered_name", "name"}
        for node in entry["inbound_nodes"]:
            assert set(node) == {"args", "kwargs"}
    tensor = ours["layers"][-1]["inbound_nodes"][0]["args"][0]
    assert tensor["class_name"] == "__keras_tensor__"
    assert set(tensor["config"]) == {"shape", "dtype", "keras_history"}
    assert len(ours["input_layers"]) == 2 and len(ours["output_layers"]) == 2
