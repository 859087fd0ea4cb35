"""LossScaleOptimizer: dynamic loss scaling for float16 training."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers.optimizer import Optimizer

# Arguments of the base optimizer that belong on the inner optimizer, with
# the values that mean "not used".
_INNER_ARGUMENTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer and scales the loss so float16 gradients do not underflow.

    The training step multiplies the loss by the current scale before taking
    gradients; this optimizer divides the gradients by it again before the
    wrapped optimizer applies them. The scale adapts:

    - a step whose gradients hold an inf or NaN is skipped (no weight and no
      state of the wrapped optimizer changes) and halves the scale;
    - after `dynamic_growth_steps` finite steps in a row the scale doubles.

    `compile()` wraps the optimizer in one by itself when the model's dtype
    policy is "mixed_float16" (unless `auto_scale_loss=False`).

    Args:
        inner_optimizer: the optimizer that updates the weights.
        initial_scale: the first loss scale; a high value is quickly lowered.
        dynamic_growth_steps: finite steps after which the scale doubles.
        name: the optimizer's name.

    Example:
        >>> optimizer = lamina.optimizers.LossScaleOptimizer(lamina.optimizers.Adam())
        >>> model.compile(optimizer=optimizer, loss="mse")
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs,
    ):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer always scales dynamically; got dynamic=False. For a fixed "
                "scale, set `loss_scale_factor` on the optimizer itself instead."
            )
        for argument, unused in _INNER_ARGUMENTS.items():
            if argument in kwargs and kwargs.pop(argument) != unused:
                raise ValueError(
                    f"LossScaleOptimizer does not take `{argument}`; set `{argument}` on the "
                    "inner optimizer instead."
                )
        if kwargs:
            raise ValueError(
                f"Argument(s) not recognized by LossScaleOptimizer: {sorted(kwargs)}. It takes "
                "inner_optimizer, initial_scale, dynamic_growth_steps and name."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer wraps an optimizer instance, e.g. "
                f"LossScaleOptimizer(lamina.optimizers.Adam()); got {inner_optimizer!r}."
            )
        if not isinstance(dynamic_growth_steps, int) or dynamic_growth_steps < 1:
            raise ValueError(
                "`dynamic_growth_steps` must be a positive integer (finite steps before the "
                f"scale doubles); got {dynamic_growth_steps!r}."
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = dynamic_growth_steps
        # The wrapped optimizer's updates are undone on a skipped step, so
        # they must not overwrite the buffers they read.
        inner_optimizer.loss_scale_factor = None
        inner_optimizer._updates_in_place = False

    def build(self, var_list) -> None:
        self.step_counter = self.add_variable(
            (), initializer="zeros", dtype="int32", name="step_counter"
        )
        self.dynamic_scale = self.add_variable(
            (), initializer=self.initial_scale, dtype="float32", name="dynamic_scale"
        )
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list:
        return self._variables + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    def _current_learning_rate(self, as_variable: bool = False):
        return self.inner_optimizer._current_learning_rate(as_variable)

    def scale_loss(self, loss):
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return ops.multiply(loss, ops.cast(scale, ops.dtype(loss)))

    def apply(self, grads, trainable_variables=None) -> None:
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `trainable_variables`, the optimizer must "
                    "already be built. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        present = [g for g in grads if g is not None]
        finite = (
            ops.all(ops.stack([ops.all(ops.isfinite(g)) for g in present])) if present else True
        )
        scale = self.dynamic_scale.value
        unscaled = [
            None if g is None else ops.divide(g, ops.cast(scale, ops.dtype(g))) for g in grads
        ]
        # Code in compiled steps never branches on values: the update always
        # runs, and on a skipped step a select gives every changed value back.
        watched = [*trainable_variables, *self.inner_optimizer.variables]
        before = {id(v): v.value for v in watched}
        self.inner_optimizer.apply(unscaled, trainable_variables)
        for variable in watched:
            old, new = before[id(variable)], variable.value
            if new is not old:
                variable.assign(ops.where(finite, new, old))
        counter = self.step_counter.value
        grow = ops.logical_and(finite, ops.equal(counter, self.dynamic_growth_steps - 1))
        factor = ops.where(grow, 2.0, ops.where(finite, 1.0, 0.5))
        self.dynamic_scale.assign(ops.multiply(scale, ops.cast(factor, "float32")))
        self.step_counter.assign(
            ops.where(ops.logical_and(finite, ops.logical_not(grow)), counter + 1, 0)
        )

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        from lamina.backend._variable import StatelessScope

        state = list(zip(self._trainable_variables, trainable_variables, strict=True)) + list(
            zip(self.variables, optimizer_variables, strict=True)
        )
        with StatelessScope(state) as scope:
            self.apply(grads)
            return (
                [scope.value_of(v) for v in self._trainable_variables],
                [scope.value_of(v) for v in self.variables],
            )

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        from lamina import optimizers

        return {
            "name": self.name,
            "inner_optimizer": optimizers.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from lamina import optimizers

        config = dict(config)
        inner = optimizers.deserialize(
            config.pop("inner_optimizer"), custom_objects=custom_objects
        )
        return cls(inner, **config)
