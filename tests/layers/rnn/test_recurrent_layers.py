"""LSTM, GRU, SimpleRNN and RNN(cell): shapes, config, fit, Keras 3 parity, NumPy values, errors."""

import itertools

import numpy as np
import pytest

from lamina import layers, ops
from lamina.backend import engine
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4
LAYERS = ["LSTM", "GRU", "SimpleRNN"]
NUM_STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
# (return_sequences, return_state, go_backwards): all eight combinations for LSTM, and
# four that switch each flag on and off for the others (the loop code is shared).
ALL_DIRECTIONS = list(itertools.product([False, True], repeat=3))
SOME_DIRECTIONS = [
    (False, False, False),
    (True, False, True),
    (False, True, True),
    (True, True, False),
]
DIRECTION_CASES = [("LSTM", *d) for d in ALL_DIRECTIONS] + [
    (name, *d) for name in ("GRU", "SimpleRNN") for d in SOME_DIRECTIONS
]


def _inputs(shape=(BATCH, STEPS, FEATURES), seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _expected_shapes(name, return_sequences, return_state):
    out = (BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS)
    if not return_state:
        return out
    return [out] + [(BATCH, UNITS)] * NUM_STATES[name]


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize(
    "return_sequences, return_state, go_backwards", [(False, False, False), (True, True, True)]
)
def test_layer_contract(name, return_sequences, return_state, go_backwards):
    run_layer_test(
        getattr(layers, name),
        {
            "units": UNITS,
            "return_sequences": return_sequences,
            "return_state": return_state,
            "go_backwards": go_backwards,
        },
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=_expected_shapes(name, return_sequences, return_state),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
    )


@pytest.mark.parametrize("name, return_sequences, return_state, go_backwards", DIRECTION_CASES)
def test_keras_parity_directions(keras, name, return_sequences, return_state, go_backwards):
    kwargs = dict(
        return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards
    )
    assert_keras_parity(
        getattr(layers, name)(UNITS, **kwargs),
        getattr(keras.layers, name)(UNITS, **kwargs),
        _inputs(),
    )


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
        ("LSTM", {"use_bias": False}),
        ("LSTM", {"unit_forget_bias": False, "bias_initializer": "ones"}),
        ("GRU", {"reset_after": False}),
        ("GRU", {"use_bias": False, "return_sequences": True}),
        ("GRU", {"activation": "relu", "recurrent_activation": "tanh"}),
        ("SimpleRNN", {"activation": "relu", "use_bias": False}),
        ("SimpleRNN", {"activation": None, "bias_initializer": "ones"}),
    ],
)
def test_keras_parity_options(keras, name, kwargs):
    ours = getattr(layers, name)(UNITS, **kwargs)
    assert_keras_parity(ours, getattr(keras.layers, name)(UNITS, **kwargs), _inputs())
    expected_bias = {"LSTM": (4 * UNITS,), "SimpleRNN": (UNITS,)}.get(name)
    if name == "GRU":
        expected_bias = (2, 3 * UNITS) if kwargs.get("reset_after", True) else (3 * UNITS,)
    shapes = [tuple(w.shape) for w in ours.weights]
    assert len(shapes) == (3 if kwargs.get("use_bias", True) else 2)
    if kwargs.get("use_bias", True):
        assert shapes[-1] == expected_bias


@pytest.mark.parametrize("name", LAYERS)
def test_keras_parity_initial_state(keras, name):
    rng = np.random.default_rng(3)
    states = [
        rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(NUM_STATES[name])
    ]
    kwargs = {"return_state": True, "go_backwards": True}
    assert_keras_parity(
        getattr(layers, name)(UNITS, **kwargs),
        getattr(keras.layers, name)(UNITS, **kwargs),
        _inputs(),
        call_kwargs={"initial_state": states},
    )


