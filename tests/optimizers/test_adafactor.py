"""Adafactor: parity with Keras 3, slot layout, config, compiled steps, saving."""

import numpy as np
import pytest

import lamina
from lamina import ops, optimizers
from lamina.backend import engine
from lamina.backend._variable import StatelessScope, Variable
from lamina.optimizers import schedules

TOLERANCE = 1e-6
STEPS = 6

CONFIGS = [
    {},
    {"learning_rate": 0.05},
    {"learning_rate": 0.5, "relative_step": False, "clip_threshold": 0.5},
    {"beta_2_decay": -0.5, "epsilon_2": 1e-2, "weight_decay": 0.1},
    {"learning_rate": 0.02, "clipnorm": 0.5, "epsilon_1": 1e-20},
]


def _data():
    rng = np.random.default_rng(11)
    weights = [
        rng.normal(size=(2, 3, 4)).astype("float32"),
        rng.normal(size=(3, 4)).astype("float32"),
        rng.normal(size=(4,)).astype("float32"),
    ]
    grads = [[rng.normal(size=w.shape).astype("float32") for w in weights] for _ in range(STEPS)]
    return weights, grads


def _run_lamina(optimizer, weights, grads):
    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    for step_grads in grads:
        optimizer.apply(step_grads, variables)
    return [v.numpy() for v in variables]


def _run_keras(keras, optimizer, weights, grads):
    variables = [keras.Variable(w) for w in weights]
    for step_grads in grads:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in step_grads], variables)
    return [keras.ops.convert_to_numpy(keras.ops.add(v, 0.0)) for v in variables]


def _close(expected, actual, atol=TOLERANCE):
    for e, a in zip(expected, actual, strict=True):
        np.testing.assert_allclose(a, e, rtol=0, atol=atol)


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_matches_keras(keras_ref, kwargs):
    weights, grads = _data()
    expected = _run_keras(keras_ref, keras_ref.optimizers.Adafactor(**kwargs), weights, grads)
    actual = _run_lamina(optimizers.Adafactor(**kwargs), weights, grads)
    _close(expected, actual)
    # The weights did move: the comparison is not between two untouched copies.
    assert np.abs(actual[0] - weights[0]).max() > 1e-3


def test_schedule_matches_keras(keras_ref):
    weights, grads = _data()
    expected = _run_keras(
        keras_ref,
        keras_ref.optimizers.Adafactor(
            keras_ref.optimizers.schedules.ExponentialDecay(0.3, 2, 0.5)
        ),
        weights,
        grads,
    )
    actual = _run_lamina(
        optimizers.Adafactor(schedules.ExponentialDecay(0.3, 2, 0.5)), weights, grads
    )
    _close(expected, actual)


def test_first_step_matches_numpy():
    """One step by hand: the factored second moment and the relative step size."""
    rng = np.random.default_rng(3)
    w = rng.normal(size=(3, 4)).astype("float64")
    g = rng.normal(size=(3, 4)).astype("float64")
    optimizer = optimizers.Adafactor(learning_rate=0.5)
    (actual,) = _run_lamina(optimizer, [w.astype("float32")], [[g.astype("float32")]])
    # Step 1: beta_2_t = 1 - 1 = 0, so r and c are the plain means of g**2.
    square = g**2 + 1e-30
    r, c = square.mean(-1), square.mean(-2)
    v = (r / r.mean())[:, None] * c[None, :]
    u = g / np.sqrt(v)
    u = u / max(1.0, np.sqrt(np.mean(u**2)) / 1.0)
    alpha = max(1e-3, np.sqrt(np.mean(w**2))) * min(0.5, 1.0)
    np.testing.assert_allclose(actual, w - alpha * u, rtol=0, atol=1e-5)


def test_slots_line_up_with_keras(keras_ref):
    shapes = [(2, 3, 4), (3, 4), (4,)]
    ours = optimizers.Adafactor()
    ours.build([Variable(np.zeros(s, "float32"), name="kernel") for s in shapes])
    theirs = keras_ref.optimizers.Adafactor()
    theirs.build([keras_ref.Variable(np.zeros(s, "float32"), name="kernel") for s in shapes])
    # The step counter is int64 in Keras on TensorFlow, int32 in lamina everywhere.
    assert [(tuple(v.shape), str(v.dtype)) for v in ours.variables[1:]] == [
        (tuple(v.shape), keras_ref.backend.standardize_dtype(v.dtype))
        for v in theirs.variables[1:]
    ]
    assert len(ours.variables) == len(theirs.variables) == 11


def test_slot_layout():
    variables = [
        Variable(np.zeros((2, 3, 4), "float32"), name="kernel"),
        Variable(np.zeros((4,), "float32"), name="bias"),
    ]
    optimizer = optimizers.Adafactor(name="opt")
    optimizer.build(variables)
    layout = [(v.name, tuple(v.shape), v.dtype) for v in optimizer.variables]
    assert layout == [
        ("iteration", (), "int32"),
        ("learning_rate", (), "float32"),
        ("kernel", (2, 3), "float32"),
        ("kernel", (2, 4), "float32"),
        ("velocity/kernel", (2, 3, 4), "float32"),
        ("bias", (), "int32"),
        ("bias", (), "int32"),
        ("velocity/bias", (4,), "float32"),
    ]


