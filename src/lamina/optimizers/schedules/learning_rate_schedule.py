"""Learning-rate schedules: functions of the optimizer step, written in lamina.ops.

A schedule is called with the optimizer's `iterations` value, which is a traced
tensor inside a compiled training step, so `__call__` never converts to Python
numbers and never branches in Python on tensor values.
"""

from __future__ import annotations

import math

from lamina import ops
from lamina.backend import floatx


def _as_float(value, dtype=None):
    return ops.cast(ops.convert_to_tensor(value), dtype or floatx())


class LearningRateSchedule:
    """The base class of learning-rate schedules.

    Subclasses implement `__call__(step)`, returning the learning rate at `step`
    as a tensor, and `get_config()`.

    Example:
        >>> class Halving(lamina.optimizers.schedules.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (ops.cast(step, "float32") + 1)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(step)`, returning the learning "
            "rate at `step`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `get_config()` to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _check_decay_steps(decay_steps, argument: str = "decay_steps") -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={decay_steps}")


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: the number of steps per decay period; must be positive.
        decay_rate: the factor applied per period.
        staircase: whether `step / decay_steps` is floored (decay in steps).
        name: the schedule's name.

    Example:
        >>> schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
        >>> optimizer = lamina.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        p = ops.divide(ops.cast(step, dtype), _as_float(self.decay_steps, dtype))
        if self.staircase:
            p = ops.floor(p)
        return ops.multiply(initial, ops.power(_as_float(self.decay_rate, dtype), p))

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant learning rate per interval of steps.

    `values[0]` while `step <= boundaries[0]`, `values[i]` while
    `boundaries[i-1] < step <= boundaries[i]`, and `values[-1]` after the last
    boundary.

    Args:
        boundaries: increasing step numbers.
        values: the learning rates, one more than `boundaries`.
        name: the schedule's name.

    Example:
        >>> schedule = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = ops.convert_to_tensor(step)
        step_dtype = ops.dtype(step)
        boundaries = [ops.cast(ops.convert_to_tensor(b), step_dtype) for b in self.boundaries]
        values = [ops.convert_to_tensor(v) for v in self.values]
        dtype = ops.dtype(values[0])

        def indicator(condition):
            return ops.cast(condition, dtype)

        result = ops.multiply(indicator(ops.less_equal(step, boundaries[0])), values[0])
        result = ops.add(
            result, ops.multiply(indicator(ops.greater(step, boundaries[-1])), values[-1])
        )
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1], strict=True):
            inside = ops.logical_and(ops.greater(step, low), ops.less_equal(step, high))
            result = ops.add(result, ops.multiply(indicator(inside), value))
        return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate` over `decay_steps`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: the number of steps to decay over; must be positive.
        end_learning_rate: the final learning rate.
        power: the power of the polynomial.
        cycle: whether to restart the decay after `decay_steps` (with longer periods).
        name: the schedule's name.

    Example:
        >>> schedule = PolynomialDecay(0.1, decay_steps=10000, end_learning_rate=0.01)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        end = _as_float(self.end_learning_rate, dtype)
        power = _as_float(self.power, dtype)
        step = ops.cast(step, dtype)
        decay_steps = _as_float(self.decay_steps, dtype)
        if self.cycle:
            multiplier = ops.where(
                ops.equal(step, 0.0), 1.0, ops.ceil(ops.divide(step, decay_steps))
            )
            decay_steps = ops.multiply(decay_steps, ops.cast(multiplier, dtype))
        else:
            step = ops.minimum(step, decay_steps)
        p = ops.divide(step, decay_steps)
        return ops.add(
            ops.multiply(ops.subtract(initial, end), ops.power(ops.subtract(1.0, p), power)),
            end,
        )

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: how often to apply decay; must be positive.
        decay_rate: the decay factor.
        staircase: whether `step / decay_steps` is floored.
        name: the schedule's name.

    Example:
        >>> schedule = InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        p = ops.divide(ops.cast(step, dtype), _as_float(self.decay_steps, dtype))
        if self.staircase:
            p = ops.floor(p)
        denominator = ops.add(
            _as_float(1, dtype), ops.multiply(_as_float(self.decay_rate, dtype), p)
        )
        return ops.divide(initial, denominator)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay, with an optional linear warmup before it.

    Without warmup (`warmup_target=None`) the rate goes from
    `initial_learning_rate` to `alpha * initial_learning_rate` over
    `decay_steps`. With warmup it rises linearly from `initial_learning_rate`
    to `warmup_target` over `warmup_steps`, then decays from `warmup_target`.

    Args:
        initial_learning_rate: the learning rate at step 0.
        decay_steps: the number of steps to decay over; must be positive.
        alpha: the final rate as a fraction of the rate decayed from.
        name: the schedule's name.
        warmup_target: the rate reached at the end of warmup (None: no warmup).
        warmup_steps: the number of warmup steps.

    Example:
        >>> schedule = CosineDecay(0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from, dtype):
        completed = ops.divide(step, decay_steps)
        pi = ops.convert_to_tensor(math.pi, dtype=dtype)
        cosine = ops.multiply(0.5, ops.add(1.0, ops.cos(ops.multiply(pi, completed))))
        decayed = ops.add(ops.multiply(1 - self.alpha, cosine), self.alpha)
        return ops.multiply(decay_from, decayed)

    def __call__(self, step):
        initial = ops.convert_to_tensor(self.initial_learning_rate)
        dtype = ops.dtype(initial)
        decay_steps = _as_float(self.decay_steps, dtype)
        step = ops.cast(step, dtype)
        if self.warmup_target is None:
            step = ops.minimum(step, decay_steps)
            return self._decay(step, decay_steps, initial, dtype)
        target = _as_float(self.warmup_target, dtype)
        warmup_steps = _as_float(self.warmup_steps, dtype)
        step = ops.minimum(step, ops.add(decay_steps, warmup_steps))
        warming = ops.add(
            ops.multiply(ops.subtract(target, initial), ops.divide(step, warmup_steps)),
            initial,
        )
        decaying = self._decay(ops.subtract(step, warmup_steps), decay_steps, target, dtype)
        # Both branches are computed; `where` picks one without Python control flow.
        return ops.where(ops.less(step, warmup_steps), warming, decaying)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }
