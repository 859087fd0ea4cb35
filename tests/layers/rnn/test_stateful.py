"""Stateful recurrent layers: each batch continues the previous one, on every engine.

The reference is the same layer without state, given the previous batch's
final states as `initial_state`.
"""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.testing.layer_test import keras_module

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4
LAYERS = ["SimpleRNN", "LSTM", "GRU"]


def _data(batches=3, seed=0):
    return np.random.default_rng(seed).random((BATCH * batches, STEPS, FEATURES), "float32")


def _stateful(name, **kwargs):
    return lamina.Sequential(
        [
            lamina.Input((STEPS, FEATURES), batch_size=BATCH),
            getattr(layers, name)(UNITS, stateful=True, **kwargs),
        ]
    )


def _chained(model, x, **kwargs):
    """Outputs and final states of `model`'s layer run statelessly, batch after batch."""
    layer = model.layers[0]
    ref = getattr(layers, type(layer).__name__)(UNITS, return_state=True, **kwargs)
    ref(x[:BATCH])
    ref.set_weights(layer.get_weights())
    outputs, states = [], None
    for start in range(0, len(x), BATCH):
        batch = x[start : start + BATCH]
        out, *states = ref(batch) if states is None else ref(batch, initial_state=states)
        outputs.append(lamina.ops.convert_to_numpy(out))
    return np.concatenate(outputs), [lamina.ops.convert_to_numpy(s) for s in states]


def _states(model):
    return [np.asarray(v.numpy()) for v in model.layers[0].states]


@pytest.mark.parametrize("name", LAYERS)
def test_predict_continues_each_batch_from_the_last(name):
    model, x = _stateful(name), _data()
    expected, final = _chained(model, x)
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, verbose=0), expected, atol=1e-6)
    for ours, theirs in zip(_states(model), final):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    # The next predict starts where this one ended, unless the states are reset.
    assert not np.allclose(model.predict(x, batch_size=BATCH, verbose=0), expected, atol=1e-4)
    model.layers[0].reset_states()
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, verbose=0), expected, atol=1e-6)


@pytest.mark.parametrize("name", LAYERS)
def test_direct_calls_and_predict_on_batch_continue(name):
    model, x = _stateful(name), _data()
    expected, _ = _chained(model, x)
    got = [lamina.ops.convert_to_numpy(model(x[i : i + BATCH])) for i in range(0, len(x), BATCH)]
    np.testing.assert_allclose(np.concatenate(got), expected, atol=1e-6)
    model.layers[0].reset_state()
    assert all(not s.any() for s in _states(model))
    got = [model.predict_on_batch(x[i : i + BATCH]) for i in range(0, len(x), BATCH)]
    np.testing.assert_allclose(np.concatenate(got), expected, atol=1e-6)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_evaluate_and_fit_carry_the_states(name):
    model, x = _stateful(name), _data()
    y = np.zeros((len(x), UNITS), "float32")
    _, final = _chained(model, x)
    # A learning rate of zero keeps the weights, so the states follow the reference.
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.evaluate(x, y, batch_size=BATCH, verbose=0)
    for ours, theirs in zip(_states(model), final):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    model.layers[0].reset_states()
    model.test_on_batch(x[:BATCH], y[:BATCH])
    assert any(s.any() for s in _states(model))
    model.layers[0].reset_states()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    for ours, theirs in zip(_states(model), final):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_training_updates_weights_with_the_carried_states():
    model, x = _stateful("LSTM"), _data(batches=4)
    y = np.random.default_rng(1).random((len(x), UNITS), "float32")
    model.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_states_are_not_weights():
    model = _stateful("LSTM")
    plain = lamina.Sequential([lamina.Input((STEPS, FEATURES)), layers.LSTM(UNITS)])
    assert len(model.weights) == len(plain.weights) == 3
    layer = model.layers[0]
    assert [tuple(v.shape) for v in layer.states] == [(BATCH, UNITS), (BATCH, UNITS)]
    assert all(v in layer.non_trainable_variables for v in layer.states)
    assert not any(v in model.weights for v in layer.states)


def test_saved_model_is_stateful_with_zero_states(tmp_path):
    model, x = _stateful("GRU"), _data()
    model.predict(x, batch_size=BATCH, verbose=0)
    path = str(tmp_path / "stateful.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    layer = loaded.layers[0]
    assert layer.stateful and layer.get_config()["stateful"] is True
    assert all(not s.any() for s in _states(loaded))
    expected, _ = _chained(loaded, x)
    np.testing.assert_allclose(loaded.predict(x, batch_size=BATCH, verbose=0), expected, atol=1e-6)


def test_bidirectional_stateful_directions_keep_their_own_states():
    model = lamina.Sequential(
        [
            lamina.Input((STEPS, FEATURES), batch_size=BATCH),
            layers.Bidirectional(layers.LSTM(UNITS, stateful=True)),
        ]
    )
    x = _data()
    first = model.predict(x, batch_size=BATCH, verbose=0)
    wrapper = model.layers[0]
    assert len(wrapper.states) == 4 and all(s.any() for s in _states(model))
    assert not np.allclose(model.predict(x, batch_size=BATCH, verbose=0), first, atol=1e-4)
    wrapper.reset_states()
    np.testing.assert_allclose(model.predict(x, batch_size=BATCH, verbose=0), first, atol=1e-6)


def test_a_batch_size_is_required():
    with pytest.raises(ValueError, match=r"stateful=True.*fixed batch size.*batch_size=n"):
        lamina.Sequential([lamina.Input((STEPS, FEATURES)), layers.LSTM(UNITS, stateful=True)])


def test_a_batch_of_another_size_is_rejected():
    layer = layers.SimpleRNN(UNITS, stateful=True)
    layer(_data()[:BATCH])
    with pytest.raises(ValueError, match=r"stateful with batch size 2, but got a batch of 3"):
        layer(_data()[:3])


def test_stateless_layers_have_no_states():
    layer = layers.LSTM(UNITS)
    layer(_data()[:BATCH])
    assert layer.states is None
    layer.reset_states()  # nothing to reset


def test_keras_parity_on_tensorflow():
    # Keras 3 carries RNN states across calls on TensorFlow only: on JAX its
    # states stay zero inside compiled steps, and torch's fit fails on them.
    keras = keras_module()
    if keras is None or keras.backend.backend() != "tensorflow":
        pytest.skip("Keras 3's stateful RNNs carry their states on TensorFlow only")
    ours, x = _stateful("LSTM"), _data()
    theirs = keras.Sequential(
        [keras.Input((STEPS, FEATURES), batch_size=BATCH), keras.layers.LSTM(UNITS, stateful=True)]
    )
    theirs.set_weights(ours.get_weights())
    for _ in range(2):
        np.testing.assert_allclose(
            ours.predict(x, batch_size=BATCH, verbose=0),
            theirs.predict(x, batch_size=BATCH, verbose=0),
            atol=1e-5,
        )