def test_config_and_get():
    optimizer = optimizers.Adafactor(
        learning_rate=0.01, beta_2_decay=-0.6, epsilon_2=1e-2, clip_threshold=2.0
    )
    config = optimizer.get_config()
    for key, value in {
        "learning_rate": 0.01,
        "beta_2_decay": -0.6,
        "epsilon_1": 1e-30,
        "epsilon_2": 1e-2,
        "clip_threshold": 2.0,
        "relative_step": True,
    }.items():
        assert config[key] == pytest.approx(value), key
    restored = optimizers.Adafactor.from_config(config)
    assert restored.get_config() == config
    assert isinstance(optimizers.get("adafactor"), optimizers.Adafactor)
    assert isinstance(optimizers.get("Adafactor"), optimizers.Adafactor)
    rebuilt = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(rebuilt, optimizers.Adafactor)
    assert rebuilt.get_config() == config


def test_config_matches_keras(keras_ref):
    ours = optimizers.Adafactor(learning_rate=0.02, relative_step=False).get_config()
    theirs = keras_ref.optimizers.Adafactor(learning_rate=0.02, relative_step=False).get_config()
    assert set(ours) == set(theirs)
    for key in theirs:
        if key != "name":
            assert ours[key] == pytest.approx(theirs[key]), key


def test_compiled_stateless_step_matches_eager():
    weights, grads = _data()
    expected = _run_lamina(optimizers.Adafactor(learning_rate=0.1), weights, grads)
    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    optimizer = optimizers.Adafactor(learning_rate=0.1)
    optimizer.build(variables)

    def step(trainable_values, optimizer_values, step_grads):
        state = list(zip(variables, trainable_values)) + list(
            zip(optimizer.variables, optimizer_values)
        )
        with StatelessScope(state) as scope:
            optimizer.apply(step_grads, variables)
            return (
                [scope.value_of(v) for v in variables],
                [scope.value_of(v) for v in optimizer.variables],
            )

    step = engine.functional.compile(step)
    trainable_values = [v.value for v in variables]
    optimizer_values = [v.value for v in optimizer.variables]
    for step_grads in grads:
        step_grads = [ops.convert_to_tensor(g) for g in step_grads]
        trainable_values, optimizer_values = step(trainable_values, optimizer_values, step_grads)
    _close(expected, [ops.convert_to_numpy(v) for v in trainable_values], atol=1e-5)
    assert int(ops.convert_to_numpy(optimizer_values[0])) == STEPS


def _model(module):
    model = module.Sequential(
        [module.Input((3,)), module.layers.Dense(4, kernel_initializer="ones")]
    )
    return model


def _fit_data():
    rng = np.random.default_rng(5)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 4)).astype("float32")


def test_fit_reduces_loss(tmp_path):
    x, y = _fit_data()
    model = _model(lamina)
    model.compile(optimizer="adafactor", loss="mse")
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = lamina.saving.load_model(path)
    assert isinstance(restored.optimizer, optimizers.Adafactor)
    for ours, theirs in zip(model.optimizer.variables, restored.optimizer.variables, strict=True):
        np.testing.assert_array_equal(theirs.numpy(), ours.numpy())


def _apply_steps(module, model, steps):
    rng = np.random.default_rng(9)
    for _ in range(steps):
        grads = [
            rng.normal(size=tuple(v.shape)).astype("float32") for v in model.trainable_weights
        ]
        model.optimizer.apply(
            [module.ops.convert_to_tensor(g) for g in grads], model.trainable_weights
        )


def test_optimizer_state_moves_to_and_from_keras(keras_ref, tmp_path):
    theirs = _model(keras_ref)
    theirs.compile(optimizer=keras_ref.optimizers.Adafactor(learning_rate=0.1), loss="mse")
    # Keras's NumPy engine cannot fit, so both sides step with the same gradients.
    _apply_steps(keras_ref, theirs, 2)
    path = str(tmp_path / "keras.keras")
    theirs.save(path)
    ours = lamina.saving.load_model(path)
    assert isinstance(ours.optimizer, optimizers.Adafactor)
    theirs_state = [keras_ref.ops.convert_to_numpy(v) for v in theirs.optimizer.variables]
    ours_state = [v.numpy() for v in ours.optimizer.variables]
    assert len(ours_state) == len(theirs_state) == 8
    for a, b in zip(ours_state, theirs_state):
        np.testing.assert_array_equal(a, b)
    # More steps on each side from the same state give the same weights.
    _apply_steps(keras_ref, theirs, 2)
    _apply_steps(lamina, ours, 2)
    _close(
        [keras_ref.ops.convert_to_numpy(w) for w in theirs.weights],
        [w.numpy() for w in ours.weights],
    )
    back = str(tmp_path / "lamina.keras")
    ours.save(back)
    again = keras_ref.saving.load_model(back)
    assert isinstance(again.optimizer, keras_ref.optimizers.Adafactor)
    for a, b in zip(again.optimizer.variables, ours.optimizer.variables, strict=True):
        np.testing.assert_array_equal(keras_ref.ops.convert_to_numpy(a), b.numpy())
