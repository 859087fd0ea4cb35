"""Ftrl: follow the regularized leader (McMahan et al., 2013), for wide sparse models."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer


def _check(name: str, value, sign: str) -> None:
    bad = value > 0.0 if sign == "<= 0" else value < 0.0
    if bad:
        raise ValueError(f"Ftrl's {name} must be {sign}; got {name}={value!r}.")


class Ftrl(Optimizer):
    """FTRL-Proximal, with L1, L2 and L2-shrinkage regularization, as Keras 3's `Ftrl`.

    Per weight it keeps an accumulator `n` of squared gradients and a linear
    term `z`; the weight is then `(clip(z, -l1, l1) - z) / (n**-p / lr + 2 * l2)`
    with `p = learning_rate_power`, so that L1 sets small weights to exactly 0.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        learning_rate_power: how the step shrinks as gradients accumulate (<= 0;
            -0.5 is AdaGrad's rate, 0 a constant one).
        initial_accumulator_value: the accumulators' start (>= 0).
        l1_regularization_strength: L1 strength (>= 0).
        l2_regularization_strength: L2 strength (>= 0).
        l2_shrinkage_regularization_strength: L2 applied through the gradient,
            shrinking weights toward 0 (>= 0).
        beta: added to the L2 term as `beta / (2 * lr)`.
        name: the optimizer's name.
        weight_decay, clipnorm, clipvalue, global_clipnorm: see `Optimizer`.

    Example:
        >>> optimizer = lamina.optimizers.Ftrl(learning_rate=0.05, l1_regularization_strength=0.01)
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            name=name,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            **kwargs,
        )
        _check("initial_accumulator_value", initial_accumulator_value, ">= 0")
        _check("learning_rate_power", learning_rate_power, "<= 0")
        _check("l1_regularization_strength", l1_regularization_strength, ">= 0")
        _check("l2_regularization_strength", l2_regularization_strength, ">= 0")
        _check(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, ">= 0"
        )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list,
            ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"],
        )

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = ops.add(self.l2_regularization_strength, ops.divide(self.beta, ops.multiply(2.0, lr)))
        shrunk = ops.add(
            gradient, ops.multiply(2 * self.l2_shrinkage_regularization_strength, variable.value)
        )
        old = accumulator.value
        new = ops.add(old, ops.square(gradient))
        step = ops.divide(ops.subtract(ops.power(new, power), ops.power(old, power)), lr)
        self.assign_add(linear, ops.subtract(shrunk, ops.multiply(step, variable.value)))
        accumulator.assign(new)
        quadratic = ops.add(ops.divide(ops.power(new, power), lr), ops.multiply(2.0, l2))
        l1 = self.l1_regularization_strength
        clipped = ops.clip(linear.value, -l1, l1)
        variable.assign(ops.divide(ops.subtract(clipped, linear.value), quadratic))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config
