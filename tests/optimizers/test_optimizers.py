"""Optimizers: parity with Keras 3, stateless and compiled application, config."""

import warnings

import numpy as np
import pytest

from lamina import ops, optimizers
from lamina.backend import engine
from lamina.backend._variable import StatelessScope, Variable
from lamina.optimizers import schedules

TOLERANCE = 1e-6
STEPS = 5

CONFIGS = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "clipvalue": 0.5}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.01, "global_clipnorm": 1.0, "epsilon": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True, "clipvalue": 0.3}),
    ("Adagrad", {}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "clipnorm": 1.0}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Nadam", {}),
    ("Adamax", {"weight_decay": 0.05}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "weight_decay": 0.01}),
    ("Lamb", {}),
    ("Lamb", {"learning_rate": 0.01, "clipnorm": 1.0}),
    ("Ftrl", {}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.3,
            "initial_accumulator_value": 0.2,
            "l1_regularization_strength": 0.05,
            "l2_regularization_strength": 0.1,
            "l2_shrinkage_regularization_strength": 0.02,
            "beta": 0.5,
        },
    ),
]

SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
    (
        "PiecewiseConstantDecay",
        {"boundaries": [1, 3], "values": [0.1, 0.05, 0.01]},
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "alpha": 0.1}),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 3, "warmup_target": 0.1, "warmup_steps": 2},
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}),
]


def _data():
    rng = np.random.default_rng(7)
    weights = [
        rng.normal(size=(3, 4)).astype("float32"),
        rng.normal(size=(4,)).astype("float32"),
    ]
    grads = [[rng.normal(size=w.shape).astype("float32") for w in weights] for _ in range(STEPS)]
    return weights, grads


def _run_keras(keras, make_optimizer, weights, grads):
    variables = [keras.Variable(w) for w in weights]
    optimizer = make_optimizer()
    for step_grads in grads:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in step_grads], variables)
    return [keras.ops.convert_to_numpy(keras.ops.add(v, 0.0)) for v in variables]


def _run_lamina(make_optimizer, weights, grads):
    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    optimizer = make_optimizer()
    for step_grads in grads:
        optimizer.apply(step_grads, variables)
    return [v.numpy() for v in variables], optimizer


def _assert_close(expected, actual):
    for e, a in zip(expected, actual, strict=True):
        np.testing.assert_allclose(a, e, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_matches_keras(keras_ref, name, kwargs):
    weights, grads = _data()
    expected = _run_keras(
        keras_ref, lambda: getattr(keras_ref.optimizers, name)(**kwargs), weights, grads
    )
    actual, optimizer = _run_lamina(lambda: getattr(optimizers, name)(**kwargs), weights, grads)
    _assert_close(expected, actual)
    assert int(optimizer.iterations.numpy()) == STEPS


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=lambda c: str(c))
@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
def test_schedule_matches_keras(keras_ref, optimizer_name, name, kwargs):
    weights, grads = _data()
    expected = _run_keras(
        keras_ref,
        lambda: getattr(keras_ref.optimizers, optimizer_name)(
            learning_rate=getattr(keras_ref.optimizers.schedules, name)(**kwargs)
        ),
        weights,
        grads,
    )
    actual, _ = _run_lamina(
        lambda: getattr(optimizers, optimizer_name)(
            learning_rate=getattr(schedules, name)(**kwargs)
        ),
        weights,
        grads,
    )
    _assert_close(expected, actual)


def test_variables_order_and_names():
    variables = [Variable(np.zeros((2,), "float32"), name="kernel")]
    optimizer = optimizers.Adam(name="opt")
    optimizer.build(variables)
    names = [v.name for v in optimizer.variables]
    assert names == ["iteration", "learning_rate", "momentum/kernel", "velocity/kernel"]
    assert optimizer.variables[0].dtype == "int32"
    assert optimizer.variables[2].path == "opt/momentum/kernel"


def _stateless_step(optimizer, variables, trainable_values, optimizer_values, grads):
    state = list(zip(variables, trainable_values, strict=True))
    state += list(zip(optimizer.variables, optimizer_values, strict=True))
    with StatelessScope(state) as scope:
        optimizer.apply(grads, variables)
        return (
            [scope.value_of(v) for v in variables],
            [scope.value_of(v) for v in optimizer.variables],
        )