@pytest.mark.parametrize(
    "cell_name, kwargs",
    [("LSTMCell", {}), ("GRUCell", {"reset_after": False}), ("SimpleRNNCell", {})],
)
def test_rnn_of_cell_parity(keras, cell_name, kwargs):
    ours = layers.RNN(getattr(layers, cell_name)(UNITS, **kwargs), return_sequences=True)
    theirs = keras.layers.RNN(
        getattr(keras.layers, cell_name)(UNITS, **kwargs), return_sequences=True
    )
    assert_keras_parity(ours, theirs, _inputs())


@pytest.mark.parametrize("cell_name", ["LSTMCell", "GRUCell", "SimpleRNNCell"])
def test_cell_step_parity(keras, cell_name):
    ours, theirs = getattr(layers, cell_name)(UNITS), getattr(keras.layers, cell_name)(UNITS)
    x = _inputs((BATCH, FEATURES))
    states = [np.full((BATCH, UNITS), 0.5, "float32")] * (2 if cell_name == "LSTMCell" else 1)
    out, new_states = ours(x, states)
    theirs(x, states)
    for ours_w, theirs_w in zip(ours.weights, theirs.weights):
        theirs_w.assign(ours_w.numpy())
    expected_out, expected_states = theirs(x, states)
    expected_out = keras.ops.convert_to_numpy(expected_out)
    np.testing.assert_allclose(ops.convert_to_numpy(out), expected_out, atol=1e-5)
    for a, b in zip(new_states, expected_states):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), atol=1e-5
        )


@pytest.mark.parametrize(
    "cell_name, run_training", [("LSTMCell", False), ("GRUCell", True), ("SimpleRNNCell", False)]
)
def test_rnn_of_cell_contract(cell_name, run_training):
    cell = getattr(layers, cell_name)(UNITS)
    run_layer_test(
        layers.RNN,
        {"cell": cell, "return_sequences": True},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        run_training=run_training,
    )


@pytest.mark.parametrize("name", LAYERS)
def test_keras_config_keys_and_from_keras_config(keras, name):
    theirs = getattr(keras.layers, name)(UNITS, return_sequences=True, dropout=0.25)
    ours = getattr(layers, name)(UNITS, return_sequences=True, dropout=0.25)
    assert set(ours.get_config()) == set(theirs.get_config())
    clone = getattr(layers, name).from_config(theirs.get_config())
    assert clone.return_sequences and clone.dropout == 0.25 and clone.units == UNITS


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_lstm_values_match_numpy():
    layer = layers.LSTM(UNITS, return_sequences=True)
    x = _inputs()
    out = ops.convert_to_numpy(layer(x))
    kernel, recurrent, bias = layer.get_weights()
    np.testing.assert_array_equal(bias[UNITS : 2 * UNITS], 1.0)  # unit_forget_bias
    h = c = np.zeros((BATCH, UNITS), "float32")
    for t in range(STEPS):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        np.testing.assert_allclose(out[:, t], h, atol=1e-5)


def test_gru_values_match_numpy():
    layer = layers.GRU(UNITS, bias_initializer="random_normal")
    x = _inputs()
    out = ops.convert_to_numpy(layer(x))
    kernel, recurrent, bias = layer.get_weights()
    h = np.zeros((BATCH, UNITS), "float32")
    for t in range(STEPS):
        xz, xr, xh = np.split(x[:, t] @ kernel + bias[0], 3, axis=-1)
        rz, rr, rh = np.split(h @ recurrent + bias[1], 3, axis=-1)
        z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
        h = z * h + (1 - z) * np.tanh(xh + r * rh)
    np.testing.assert_allclose(out, h, atol=1e-5)


def test_simple_rnn_backwards_values_match_numpy():
    layer = layers.SimpleRNN(UNITS, return_sequences=True, go_backwards=True)
    x = _inputs()
    out = ops.convert_to_numpy(layer(x))
    kernel, recurrent, bias = layer.get_weights()
    h = np.zeros((BATCH, UNITS), "float32")
    for step, t in enumerate(reversed(range(STEPS))):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        np.testing.assert_allclose(out[:, step], h, atol=1e-5)


