"""Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016)."""

from __future__ import annotations

import math

from lamina import ops
from lamina.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
    _as_float,
    _check_decay_steps,
)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay that restarts, with each period `t_mul` times longer than the last.

    The first period lasts `first_decay_steps` steps and decays the rate from
    `initial_learning_rate` to `alpha * initial_learning_rate` along a cosine.
    Period `i` (from 0) lasts `first_decay_steps * t_mul**i` steps and starts
    from `initial_learning_rate * m_mul**i`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        first_decay_steps: the length of the first period; must be positive.
        t_mul: how much longer each period is than the one before.
        m_mul: how much lower each period starts than the one before.
        alpha: the lowest rate as a fraction of `initial_learning_rate`.
        name: the schedule's name.

    Example:
        >>> schedule = CosineDecayRestarts(0.1, first_decay_steps=1000)
        >>> optimizer = lamina.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ):
        _check_decay_steps(first_decay_steps, "first_decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _restart_and_fraction(self, fraction, dtype):
        """Which period `fraction` (steps / first_decay_steps) falls in, and how far into it."""
        if self._t_mul == 1.0:
            restart = ops.floor(fraction)
            return restart, ops.subtract(fraction, restart)
        # Periods 1, t, t**2, ... end at the partial sums (1 - t**i) / (1 - t).
        t_mul = _as_float(self._t_mul, dtype)
        one_minus_t = ops.subtract(_as_float(1.0, dtype), t_mul)
        inside = ops.subtract(_as_float(1.0, dtype), ops.multiply(fraction, one_minus_t))
        restart = ops.floor(ops.divide(ops.log(inside), ops.log(t_mul)))
        scale = ops.power(t_mul, restart)
        ends_before = ops.divide(ops.subtract(_as_float(1.0, dtype), scale), one_minus_t)
        return restart, ops.divide(ops.subtract(fraction, ends_before), scale)

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        fraction = ops.divide(ops.cast(step, dtype), _as_float(self.first_decay_steps, dtype))
        restart, fraction = self._restart_and_fraction(fraction, dtype)
        start = ops.power(_as_float(self._m_mul, dtype), restart)
        pi = _as_float(math.pi, dtype)
        cosine = ops.multiply(
            ops.multiply(_as_float(0.5, dtype), start),
            ops.add(_as_float(1.0, dtype), ops.cos(ops.multiply(pi, fraction))),
        )
        alpha = _as_float(self.alpha, dtype)
        decayed = ops.add(ops.multiply(ops.subtract(_as_float(1.0, dtype), alpha), cosine), alpha)
        return ops.multiply(initial, decayed)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }
