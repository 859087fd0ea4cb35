"""ConvLSTM1D, ConvLSTM2D and ConvLSTM3D: shapes, config, fit, Keras 3 parity, NumPy
values, masks, dropout, state, saving, errors."""

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.input_spec import InputShapeError
from lamina.testing.layer_test import assert_keras_parity, keras_module, run_layer_test

# (rank, kwargs, channels_last input shape (batch, time, *spatial, channels)). Each
# rank runs in both data formats; the cases are few because every call compiles a
# time loop over convolutions on JAX and PyTensor.
CASES = [
    (1, {"filters": 2, "kernel_size": 3, "data_format": "channels_last"}, (2, 2, 6, 2)),
    (
        1,
        {
            "filters": 3,
            "kernel_size": 2,
            "strides": 2,
            "return_state": True,
            "data_format": "channels_first",
        },
        (2, 2, 7, 2),
    ),
    (
        2,
        {
            "filters": 3,
            "kernel_size": (3, 2),
            "padding": "same",
            "return_sequences": True,
            "data_format": "channels_last",
        },
        (2, 2, 4, 5, 2),
    ),
    (
        2,
        {
            "filters": 2,
            "kernel_size": 2,
            "dilation_rate": 2,
            "go_backwards": True,
            "use_bias": False,
            "data_format": "channels_first",
        },
        (1, 2, 5, 5, 3),
    ),
    (
        3,
        {
            "filters": 2,
            "kernel_size": 2,
            "return_sequences": True,
            "return_state": True,
            "data_format": "channels_last",
        },
        (1, 2, 3, 3, 3, 2),
    ),
    (3, {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (1, 2, 3, 3, 3, 1)),
]
IDS = [f"ConvLSTM{c[0]}D-{i}" for i, c in enumerate(CASES)]
FIT_ID = "ConvLSTM2D-2"
# Compiling a training step whose time loop holds convolutions takes PyTensor minutes.
SLOW_COMPILE = "PyTensor takes minutes to compile a training step over a ConvLSTM"


def _in_format(shape, data_format):
    if data_format == "channels_last":
        return tuple(shape)
    return (shape[0], shape[1], shape[-1], *shape[2:-1])


def _inputs(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in layer.weights])


def _layer(rank, **kwargs):
    return getattr(layers, f"ConvLSTM{rank}D")(**kwargs)


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 is not importable on this engine")
    return module


@pytest.mark.parametrize(("rank", "kwargs", "shape"), CASES, ids=IDS)
def test_layer_behaviour(rank, kwargs, shape, request):
    shape = _in_format(shape, kwargs["data_format"])
    expected = _layer(rank, **kwargs).compute_output_shape(shape)
    run_layer_test(
        getattr(layers, f"ConvLSTM{rank}D"),
        kwargs,
        shape,
        expected_output_shape=list(expected) if kwargs.get("return_state") else expected,
        expected_num_trainable_weights=2 if kwargs.get("use_bias") is False else 3,
        expected_num_non_trainable_weights=0,
        run_training=request.node.callspec.id == FIT_ID and backend.backend() != "pytensor",
    )


@pytest.mark.parametrize(("rank", "kwargs", "shape"), CASES, ids=IDS)
def test_keras_parity(keras, rank, kwargs, shape):
    data_format = kwargs["data_format"]
    if rank == 3 and data_format == "channels_first" and keras.backend.backend() == "tensorflow":
        # lamina's side is covered by test_channels_first_matches_channels_last.
        pytest.skip("Keras's channels_first Conv3D on TensorFlow's CPU takes ~9 s per call")
    shape = _in_format(shape, data_format)
    x = _inputs(shape)
    ours = _layer(rank, **kwargs)
    ours(x)
    _randomize(ours)
    theirs = getattr(keras.layers, f"ConvLSTM{rank}D")(**kwargs)
    assert_keras_parity(ours, theirs, x)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    unknown = (None, *shape[1:])
    assert ours.compute_output_shape(unknown) == theirs.compute_output_shape(unknown)
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() == theirs_config.keys()
    for key, value in theirs_config.items():
        if key not in ("name", "dtype"):
            assert ours_config[key] == value, key


