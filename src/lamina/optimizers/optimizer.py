"""The Optimizer base class: slots, clipping, weight decay, schedules, config.

Optimizers are written imperatively with `variable.value` and
`variable.assign(...)`. The trainer calls `apply` inside a compiled step under
a `StatelessScope`, so every read sees the step's (possibly traced) values and
every assignment is recorded as new state. Update code therefore never
converts tensors to Python numbers and never branches on tensor values.

The step counter `iterations` is an int32 variable on every engine: JAX without
x64 mode has no int64, and one dtype keeps optimizer state portable between
engines (Keras uses int64 on TensorFlow).

Fused updates. An engine may provide the optional backend module `optimizers`
with whole-model versions of some update rules (torch does, with in-place
multi-tensor kernels). An optimizer whose rule is there (`_fused_rule`) uses it
for weight decay and the update, and the generic per-variable `update_step`
otherwise: when the engine has no such function, when a subclass overrides
`update_step`, or when the function declines the case. Both give the same
numbers up to float rounding. The fused function may overwrite a buffer in
place only where lamina knows no one else sees it: the scope donates its
values (the trainer's step) and the buffer is exclusive to lamina (see
`lamina.backend._variable`).
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from lamina import ops
from lamina.backend import engine as _engine
from lamina.backend import floatx
from lamina.backend._variable import StatelessScope, Variable, current_scope
from lamina.optimizers import schedules as _schedules
from lamina.optimizers._naming import auto_name
from lamina.optimizers.schedules import LearningRateSchedule

ITERATIONS_DTYPE = "int32"


def _is_int_at_least(value, low: int) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low


def _value(x):
    return x.value if isinstance(x, Variable) else x


class _ScalarVariable(Variable):
    """A scalar Variable that `float()` and `int()` accept, as Keras variables do.

    Callbacks read `float(optimizer.learning_rate)` and `int(optimizer.iterations)`.
    """

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())


class Optimizer:
    """The base class of optimizers.

    Subclasses create their slot variables in `build(var_list)` (calling
    `super().build(var_list)` first, then `add_variable_from_reference`) and
    update one variable in `update_step(gradient, variable, learning_rate)`.

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable with no
            arguments returning the rate.
        weight_decay: if set, each step first shrinks every variable by
            `variable * weight_decay * learning_rate` (decoupled weight decay).
        clipnorm: if set, each gradient is scaled so its L2 norm is at most this.
        clipvalue: if set, each gradient is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: if set, all gradients are scaled together so their
            global L2 norm is at most this.
        use_ema: if True, keep an exponential moving average of every weight
            (`average = ema_momentum * average + (1 - ema_momentum) * weight`
            after each update); `fit` ends by writing the averages into the
            weights (`finalize_variable_values`).
        ema_momentum: the moving average's momentum, in [0, 1].
        ema_overwrite_frequency: with `use_ema`, also overwrite the weights
            with their averages every this many updates; None: only at the
            end of `fit`.
        loss_scale_factor: if set, gradients are divided by it first (for a
            loss that was multiplied by it).
        gradient_accumulation_steps: if set (an int >= 2), gradients are
            summed over this many batches and the weights updated once, with
            their mean; `iterations` then counts updates, not batches.
        name: the optimizer's name.

    Example:
        >>> optimizer = lamina.optimizers.SGD(learning_rate=0.1)
        >>> optimizer.build(model.trainable_variables)
        >>> optimizer.apply(grads, model.trainable_variables)
    """

    def __init__(
        self,
        learning_rate,
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
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored; use a "
                "learning-rate schedule instead.",
                stacklevel=2,
            )
        if kwargs:
            raise ValueError(
                f"Argument(s) not recognized by {type(self).__name__}: {kwargs}. Check the "
                "spelling against the optimizer's documented arguments."
            )
        if gradient_accumulation_steps is not None and not _is_int_at_least(
            gradient_accumulation_steps, 2
        ):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2 (the number of "
                "batches whose gradients are averaged into one update) or None. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps!r}"
            )
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: "
                    f"ema_momentum={ema_momentum!r}"
                )
            if ema_overwrite_frequency is not None and not _is_int_at_least(
                ema_overwrite_frequency, 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 (every how many "
                    "updates the weights are overwritten by their moving average) or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency!r}"
                )
        clip_args = {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        if sum(value is not None for value in clip_args.values()) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = (
            None if gradient_accumulation_steps is None else int(gradient_accumulation_steps)
        )
        # False while a LossScaleOptimizer wraps this one: it may take an
        # update back, so the update must leave the buffers it reads alone.
        self._updates_in_place = True
        self._model_variables_moving_average: list[Variable] = []
        self._accumulated_gradients: list[Variable] = []
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._variable_index: dict[int, int] = {}
        self._exclude_from_weight_decay_ids: set[int] = set()
        self._exclude_from_weight_decay_pattern = None

        self._iterations = self._track(
            _ScalarVariable(
                np.array(0, dtype=ITERATIONS_DTYPE),
                dtype=ITERATIONS_DTYPE,
                trainable=False,
                name="iteration",
            )
        )
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, (int, np.integer)) and not isinstance(
                learning_rate, bool
            ):
                learning_rate = float(learning_rate)
            if not isinstance(learning_rate, (float, np.floating)):
                raise ValueError(
                    "Argument `learning_rate` should be a float, a LearningRateSchedule, or a "
                    "callable returning the learning rate. Received instead: "
                    f"learning_rate={learning_rate!r}"
                )
            self._learning_rate = self._track(
                _ScalarVariable(
                    np.array(learning_rate, dtype=floatx()),
                    dtype=floatx(),
                    trainable=False,
                    name="learning_rate",
                )
            )

    # ------------------------------------------------------------------ variables
    def _track(self, variable: Variable) -> Variable:
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    @property
    def variables(self) -> list[Variable]:
        """All optimizer variables in a stable order: iterations, learning rate, slots."""
        return list(self._variables)

    @property
    def iterations(self):
        """The number of updates applied so far: an int32 variable.

        With `gradient_accumulation_steps`, as in Keras, the number of
        accumulated updates (batches seen // steps): a tensor, not a variable.
        """
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations.value, self.gradient_accumulation_steps)
        return self._iterations

    def _update_count(self):
        """`iterations` as a tensor, for update rules (their bias corrections count updates)."""
        if self.gradient_accumulation_steps:
            return self.iterations
        return self._iterations.value

    def build(self, var_list) -> None:
        """Records the variables to optimize; subclasses then create their slots."""
        var_list = list(var_list)
        self._variable_index = {id(v): i for i, v in enumerate(var_list)}
        # Keras's order: the averages, then the accumulators, then (in the
        # subclass's build) the slots; saved optimizer variables follow it.
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                var_list, "average"
            )
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                var_list, "gradient_accumulator"
            )
        self._trainable_variables = var_list
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None) -> Variable:
        """Creates and tracks an optimizer variable (`initializer`: "zeros", "ones", a number, an array or a callable)."""
        dtype = dtype or floatx()
        shape = tuple(shape)
        if isinstance(initializer, str):
            fills = {"zeros": 0.0, "ones": 1.0}
            if initializer not in fills:
                from lamina import initializers

                value = initializers.get(initializer)(shape, dtype=dtype)
            else:
                value = np.full(shape, fills[initializer], dtype=dtype)
        elif isinstance(initializer, (int, float)):
            value = np.full(shape, initializer, dtype=dtype)
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
        else:
            value = np.broadcast_to(np.asarray(initializer, dtype=dtype), shape)
        return self._track(Variable(value, dtype=dtype, trainable=False, name=name))

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like `reference_variable`, named `{name}/{reference name}` ("momentum/kernel")."""
        variable_name = reference_variable.name.replace("/", "_").replace(":", "_")
        variable_name = f"{name}/{variable_name}" if name else variable_name
        return self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=variable_name,
        )

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Slots for each variable; a list of names gives a tuple of lists, interleaved per variable as Keras orders them."""
        names = [name] if isinstance(name, str) else list(name)
        # One initializer for every slot, or a list with one per name (as Keras takes it).
        initializers = (
            list(initializer)
            if isinstance(initializer, (list, tuple))
            else [initializer] * len(names)
        )
        if len(initializers) != len(names):
            raise ValueError(
                f"add_optimizer_variables got {len(initializers)} initializers for the "
                f"{len(names)} slot names {names}; give one, or one per name."
            )
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, slot_name in enumerate(names):
                slots[i].append(
                    self.add_variable_from_reference(
                        variable, slot_name, initializer=initializers[i]
                    )
                )
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable) -> int:
        try:
            return self._variable_index[id(variable)]
        except KeyError:
            raise KeyError(
                f"Variable {variable.path!r} is not one the optimizer {self.name!r} was built "
                "with. Call `optimizer.build(model.trainable_variables)` with every variable to "
                "optimize."
            ) from None

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """The learning rate: a Variable for a float rate, the schedule's value at `iterations` otherwise."""
        return self._current_learning_rate(as_variable=True)

    @learning_rate.setter
    def learning_rate(self, learning_rate) -> None:
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            if isinstance(self._learning_rate, Variable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = learning_rate
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                f"This optimizer was created with a {type(self._learning_rate).__name__} as "
                "its `learning_rate`, so the learning rate cannot be set to a number. "
                "Create the optimizer with a float `learning_rate` to make it settable."
            )
        self._learning_rate.assign(_value(learning_rate))

    def _current_learning_rate(self, as_variable: bool = False):
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            return rate(self._iterations.value)
        if isinstance(rate, Variable):
            return rate if as_variable else rate.value
        if callable(rate):
            return _value(rate())
        return rate

    # ------------------------------------------------------------------ applying
    def scale_loss(self, loss):
        """The loss the training step takes gradients of: times `loss_scale_factor` when
        set (`apply` divides the gradients by it again)."""
        if self.loss_scale_factor is not None:
            return ops.multiply(loss, self.loss_scale_factor)
        return loss

    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns `iterations` as tf.keras did."""
        grads_and_vars = list(grads_and_vars)
        grads = [g for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Updates `trainable_variables` with `grads` (one gradient per variable) and counts one step.

        Without `trainable_variables`, the variables the optimizer was built with are used.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `trainable_variables`, the optimizer must "
                    "already be built. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Got {len(grads)} gradients for {len(trainable_variables)} variables; "
                "`apply` needs exactly one gradient per variable, in the same order."
            )
        for variable in trainable_variables:
            self._get_variable_index(variable)
        pairs = [(g, v) for g, v in zip(grads, trainable_variables, strict=True) if g is not None]
        if len(pairs) < len(grads):
            missing = [
                v.path for g, v in zip(grads, trainable_variables, strict=True) if g is None
            ]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. "
                "If using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=2,
            )
        if pairs:
            grads = [g for g, _ in pairs]
            variables = [v for _, v in pairs]
            if self.loss_scale_factor is not None:
                grads = [ops.divide(g, self.loss_scale_factor) for g in grads]
            if self.gradient_accumulation_steps:
                self._apply_accumulated(grads, variables)
            else:
                self._apply_update(grads, variables)
            if self.use_ema:
                self._update_moving_averages()
            for variable in variables:
                if variable.constraint is not None:
                    variable.assign(variable.constraint(variable.value))
        self._iterations.assign(ops.add(self._iterations.value, 1))

    def _apply_update(self, grads, variables) -> None:
        """Clipping, weight decay and the update rule: one update from `grads`."""
        grads = self._clip_gradients(grads)
        if not self._apply_fused(grads, variables):
            self._apply_weight_decay(variables)
            learning_rate = self._current_learning_rate()
            for grad, variable in zip(grads, variables, strict=True):
                self.update_step(grad, variable, learning_rate)

    def _apply_accumulated(self, grads, variables) -> None:
        """Adds `grads` to the accumulators; every `gradient_accumulation_steps`-th
        batch, updates with their mean and clears them.

        Update code never branches on tensor values (it runs inside compiled
        steps), so every batch computes the update, and a select keeps it only
        on an update batch: every value the update changed goes back to what
        it was otherwise.
        """
        steps = self.gradient_accumulation_steps
        is_update = ops.equal(ops.mod(ops.add(self._iterations.value, 1), steps), 0)
        accumulators = self._slots(self._accumulated_gradients, variables)
        totals = [ops.add(a.value, g) for a, g in zip(accumulators, grads, strict=True)]
        watched = [*variables, *(v for v in self._variables if v is not self._iterations)]
        before = {id(v): v.value for v in watched}
        self._apply_update([ops.divide(t, steps) for t in totals], variables)
        for variable in watched:
            old, new = before[id(variable)], variable.value
            if new is not old:
                variable.assign(ops.where(is_update, new, old))
        for accumulator, total in zip(accumulators, totals, strict=True):
            accumulator.assign(ops.where(is_update, ops.zeros_like(total), total))

    def _update_moving_averages(self) -> None:
        """The moving averages after an update, and their overwriting the weights when due."""
        count = self._update_count()
        for variable, average in zip(
            self._trainable_variables, self._model_variables_moving_average, strict=True
        ):
            # The first update's average is the weight itself.
            momentum = ops.multiply(
                ops.cast(ops.not_equal(count, 0), variable.dtype), self.ema_momentum
            )
            average.assign(
                ops.add(
                    ops.multiply(momentum, average.value),
                    ops.multiply(ops.subtract(1.0, momentum), variable.value),
                )
            )
        if self.ema_overwrite_frequency:
            due = ops.equal(ops.mod(ops.add(count, 1), self.ema_overwrite_frequency), 0)
            for variable, average in zip(
                self._trainable_variables, self._model_variables_moving_average, strict=True
            ):
                variable.assign(ops.where(due, average.value, variable.value))

    def finalize_variable_values(self, var_list) -> None:
        """Writes the moving averages into `var_list` (with `use_ema`); `fit` calls it at the end."""
        if not self.use_ema:
            return
        var_list = list(var_list)
        if len(var_list) != len(self._model_variables_moving_average):
            raise ValueError(
                f"Got {len(var_list)} variables to overwrite with their moving averages, but "
                f"the optimizer {self.name!r} keeps {len(self._model_variables_moving_average)} "
                "averages. Pass the variables the optimizer was built with "
                "(`model.trainable_variables`)."
            )
        for variable, average in zip(var_list, self._model_variables_moving_average):
            variable.assign(average.value)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Updates one variable from its gradient; each optimizer implements it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")

    def _fused_rule(self, fused, variables):
        """The engine's fused version of `update_step`, or None for the generic update.

        `fused` is the engine's `optimizers` module. Returns `(function, slots,
        hyperparameters)`: `slots` lists, in the order the function takes and
        returns them, the slot variables of each of `variables` (a list per
        slot kind, or None for a kind not in use); `hyperparameters` are the
        keyword arguments special to the rule.
        """
        del fused, variables
        return None

    def _fused_function(self, fused, name: str, owner: type):
        """`fused.<name>`, when the engine has it and this optimizer uses `owner`'s `update_step`."""
        if type(self).update_step is not owner.update_step:
            return None  # a subclass changed the rule
        return getattr(fused, name, None)

    def _slots(self, slots, variables) -> list:
        """The slot variables of `variables` among `slots` (one per built variable)."""
        return [slots[self._get_variable_index(v)] for v in variables]

    def _apply_fused(self, grads, variables) -> bool:
        """Weight decay and the update with the engine's fused rule; False when there is none."""
        fused = getattr(_engine, "optimizers", None)
        if fused is None or len({id(v) for v in variables}) < len(variables):
            return False
        if self.gradient_accumulation_steps:
            return False  # an in-place update could not be taken back on other batches
        rule = self._fused_rule(fused, variables)
        if rule is None:
            return False
        function, slots, hyperparameters = rule
        groups = [variables, *slots]
        values = [None if group is None else [v.value for v in group] for group in groups]
        scope = current_scope()
        donated = scope is not None and scope.donate and self._updates_in_place
        reuse = [
            donated
            and all(
                group is None or not group or group[i]._exclusive is value[i]
                for group, value in zip(groups, values)
            )
            for i in range(len(variables))
        ]
        decay = self.weight_decay
        result = function(
            values[0],
            grads,
            *values[1:],
            learning_rate=self._current_learning_rate(),
            weight_decay=decay,
            decayed=[bool(decay) and self._use_weight_decay(v) for v in variables],
            reuse=reuse,
            **hyperparameters,
        )
        if result is None:
            return False
        for group, new_values in zip(groups, result, strict=True):
            for variable, value in zip(group or [], new_values or [], strict=True):
                # The engine's own tensors, of the variable's shape and dtype: what
                # `assign` would check and convert is known to hold.
                if scope is not None:
                    scope.set(variable, value)
                else:
                    variable._value = value
                # New, or overwritten in place with leave: either way only lamina holds it.
                variable._exclusive = value
        return True

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """`apply` as a pure function of values: returns `(trainable_values, optimizer_values)`."""
        state = list(zip(self._trainable_variables, trainable_variables, strict=True)) + list(
            zip(self._variables, optimizer_variables, strict=True)
        )
        with StatelessScope(state) as scope:
            self.apply(grads)
            return (
                [scope.value_of(v) for v in self._trainable_variables],
                [scope.value_of(v) for v in self._variables],
            )

    # ------------------------------------------------------------------ helpers
    def assign(self, variable: Variable, value) -> None:
        variable.assign(value)

    def assign_add(self, variable: Variable, value) -> None:
        variable.assign(ops.add(variable.value, value))

    def assign_sub(self, variable: Variable, value) -> None:
        variable.assign(ops.subtract(variable.value, value))

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, values):
        values = ops.convert_to_tensor(values)
        squared_sum = ops.sum(ops.square(values), keepdims=True)
        positive = ops.greater(squared_sum, 0.0)
        # Two `where`s keep the gradient of sqrt finite at 0.
        safe = ops.where(positive, squared_sum, ops.ones_like(squared_sum))
        norm = ops.where(positive, ops.sqrt(safe), squared_sum)
        return ops.divide(ops.multiply(values, self.clipnorm), ops.maximum(norm, self.clipnorm))

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes variables (or names matching any of `var_names`) from weight decay."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_from_weight_decay_ids = {id(v) for v in var_list or []}
        self._exclude_from_weight_decay_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None
        )

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_from_weight_decay_ids:
            return False
        pattern = self._exclude_from_weight_decay_pattern
        return not (pattern is not None and pattern.search(variable.name))

    def _apply_weight_decay(self, variables) -> None:
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = ops.cast(self._current_learning_rate(), variable.dtype)
                wd = ops.cast(self.weight_decay, variable.dtype)
                value = variable.value
                variable.assign(ops.subtract(value, ops.multiply(ops.multiply(value, wd), lr)))

    # ------------------------------------------------------------------ state
    def set_weights(self, weights) -> None:
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not been built. "
                "Call `optimizer.build(trainable_variables)` first."
            )
        for variable, weight in zip(self.variables, weights, strict=True):
            if tuple(variable.shape) != tuple(np.shape(weight)):
                raise ValueError(
                    f"Optimizer variable {variable.path!r} has shape {variable.shape}, not "
                    f"compatible with the provided weight shape {np.shape(weight)}."
                )
            variable.assign(weight)

    def get_weights(self) -> list:
        return [v.numpy() for v in self.variables]

    def save_own_variables(self, store) -> None:
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        variables = self.variables
        if len(store.keys()) != len(variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. Build the optimizer first "
                "(`optimizer.build(model.trainable_variables)`).",
                stacklevel=2,
            )
            return
        for i, variable in enumerate(variables):
            variable.assign(np.asarray(store[str(i)]).astype(variable.dtype))

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        rate = self._learning_rate
        if isinstance(rate, LearningRateSchedule):
            learning_rate = _schedules.serialize(rate)
        elif isinstance(rate, Variable):
            learning_rate = float(rate.numpy())
        else:
            raise ValueError(
                f"Optimizer {self.name!r} has a callable learning rate ({rate!r}), which cannot "
                "be serialized; use a float or a LearningRateSchedule."
            )
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _global_norm(values):
    squared = [ops.sum(ops.square(v)) for v in values]
    return ops.sqrt(ops.sum(ops.stack(squared)))


def _clip_by_global_norm(values, clip_norm):
    norm = _global_norm(values)
    scale = ops.multiply(clip_norm, ops.minimum(ops.divide(1.0, norm), 1.0 / clip_norm))
    # `norm - norm` is 0 for a finite norm and NaN otherwise, so non-finite norms give NaN.
    scale = ops.add(scale, ops.subtract(norm, norm))
    return [ops.multiply(v, scale) for v in values]