@pytest.mark.parametrize("name", LAYERS)
def test_dropout_in_training_only(name):
    layer = getattr(layers, name)(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=7)
    x = _inputs()
    inference = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x, training=False)), inference)
    trained = ops.convert_to_numpy(layer(x, training=True))
    assert trained.shape == inference.shape
    assert not np.allclose(trained, inference)


@pytest.mark.parametrize("name", LAYERS)
def test_compiled_stateless_call_and_gradients(name):
    """The time loop compiles inside the engine's compiler, dropout included."""
    layer = getattr(layers, name)(UNITS, return_sequences=True, dropout=0.2, seed=1)
    x = _inputs()
    layer(x)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(params, data):
        outputs, _ = layer.stateless_call(params, non_trainable, data, training=True)
        return ops.sum(outputs * outputs)

    value, grads = engine.functional.compile(engine.functional.value_and_grad(loss))(trainable, x)
    assert np.isfinite(ops.convert_to_numpy(value))
    assert [tuple(ops.shape(g)) for g in grads] == [
        tuple(v.shape) for v in layer.trainable_variables
    ]
    eager = ops.convert_to_numpy(layer(x))
    compiled = engine.functional.compile(
        lambda params, data: layer.stateless_call(params, non_trainable, data)[0]
    )(trainable, x)
    np.testing.assert_allclose(ops.convert_to_numpy(compiled), eager, atol=1e-6)


def test_symbolic_unknown_length():
    inputs = layers.Input(shape=(None, FEATURES))
    seq, h, c = layers.LSTM(UNITS, return_sequences=True, return_state=True)(inputs)
    assert seq.shape == (None, None, UNITS) and h.shape == c.shape == (None, UNITS)


@pytest.mark.parametrize("name", LAYERS)
def test_rank_2_input_is_rejected(name):
    layer = getattr(layers, name)(UNITS)
    with pytest.raises(InputShapeError, match=r"\(2, 3\).*rank 3"):
        layer(np.zeros((2, 3), "float32"))


def test_feature_size_change_is_rejected():
    layer = layers.GRU(UNITS)
    layer(_inputs())
    with pytest.raises(InputShapeError, match=r"gru.*\(2, 5, 7\).*axis -1 to have size 3"):
        layer(np.zeros((2, 5, 7), "float32"))


@pytest.mark.parametrize("name", LAYERS)
def test_all_true_mask_changes_nothing(name):
    layer = getattr(layers, name)(UNITS, return_sequences=True, return_state=True)
    x = _inputs()
    plain = layer(x)
    masked = layer(x, mask=np.ones((BATCH, STEPS), bool))
    for a, b in zip(plain, masked):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-6)


def test_masked_steps_keep_states_and_zero_outputs():
    mask = np.array([[True, False, True, False, False], [False, True, True, True, False]])
    layer = layers.GRU(UNITS, return_sequences=True, return_state=True, zero_output_for_mask=True)
    x = _inputs()
    outputs, state = layer(x, mask=mask)
    outputs = ops.convert_to_numpy(outputs)
    np.testing.assert_array_equal(outputs[~mask], 0.0)
    # Only the unmasked steps reach the state: the same as running on them alone.
    alone = layers.GRU(UNITS, return_state=True)
    alone(x[:1, :1])
    alone.set_weights(layer.get_weights())
    _, expected = alone(x[:1][:, mask[0]])
    np.testing.assert_allclose(
        ops.convert_to_numpy(state)[0], ops.convert_to_numpy(expected)[0], atol=1e-6
    )


def test_wrong_number_of_initial_states():
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layers.LSTM(UNITS)(_inputs(), initial_state=[np.zeros((BATCH, UNITS), "float32")])


@pytest.mark.parametrize("units", [0, -1, 2.5])
def test_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.LSTMCell(units)


def _stack(module, dropout=0.0):
    return [
        module.layers.LSTMCell(UNITS, dropout=dropout, recurrent_dropout=dropout),
        module.layers.GRUCell(3, dropout=dropout),
        module.layers.SimpleRNNCell(2),
    ]