def _keras_pair(keras):
    kwargs = {"filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True}
    ours = layers.ConvLSTM1D(**kwargs, data_format="channels_last")
    ours(_inputs((2, 4, 5, 2)))
    _randomize(ours)
    return ours, keras.layers.ConvLSTM1D(**kwargs, data_format="channels_last")


def test_keras_parity_with_mask(keras):
    if keras.backend.backend() in ("jax", "numpy"):
        pytest.skip("Keras 3's JAX and NumPy time loops cannot broadcast a mask over feature maps")
    ours, theirs = _keras_pair(keras)
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    assert_keras_parity(ours, theirs, _inputs((2, 4, 5, 2)), call_kwargs={"mask": mask})


def test_keras_parity_with_initial_state(keras):
    ours, theirs = _keras_pair(keras)
    x = _inputs((2, 4, 5, 2))
    state = [_inputs((2, 5, 2), seed=s) for s in (3, 4)]
    assert_keras_parity(ours, theirs, x, call_kwargs={"initial_state": state})


# --------------------------------------------------------------------------- NumPy values


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _conv1d_same(x, kernel):
    """`x` (batch, steps, in), `kernel` (k, in, out), stride 1, "same" padding."""
    k = kernel.shape[0]
    before = (k - 1) // 2
    padded = np.pad(x, ((0, 0), (before, k - 1 - before), (0, 0)))
    return sum(padded[:, i : i + x.shape[1]] @ kernel[i] for i in range(k))


def _reference_conv_lstm1d(x, kernel, recurrent_kernel, bias, filters):
    h = np.zeros((x.shape[0], x.shape[2], filters), "float64")
    c = np.zeros_like(h)
    outputs = []
    for t in range(x.shape[1]):
        z = _conv1d_same(x[:, t], kernel) + _conv1d_same(h, recurrent_kernel) + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1)


def test_matches_numpy_reference():
    x = _inputs((2, 2, 5, 2))
    layer = layers.ConvLSTM1D(
        3, 3, padding="same", return_sequences=True, data_format="channels_last"
    )
    layer(x)
    _randomize(layer)
    expected = _reference_conv_lstm1d(x, *layer.get_weights(), filters=3)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, atol=1e-5)


def test_channels_first_matches_channels_last():
    x = _inputs((1, 2, 3, 4, 2))
    last = layers.ConvLSTM2D(3, 2, return_sequences=True, data_format="channels_last")
    last(x)
    _randomize(last)
    first = layers.ConvLSTM2D(3, 2, return_sequences=True, data_format="channels_first")
    x_first = np.moveaxis(x, -1, 2)
    first(x_first)
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(
        np.moveaxis(ops.convert_to_numpy(first(x_first)), 2, -1),
        ops.convert_to_numpy(last(x)),
        atol=1e-5,
    )


def test_unit_forget_bias_starts_at_one():
    layer = layers.ConvLSTM1D(2, 3, data_format="channels_last")
    layer.build((None, 3, 5, 4))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
    assert layer.cell.kernel.shape == (3, 4, 8)
    assert layer.cell.recurrent_kernel.shape == (3, 2, 8)


# --------------------------------------------------------------------------- masks, state


def test_masked_steps_carry_the_state():
    x = _inputs((2, 4, 5, 2))
    layer = layers.ConvLSTM1D(2, 3, padding="same", data_format="channels_last")
    layer(x)
    _randomize(layer)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    masked = ops.convert_to_numpy(layer(x, mask=mask))
    np.testing.assert_allclose(masked[0], ops.convert_to_numpy(layer(x[:1, :2]))[0], atol=1e-6)
    np.testing.assert_allclose(masked[1], ops.convert_to_numpy(layer(x[1:]))[0], atol=1e-6)
    # The output mask follows the sequences.
    seq = layers.ConvLSTM1D(2, 3, return_sequences=True, data_format="channels_last")
    mask_out = seq.compute_mask(x, ops.convert_to_tensor(mask))
    np.testing.assert_array_equal(ops.convert_to_numpy(mask_out), mask)


