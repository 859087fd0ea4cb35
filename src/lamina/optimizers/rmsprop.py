"""RMSprop: gradient descent scaled by a moving average of squared gradients."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop.

    `velocity = rho * velocity + (1 - rho) * g**2`;
    `w = w - lr * g / sqrt(velocity + epsilon)` (epsilon inside the square root,
    as Keras places it). With `centered=True` the denominator uses
    `velocity - mean_grad**2 + epsilon`; with `momentum > 0` the increments are
    accumulated in a momentum slot.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        rho: the discounting factor for the squared-gradient average.
        momentum: the momentum factor; 0 disables momentum.
        epsilon: a small constant for numerical stability.
        centered: whether to normalize by the estimated variance of the gradient.
        name: the optimizer's name.
        weight_decay, clipnorm, clipvalue, global_clipnorm: see `Optimizer`.

    Example:
        >>> optimizer = lamina.optimizers.RMSprop(learning_rate=1e-3, rho=0.9)
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate) -> None:
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        rho = self.rho
        velocity.assign(
            ops.add(ops.multiply(rho, velocity.value), ops.multiply(1 - rho, ops.square(gradient)))
        )
        if self.centered:
            average_grad = self._average_gradients[index]
            average_grad.assign(
                ops.add(ops.multiply(rho, average_grad.value), ops.multiply(1 - rho, gradient))
            )
            denominator = ops.add(
                ops.subtract(velocity.value, ops.square(average_grad.value)), self.epsilon
            )
        else:
            denominator = ops.add(velocity.value, self.epsilon)
        increment = ops.divide(ops.multiply(lr, gradient), ops.sqrt(denominator))
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(ops.add(ops.multiply(self.momentum, momentum.value), increment))
            self.assign_sub(variable, momentum.value)
        else:
            self.assign_sub(variable, increment)

    def _fused_rule(self, fused, variables):
        function = self._fused_function(fused, "rmsprop", RMSprop)
        if function is None:
            return None
        slots = [
            self._slots(self._velocities, variables),
            self._slots(self._momentums, variables) if self.momentum > 0 else None,
            self._slots(self._average_gradients, variables) if self.centered else None,
        ]
        hyperparameters = {
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
        return function, slots, hyperparameters

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