@pytest.mark.parametrize("as_list", [False, True], ids=["StackedRNNCells", "list"])
@pytest.mark.parametrize(
    "return_sequences, return_state, go_backwards", [(False, False, False), (True, True, True)]
)
def test_stacked_cells_match_keras(keras, as_list, return_sequences, return_state, go_backwards):
    import lamina

    kwargs = {
        "return_sequences": return_sequences,
        "return_state": return_state,
        "go_backwards": go_backwards,
    }
    ours_cell = _stack(lamina) if as_list else layers.StackedRNNCells(_stack(lamina))
    theirs_cell = _stack(keras) if as_list else keras.layers.StackedRNNCells(_stack(keras))
    assert_keras_parity(
        layers.RNN(ours_cell, **kwargs), keras.layers.RNN(theirs_cell, **kwargs), _inputs()
    )


def test_stacked_cells_with_a_mask_and_initial_state_match_keras(keras):
    import lamina

    x = _inputs()
    mask = np.array([[True, True, False, True, False], [True] * 5])
    initial = [
        [np.full((BATCH, UNITS), 0.1, "float32"), np.full((BATCH, UNITS), -0.2, "float32")],
        np.full((BATCH, 3), 0.3, "float32"),
        np.full((BATCH, 2), 0.0, "float32"),
    ]
    assert_keras_parity(
        layers.RNN(_stack(lamina), return_sequences=True, return_state=True),
        keras.layers.RNN(_stack(keras), return_sequences=True, return_state=True),
        x,
        call_kwargs={"mask": mask, "initial_state": initial},
    )


def test_stacked_cells_shapes_states_and_config():
    import lamina

    layer = layers.RNN(_stack(lamina), return_sequences=True, return_state=True)
    output, lstm_states, gru_state, simple_state = layer(_inputs())
    assert tuple(output.shape) == (BATCH, STEPS, 2)
    assert [tuple(s.shape) for s in lstm_states] == [(BATCH, UNITS)] * 2
    assert tuple(gru_state.shape) == (BATCH, 3) and tuple(simple_state.shape) == (BATCH, 2)
    assert layer.compute_output_shape((BATCH, STEPS, FEATURES)) == (
        (BATCH, STEPS, 2),
        [(BATCH, UNITS), (BATCH, UNITS)],
        (BATCH, 3),
        (BATCH, 2),
    )
    clone = layers.RNN.from_config(layer.get_config())
    assert isinstance(clone.cell, layers.StackedRNNCells)
    assert [type(c).__name__ for c in clone.cell.cells] == [
        "LSTMCell",
        "GRUCell",
        "SimpleRNNCell",
    ]


def test_stacked_cells_train_with_dropout():
    import lamina

    run_layer_test(
        layers.RNN,
        {"cell": layers.StackedRNNCells(_stack(lamina, dropout=0.3))},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, 2),
        run_training=True,
    )
    layer = layers.RNN(_stack(lamina, dropout=0.5))
    x = _inputs()
    inference = ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)), inference)
    assert not np.allclose(ops.convert_to_numpy(layer(x, training=True)), inference)


def test_stacked_cells_need_cells_with_state_size():
    with pytest.raises(ValueError, match="at least one cell"):
        layers.StackedRNNCells([])
    with pytest.raises(ValueError, match="state_size"):
        layers.StackedRNNCells([layers.Dense(2)])


def test_stacked_cells_model_saves_and_loads(tmp_path):
    import lamina

    model = lamina.Sequential(
        [lamina.Input((STEPS, FEATURES)), layers.RNN(_stack(lamina)), layers.Dense(1)]
    )
    path = tmp_path / "stacked.keras"
    model.save(path)
    loaded = lamina.saving.load_model(path)
    x = _inputs()
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
    assert isinstance(loaded.layers[0].cell, layers.StackedRNNCells)