@pytest.mark.parametrize("compiled", [False, True], ids=["scope", "compiled"])
@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: optimizers.Adam(learning_rate=0.01, clipnorm=1.0),
        lambda: optimizers.SGD(
            learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5), momentum=0.9, nesterov=True
        ),
        lambda: optimizers.AdamW(global_clipnorm=0.5),
        lambda: optimizers.Nadam(),
        lambda: optimizers.RMSprop(
            learning_rate=schedules.CosineDecay(0.0, 3, warmup_target=0.1, warmup_steps=2),
            centered=True,
        ),
    ],
    ids=["adam", "sgd-schedule", "adamw", "nadam", "rmsprop-warmup"],
)
def test_stateless_apply_matches_eager(make_optimizer, compiled):
    weights, grads = _data()
    expected, _ = _run_lamina(make_optimizer, weights, grads)

    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    optimizer = make_optimizer()
    optimizer.build(variables)

    def step(trainable_values, optimizer_values, step_grads):
        return _stateless_step(
            optimizer, variables, trainable_values, optimizer_values, step_grads
        )

    if compiled:
        step = engine.functional.compile(step)
    trainable_values = [v.value for v in variables]
    optimizer_values = [v.value for v in optimizer.variables]
    for step_grads in grads:
        step_grads = [ops.convert_to_tensor(g) for g in step_grads]
        trainable_values, optimizer_values = step(trainable_values, optimizer_values, step_grads)
    # The scope recorded every update: the variables themselves never changed.
    np.testing.assert_array_equal(variables[0].numpy(), weights[0])
    _assert_close(expected, [ops.convert_to_numpy(v) for v in trainable_values])
    assert int(ops.convert_to_numpy(optimizer_values[0])) == STEPS


def test_stateless_apply_method():
    weights, grads = _data()
    expected, _ = _run_lamina(lambda: optimizers.Adam(), weights, grads)
    variables = [Variable(w) for w in weights]
    optimizer = optimizers.Adam()
    optimizer.build(variables)
    trainable_values = [v.value for v in variables]
    optimizer_values = [v.value for v in optimizer.variables]
    for step_grads in grads:
        trainable_values, optimizer_values = optimizer.stateless_apply(
            optimizer_values, step_grads, trainable_values
        )
    _assert_close(expected, [ops.convert_to_numpy(v) for v in trainable_values])


def test_learning_rate_read_and_set():
    optimizer = optimizers.SGD(learning_rate=0.1)
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.1)
    # Callbacks read these as Python numbers, as with Keras variables.
    assert float(optimizer.learning_rate) == pytest.approx(0.1)
    assert int(optimizer.iterations) == 0
    optimizer.learning_rate = 0.05
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.05)
    assert optimizer.get_config()["learning_rate"] == pytest.approx(0.05)

    scheduled = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 1, 0.5))
    assert float(ops.convert_to_numpy(scheduled.learning_rate)) == pytest.approx(0.1)
    with pytest.raises(TypeError, match="cannot be set"):
        scheduled.learning_rate = 0.01


def test_apply_gradients_and_iterations():
    variable = Variable(np.ones((2,), "float32"))
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.apply_gradients([(np.ones((2,), "float32"), variable)])
    np.testing.assert_allclose(variable.numpy(), [0.5, 0.5])
    assert int(optimizer.iterations.numpy()) == 1


def test_exclude_from_weight_decay():
    kernel = Variable(np.ones((2,), "float32"), name="kernel")
    bias = Variable(np.ones((2,), "float32"), name="bias")
    optimizer = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    zero = np.zeros((2,), "float32")
    optimizer.apply([zero, zero], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), [0.95, 0.95], rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [1.0, 1.0])


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_config_round_trip(name, kwargs):
    optimizer = getattr(optimizers, name)(**kwargs)
    config = optimizer.get_config()
    restored = type(optimizer).from_config(config)
    assert restored.get_config() == config
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is type(optimizer)
    assert again.get_config() == config


def _keras_config(optimizer):
    # Keras's own Variable.numpy() warns under NumPy 2 on some engines; not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return optimizer.get_config()


def test_config_with_schedule(keras_ref):
    schedule = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True)
    optimizer = optimizers.Adam(learning_rate=schedule, name="adam_sched")
    config = optimizer.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    restored = optimizers.Adam.from_config(config)
    assert isinstance(restored._learning_rate, schedules.ExponentialDecay)
    assert restored.get_config() == config
    # Keras reads lamina's config, and the reverse.
    keras_optimizer = keras_ref.optimizers.Adam.from_config(dict(config))
    assert (
        _keras_config(keras_optimizer)["learning_rate"]["config"]
        == config["learning_rate"]["config"]
    )
    lamina_again = optimizers.Adam.from_config(_keras_config(keras_optimizer))
    assert (
        lamina_again.get_config()["learning_rate"]
        == _keras_config(keras_optimizer)["learning_rate"]
    )


def test_config_matches_keras_keys(keras_ref):
    for name, _ in CONFIGS:
        keras_config = _keras_config(getattr(keras_ref.optimizers, name)())
        config = getattr(optimizers, name)().get_config()
        assert set(config) == set(keras_config), name


def test_get():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("adagrad"), optimizers.Adagrad)
    assert isinstance(optimizers.get("adamw"), optimizers.AdamW)
    instance = optimizers.Adam()
    assert optimizers.get(instance) is instance
    from_dict = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.2}})
    assert float(from_dict.learning_rate.numpy()) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="known optimizers: adadelta, adafactor, adagrad, adam"):
        optimizers.get("adamm")


def test_argument_errors():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(betaa=0.5)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="fast")
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match=r"Lion's beta_1 must be in \(0, 1\]; got beta_1=0"):
        optimizers.Lion(beta_1=0)
    with pytest.raises(ValueError, match=r"Ftrl's learning_rate_power must be <= 0; got"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match=r"Ftrl's l1_regularization_strength must be >= 0"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)
