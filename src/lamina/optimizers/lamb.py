"""Lamb: Adam with a per-layer trust ratio (You et al., 2019), for large batches."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """Lamb (layer-wise adaptive moments).

    Adam's bias-corrected step `u = m_hat / (sqrt(v_hat) + epsilon)` is
    scaled per variable by the trust ratio `||w|| / ||u||` (1 when either
    norm is 0): `w = w - lr * ratio * u`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_1: the decay rate of the first-moment estimate.
        beta_2: the decay rate of the second-moment estimate.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        weight_decay, clipnorm, clipvalue, global_clipnorm: see `Optimizer`.

    Example:
        >>> optimizer = lamina.optimizers.Lamb(learning_rate=1e-3)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"]
        )

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        local_step = ops.cast(ops.add(self._update_count(), 1), dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, dtype), local_step)
        beta_2_power = ops.power(ops.cast(self.beta_2, dtype), local_step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), 1 - self.beta_1))
        self.assign_add(
            v, ops.multiply(ops.subtract(ops.square(gradient), v.value), 1 - self.beta_2)
        )
        m_hat = ops.divide(m.value, ops.subtract(1.0, beta_1_power))
        v_root = ops.add(
            ops.sqrt(ops.divide(v.value, ops.subtract(1.0, beta_2_power))), self.epsilon
        )
        update = ops.divide(m_hat, v_root)
        w_norm = ops.sqrt(ops.sum(ops.square(variable.value)))
        u_norm = ops.sqrt(ops.sum(ops.square(update)))
        one = ops.ones((), dtype=dtype)
        ratio = ops.where(
            ops.greater(w_norm, 0),
            ops.where(ops.greater(u_norm, 0), ops.divide(w_norm, u_norm), one),
            one,
        )
        self.assign_sub(variable, ops.multiply(ops.multiply(ratio, lr), update))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