def test_stateful_continues_the_sequence():
    x = _inputs((2, 4, 5, 2))
    kwargs = {"filters": 2, "kernel_size": 3, "padding": "same", "data_format": "channels_last"}
    whole = layers.ConvLSTM1D(**kwargs)
    whole(x)
    _randomize(whole)
    stateful = layers.ConvLSTM1D(**kwargs, stateful=True)
    stateful(x[:, :2])
    stateful.set_weights(whole.get_weights())
    stateful.reset_state()
    stateful(x[:, :2])
    np.testing.assert_allclose(
        ops.convert_to_numpy(stateful(x[:, 2:])), ops.convert_to_numpy(whole(x)), atol=1e-5
    )
    assert [tuple(s.shape) for s in stateful.states] == [(2, 5, 2), (2, 5, 2)]
    stateful.reset_state()
    np.testing.assert_array_equal(stateful.states[0].numpy(), 0.0)


def test_dropout_in_training_only_and_seeded():
    x = _inputs((2, 2, 5, 2))
    kwargs = {"filters": 2, "kernel_size": 3, "data_format": "channels_last"}
    plain = layers.ConvLSTM1D(**kwargs)
    plain(x)
    _randomize(plain)
    outputs = []
    for _ in range(2):
        layer = layers.ConvLSTM1D(**kwargs, dropout=0.5, recurrent_dropout=0.3, seed=5)
        layer(x)
        layer.set_weights(plain.get_weights())
        outputs.append(ops.convert_to_numpy(layer(x, training=True)))
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer(x)), ops.convert_to_numpy(plain(x)), atol=1e-6
        )
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert not np.allclose(outputs[0], ops.convert_to_numpy(plain(x)))


# --------------------------------------------------------------------------- models, files


def _model(K):
    inputs = K.Input((2, 4, 4, 2))
    x = K.layers.ConvLSTM2D(2, 3, data_format="channels_last", return_sequences=True)(inputs)
    return K.Model(inputs, K.layers.Flatten()(x))


def test_trains_and_saves(tmp_path):
    if backend.backend() == "pytensor":
        pytest.skip(SLOW_COMPILE)
    model = _model(lamina)
    x = _inputs((4, 2, 4, 4, 2))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, np.zeros((4, 16), "float32"), epochs=2, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "conv_lstm.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_files_move_both_ways_with_keras(keras, tmp_path):
    x = _inputs((2, 2, 4, 4, 2))
    ours = _model(lamina)
    _randomize(ours)
    ours.save(str(tmp_path / "ours.keras"))
    theirs = keras.saving.load_model(str(tmp_path / "ours.keras"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-5
    )
    theirs = _model(keras)
    theirs.set_weights([w * 0.9 for w in ours.get_weights()])
    theirs.save(str(tmp_path / "theirs.keras"))
    loaded = lamina.saving.load_model(str(tmp_path / "theirs.keras"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-5
    )


# --------------------------------------------------------------------------- errors


def test_wrong_rank_names_layer_and_shape():
    layer = layers.ConvLSTM2D(2, 2)
    with pytest.raises(InputShapeError, match="expected rank") as info:
        layer(np.zeros((2, 3, 4, 2), "float32"))
    assert layer.name in str(info.value)


def test_unknown_spatial_size_is_refused():
    with pytest.raises(ValueError, match="known spatial"):
        layers.ConvLSTM1D(2, 3, data_format="channels_last")(lamina.Input((3, None, 2)))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layers.ConvLSTM2D(0, 3), "filters=0"),
        (lambda: layers.ConvLSTM2D(2, (3, 3, 3)), "kernel_size"),
        (lambda: layers.ConvLSTM1D(2, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.ConvLSTM3D(2, 3, padding="causal"), "padding"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
