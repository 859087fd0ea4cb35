"""Adafactor: Adam-like steps with factored second moments."""

from __future__ import annotations

from lamina import ops
from lamina.backend._variable import Variable
from lamina.optimizers.optimizer import Optimizer


def _rms(x):
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    """Adafactor (Shazeer and Stern, 2018), with Keras 3's update rule.

    For a variable of rank >= 2 the second moment is kept factored: a row
    accumulator `r` (the mean of `g**2 + epsilon_1` over the last axis) and a
    column accumulator `c` (the mean over the second-to-last axis), both
    decayed by `beta_2_t = 1 - t**beta_2_decay`; the estimate is
    `v = (r / mean(r)) outer c`. Lower-rank variables keep a full `v`. The
    step `u = g / sqrt(v)` is scaled down so its RMS is at most
    `clip_threshold`, and the variable moves by
    `max(epsilon_2, rms(w)) * min(lr, 1 / sqrt(t)) * u`.

    The slots are, per variable, `r`, `c` and the velocity `v`, in Keras's
    order. A variable of rank < 2 gets two int32 scalar placeholders in place
    of `r` and `c`, as in Keras, so saved optimizer state lines up with
    Keras 3 files.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a callable. Defaults to 0.001.
        beta_2_decay: the exponent of the second-moment decay `1 - t**beta_2_decay`.
        epsilon_1: added to the squared gradient, keeping the denominator away from 0.
        epsilon_2: the smallest weight RMS a step is scaled by.
        clip_threshold: the largest RMS of the normalized step (independent of
            `clipnorm`, `clipvalue` and `global_clipnorm`).
        relative_step: with a constant learning rate, cap it by `1 / sqrt(t)`.
        name: the optimizer's name.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
        ema_momentum, ema_overwrite_frequency, loss_scale_factor,
        gradient_accumulation_steps: see `Optimizer`.

    Example:
        >>> optimizer = lamina.optimizers.Adafactor(learning_rate=0.01)
        >>> model.compile(optimizer=optimizer, loss="mse")
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for variable in var_list:
            shape = tuple(variable.shape)
            if len(shape) < 2:
                # Unused, but kept so the variables line up with Keras's.
                r_shape = c_shape = ()
                factor_dtype = "int32"
            else:
                r_shape = shape[:-1]
                c_shape = (*shape[:-2], shape[-1])
                factor_dtype = variable.dtype
            self._r.append(self.add_variable(r_shape, dtype=factor_dtype, name=variable.name))
            self._c.append(self.add_variable(c_shape, dtype=factor_dtype, name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        epsilon_2 = ops.cast(self.epsilon_2, dtype)
        local_step = ops.cast(ops.add(self._update_count(), 1), dtype)
        inverse_sqrt_step = ops.divide(1.0, ops.sqrt(local_step))
        if isinstance(self._learning_rate, Variable) and self.relative_step:
            lr = ops.minimum(lr, inverse_sqrt_step)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]

        rho_t = ops.minimum(lr, inverse_sqrt_step)
        alpha_t = ops.multiply(ops.maximum(epsilon_2, _rms(variable.value)), rho_t)
        regulated_grad_square = ops.add(ops.square(gradient), self.epsilon_1)
        beta_2_t = ops.subtract(1.0, ops.power(local_step, self.beta_2_decay))
        keep = ops.subtract(1.0, beta_2_t)

        def decayed(slot, new):
            return ops.add(ops.multiply(beta_2_t, slot.value), ops.multiply(keep, new))

        if len(variable.shape) >= 2:
            r.assign(decayed(r, ops.mean(regulated_grad_square, axis=-1)))
            c.assign(decayed(c, ops.mean(regulated_grad_square, axis=-2)))
            row_share = ops.divide(r.value, ops.mean(r.value, axis=-1, keepdims=True))
            v.assign(ops.multiply(ops.expand_dims(row_share, -1), ops.expand_dims(c.value, -2)))
        else:
            v.assign(decayed(v, regulated_grad_square))

        u_t = ops.divide(gradient, ops.sqrt(v.value))
        u_t_hat = ops.divide(u_t, ops.maximum(1.0, ops.divide(_rms(u_t), self.clip_threshold)))
        self.assign_sub(variable, ops.multiply(alpha_t, u_t_hat))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config
