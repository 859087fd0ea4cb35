"""Learning-rate schedules: values against Keras 3, traced steps, config."""

import numpy as np
import pytest

from lamina import ops
from lamina.backend import engine
from lamina.optimizers import schedules

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.9}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.9, "staircase": True},
    ),
    ("PiecewiseConstantDecay", {"boundaries": [2, 5, 7], "values": [1.0, 0.5, 0.25, 0.1]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 6, "power": 2.0}),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 4, "end_learning_rate": 0.01, "cycle": True},
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5, "staircase": True},
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 6}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 6, "alpha": 0.2}),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.01, "decay_steps": 5, "warmup_target": 0.1, "warmup_steps": 3},
    ),
]
STEPS = [0, 1, 2, 3, 5, 7, 8, 12]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=lambda c: str(c))
def test_matches_keras(keras_ref, name, kwargs):
    reference = getattr(keras_ref.optimizers.schedules, name)(**kwargs)
    schedule = getattr(schedules, name)(**kwargs)
    for step in STEPS:
        expected = keras_ref.ops.convert_to_numpy(reference(np.int32(step)))
        actual = ops.convert_to_numpy(schedule(ops.convert_to_tensor(step, dtype="int32")))
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-7, err_msg=f"step {step}")


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=lambda c: str(c))
def test_traced_step(name, kwargs):
    schedule = getattr(schedules, name)(**kwargs)
    compiled = engine.functional.compile(lambda step: schedule(step))
    for step in (0, 4, 9):
        step_tensor = ops.convert_to_tensor(step, dtype="int32")
        np.testing.assert_allclose(
            ops.convert_to_numpy(compiled(step_tensor)),
            ops.convert_to_numpy(schedule(step_tensor)),
            rtol=0,
            atol=1e-7,
        )


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=lambda c: str(c))
def test_config_round_trip(name, kwargs):
    schedule = getattr(schedules, name)(**kwargs)
    config = schedule.get_config()
    assert type(schedule).from_config(config).get_config() == config
    restored = schedules.deserialize(schedules.serialize(schedule))
    assert restored.get_config() == config


def test_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, decay_steps=0, decay_rate=0.5)
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="Unknown learning-rate schedule"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
