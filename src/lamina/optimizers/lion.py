"""Lion: sign-based updates with two momentum rates (Chen et al., 2023)."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion (evolved sign momentum).

    `w = w - lr * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`. Every update has the size of the
    learning rate, so Lion wants one 3-10x smaller than Adam's.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the weight of the momentum in the update's direction, in (0, 1].
        beta_2: the decay rate of the momentum.
        name: the optimizer's name.
        weight_decay, clipnorm, clipvalue, global_clipnorm: see `Optimizer`.

    Example:
        >>> optimizer = lamina.optimizers.Lion(learning_rate=1e-4)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        if isinstance(beta_1, bool) or not isinstance(beta_1, (int, float)) or not 0 < beta_1 <= 1:
            raise ValueError(
                f"Lion's beta_1 must be in (0, 1]; got beta_1={beta_1!r}. At 0 the update "
                "ignores its momentum (sign SGD)."
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        direction = ops.sign(
            ops.add(ops.multiply(m.value, beta_1), ops.multiply(gradient, 1.0 - beta_1))
        )
        self.assign_sub(variable, ops.multiply(lr, direction))
        m.assign(ops.add(ops.multiply(m.value, beta_2), ops.multiply(gradient, 1.0 - beta_2)))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
