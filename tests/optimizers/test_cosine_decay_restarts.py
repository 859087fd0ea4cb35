"""CosineDecayRestarts: values against a NumPy reference and Keras 3, traced steps, config."""

import math

import numpy as np
import pytest

import lamina
from lamina import ops
from lamina.backend import engine
from lamina.optimizers import schedules

CASES = [
    {"initial_learning_rate": 0.1, "first_decay_steps": 10},
    {"initial_learning_rate": 0.1, "first_decay_steps": 7, "t_mul": 1.0, "m_mul": 0.5},
    {
        "initial_learning_rate": 0.05,
        "first_decay_steps": 5,
        "t_mul": 1.5,
        "m_mul": 0.8,
        "alpha": 0.1,
    },
    {"initial_learning_rate": 1.0, "first_decay_steps": 3, "t_mul": 3.0, "alpha": 0.25},
]
# Steps inside periods, away from the restart boundaries, where float32's
# rounding of the period index could fall either way.
STEPS = [0, 1, 2, 4, 6, 8, 11, 13, 17, 23, 29, 37, 41, 55, 67, 88, 101, 133, 157, 199]


def _reference(step, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    # Walk the periods one by one: an independent statement of the schedule.
    period, start, restart = float(first_decay_steps), 0.0, 0
    while step >= start + period:
        start += period
        period *= t_mul
        restart += 1
    fraction = (step - start) / period
    cosine = 0.5 * m_mul**restart * (1.0 + math.cos(math.pi * fraction))
    return initial_learning_rate * ((1 - alpha) * cosine + alpha)


def _value(schedule, step):
    return float(ops.convert_to_numpy(schedule(ops.convert_to_tensor(step, dtype="int32"))))


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_matches_reference(kwargs):
    schedule = schedules.CosineDecayRestarts(**kwargs)
    actual = ops.convert_to_numpy(schedule(ops.convert_to_tensor(STEPS, dtype="int32")))
    expected = [_reference(step, **kwargs) for step in STEPS]
    np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-6)
    assert _value(schedule, STEPS[5]) == pytest.approx(expected[5], abs=2e-6)


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_matches_keras(keras_ref, kwargs):
    reference = keras_ref.optimizers.schedules.CosineDecayRestarts(**kwargs)
    schedule = schedules.CosineDecayRestarts(**kwargs)
    # The schedule is elementwise: one call evaluates every step from 0 to 299,
    # restart boundaries included.
    steps = np.arange(300, dtype="int32")
    expected = keras_ref.ops.convert_to_numpy(reference(keras_ref.ops.convert_to_tensor(steps)))
    actual = ops.convert_to_numpy(schedule(ops.convert_to_tensor(steps)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-6)


def test_traced_step():
    schedule = schedules.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.9, alpha=0.05)
    compiled = engine.functional.compile(lambda step: schedule(step))
    for step in (0, 3, 9, 17):
        step_tensor = ops.convert_to_tensor(step, dtype="int32")
        np.testing.assert_allclose(
            ops.convert_to_numpy(compiled(step_tensor)), _value(schedule, step), rtol=0, atol=1e-7
        )


def test_config_round_trip():
    schedule = schedules.CosineDecayRestarts(0.2, 6, t_mul=1.5, m_mul=0.7, alpha=0.1, name="r")
    config = schedule.get_config()
    assert config == {
        "initial_learning_rate": 0.2,
        "first_decay_steps": 6,
        "t_mul": 1.5,
        "m_mul": 0.7,
        "alpha": 0.1,
        "name": "r",
    }
    assert schedules.CosineDecayRestarts.from_config(config).get_config() == config
    restored = schedules.deserialize(schedules.serialize(schedule))
    assert isinstance(restored, schedules.CosineDecayRestarts)
    assert restored.get_config() == config
    optimizer = lamina.optimizers.SGD(learning_rate=schedule)
    rebuilt = lamina.optimizers.SGD.from_config(optimizer.get_config())
    assert rebuilt.get_config()["learning_rate"] == optimizer.get_config()["learning_rate"]


def test_defaults_and_errors():
    schedule = schedules.CosineDecayRestarts(0.1, 10)
    assert schedule.get_config()["t_mul"] == 2.0 and schedule.name == "SGDRDecay"
    with pytest.raises(ValueError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, 0)
