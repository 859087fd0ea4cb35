"""Bidirectional and TimeDistributed: shapes, config, fit, Keras 3 parity, errors."""

import numpy as np
import pytest

from lamina import layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4
MERGE_MODES = ["concat", "sum", "mul", "ave", None]


def _inputs(shape=(BATCH, STEPS, FEATURES), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


# ---------------------------------------------------------------- Bidirectional
@pytest.mark.parametrize(
    "merge_mode, return_sequences, expected",
    [
        ("concat", False, (BATCH, 2 * UNITS)),
        ("sum", True, (BATCH, STEPS, UNITS)),
        (None, False, [(BATCH, UNITS), (BATCH, UNITS)]),
    ],
)
def test_bidirectional_contract(merge_mode, return_sequences, expected):
    run_layer_test(
        layers.Bidirectional,
        {
            "layer": layers.LSTM(UNITS, return_sequences=return_sequences),
            "merge_mode": merge_mode,
        },
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=expected,
        expected_num_trainable_weights=6,
        run_training=merge_mode == "concat",
    )


@pytest.mark.parametrize("merge_mode", MERGE_MODES)
@pytest.mark.parametrize(
    "name, return_sequences, return_state",
    [
        ("LSTM", True, True),
        ("GRU", False, True),
        ("SimpleRNN", True, False),
        ("LSTM", False, False),
    ],
)
def test_bidirectional_keras_parity(keras, merge_mode, name, return_sequences, return_state):
    kwargs = {"return_sequences": return_sequences, "return_state": return_state}
    ours = layers.Bidirectional(getattr(layers, name)(UNITS, **kwargs), merge_mode=merge_mode)
    theirs = keras.layers.Bidirectional(
        getattr(keras.layers, name)(UNITS, **kwargs), merge_mode=merge_mode
    )
    assert_keras_parity(ours, theirs, _inputs())


def test_bidirectional_weights_forward_then_backward():
    layer = layers.Bidirectional(layers.GRU(UNITS, name="gru_seq"))
    layer(_inputs())
    expected = layer.forward_layer.weights + layer.backward_layer.weights
    assert [id(w) for w in layer.weights] == [id(w) for w in expected]
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"] * 2
    assert layer.forward_layer.name == "forward_gru_seq"
    assert layer.backward_layer.name == "backward_gru_seq"
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards


def test_bidirectional_backward_layer_and_initial_state(keras):
    forward = layers.LSTM(UNITS, return_sequences=True, return_state=True)
    backward = layers.LSTM(3, return_sequences=True, return_state=True, go_backwards=True)
    ours = layers.Bidirectional(forward, backward_layer=backward)
    theirs = keras.layers.Bidirectional(
        keras.layers.LSTM(UNITS, return_sequences=True, return_state=True),
        backward_layer=keras.layers.LSTM(
            3, return_sequences=True, return_state=True, go_backwards=True
        ),
    )
    rng = np.random.default_rng(5)
    states = [rng.standard_normal((BATCH, n)).astype("float32") for n in (UNITS, UNITS, 3, 3)]
    assert_keras_parity(ours, theirs, _inputs(), call_kwargs={"initial_state": states})
    outputs = ours(_inputs())
    assert tuple(ops.shape(outputs[0])) == (BATCH, STEPS, UNITS + 3)
    clone = layers.Bidirectional.from_config(ours.get_config())
    assert clone.backward_layer.units == 3 and clone.forward_layer.units == UNITS


def test_bidirectional_from_keras_config(keras):
    theirs = keras.layers.Bidirectional(keras.layers.GRU(UNITS, return_sequences=True), "ave")
    ours = layers.Bidirectional.from_config(theirs.get_config())
    assert ours.merge_mode == "ave" and ours.return_sequences
    assert set(ours.get_config()) == set(theirs.get_config())
    assert tuple(ops.shape(ours(_inputs()))) == (BATCH, STEPS, UNITS)


def test_bidirectional_weights_argument():
    source = layers.Bidirectional(layers.SimpleRNN(UNITS))
    source(_inputs())
    copy = layers.Bidirectional(layers.SimpleRNN(UNITS), weights=source.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(copy(_inputs())), ops.convert_to_numpy(source(_inputs())), atol=1e-6
    )


def test_bidirectional_errors():
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="layer instance"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(
            layers.LSTM(2), backward_layer=layers.LSTM(2, go_backwards=True, return_sequences=True)
        )
    with pytest.raises(InputShapeError, match=r"\(2, 3\)"):
        layers.Bidirectional(layers.LSTM(2))(np.zeros((2, 3), "float32"))


# ---------------------------------------------------------------- TimeDistributed
def test_time_distributed_contract():
    run_layer_test(
        layers.TimeDistributed,
        {"layer": layers.LSTM(UNITS)},
        input_shape=(BATCH, STEPS, 6, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        expected_num_trainable_weights=3,
    )


def test_time_distributed_lstm_parity(keras):
    ours = layers.TimeDistributed(layers.LSTM(UNITS, return_sequences=True, go_backwards=True))
    theirs = keras.layers.TimeDistributed(
        keras.layers.LSTM(UNITS, return_sequences=True, go_backwards=True)
    )
    assert_keras_parity(ours, theirs, _inputs((BATCH, STEPS, 6, FEATURES)))


def test_time_distributed_dense_parity(keras):
    if not hasattr(layers, "Dense"):
        pytest.skip("Dense is not available yet")
    assert_keras_parity(
        layers.TimeDistributed(layers.Dense(UNITS)),
        keras.layers.TimeDistributed(keras.layers.Dense(UNITS)),
        _inputs(),
    )


def test_time_distributed_symbolic_and_config():
    inputs = layers.Input(shape=(None, 6, FEATURES))
    outputs = layers.TimeDistributed(layers.GRU(UNITS, return_sequences=True))(inputs)
    assert outputs.shape == (None, None, 6, UNITS)
    layer = layers.TimeDistributed(layers.SimpleRNN(UNITS))
    config = layer.get_config()
    assert config["layer"]["class_name"] == "SimpleRNN"
    assert layers.TimeDistributed.from_config(config).layer.units == UNITS


def test_time_distributed_errors():
    with pytest.raises(ValueError, match="layer instance"):
        layers.TimeDistributed(lambda x: x)
    with pytest.raises(InputShapeError, match=r"time_distributed.*\(2, 3\).*rank >= 3"):
        layers.TimeDistributed(layers.LSTM(2))(np.zeros((2, 3), "float32"))
