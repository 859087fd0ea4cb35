"""The one trainer: compile / fit / evaluate / predict for every engine.

A training step is a pure function `step(state, batch) -> (state, logs)`,
written once with lamina.ops and compiled by the engine (`tf.function`,
`jax.jit`, ...). `state` is `(trainable, non_trainable, optimizer, metrics)`:
lists of tensors in the order of the matching variable lists. Inside the step,
layers, optimizer and metrics run under a `StatelessScope` that maps each
variable to its value in `state`, and their assignments become the new state.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina import optimizers as optimizers_module
from lamina.backend import engine as _engine
from lamina.backend._keras_tensor import KerasTensor
from lamina.backend._variable import StatelessScope
from lamina.callbacks.callback_list import CallbackList
from lamina.callbacks.terminate_on_nan import TerminateOnNaN
from lamina.layers import _masking
from lamina.metrics import Mean
from lamina.training import data_adapter
from lamina.training.compile_utils import CompileLoss, CompileMetrics
from lamina.utils import _tree


class Trainer:
    """compile / fit / evaluate / predict, mixed into `Model`."""

    def _init_trainer(self):
        self.compiled = False
        self.optimizer = None
        self._loss_tracker = None
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self.steps_per_execution = 1
        self._functions: dict = {}
        self._nan_warned = False
        self.run_eagerly = False
        self.jit_compile = "auto"
        self._per_output_trackers = []
        self._compile_metrics = None
        # Set by a callback's on_train_begin (BackupAndRestore) to resume an interrupted
        # fit: (epoch, number of that epoch's batches already trained).
        self._resume_at = None
        # The generator that orders fit's array batches, for callbacks that save and
        # restore it; None for iterable data.
        self._fit_shuffle_rng = None

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile="auto",
        auto_scale_loss: bool = True,
    ):
        """Configure the model for training.

        Args:
            optimizer: a name ("adam", "sgd", ...) or an optimizer instance.
            loss: a name, a Loss, a function; a list or dict for several outputs.
            loss_weights: per-output scalar weights of the total loss.
            metrics: metric names or objects; per output as a list of lists or a dict.
            weighted_metrics: metrics that also take `sample_weight`.
            run_eagerly: skip compilation (slow, for debugging).
            steps_per_execution: batches each call of the compiled step runs,
                one after another. Callbacks' batch hooks then run once per
                call: `on_*_batch_begin` with its first batch's index,
                `on_*_batch_end` with its last one's and the logs after it.
            jit_compile: "auto", True or False: whether the engine's XLA-style
                compiler is used where it is optional.
            auto_scale_loss: under the "mixed_float16" dtype policy, wrap the
                optimizer in a `LossScaleOptimizer` (as Keras does).
        """
        self.optimizer = optimizers_module.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and not isinstance(self.optimizer, optimizers_module.LossScaleOptimizer)
        ):
            # float16 gradients underflow without loss scaling, as in Keras.
            self.optimizer = optimizers_module.LossScaleOptimizer(
                self.optimizer, name="loss_scale_optimizer"
            )
        names = self._output_names()
        self._compile_loss = None if loss is None else CompileLoss(loss, loss_weights, names)
        loss_names = self._compile_loss.loss_names if self._compile_loss else [None] * len(names)
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names, loss_names)
        self._loss_tracker = Mean(name="loss")
        self._per_output_trackers = (
            [Mean(name=f"{n}_loss") for n in names]
            if len(names) > 1 and self._compile_loss
            else []
        )
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile
        if (
            isinstance(steps_per_execution, bool)
            or not isinstance(steps_per_execution, numbers.Integral)
            or steps_per_execution < 1
        ):
            raise ValueError(
                f"steps_per_execution must be a positive integer; got {steps_per_execution!r}. "
                "Use 1 (the default) to run one batch per call of the compiled step."
            )
        self.steps_per_execution = int(steps_per_execution)
        self._functions = {}
        self.compiled = True
        self._compile_config = {
            "optimizer": optimizer if isinstance(optimizer, str) else None,
            "loss": loss if isinstance(loss, (str, list, dict)) else None,
            "metrics": metrics,
            "loss_weights": loss_weights,
        }

    def _output_names(self) -> list[str]:
        outputs = getattr(self, "outputs", None)
        if outputs:
            names = []
            for tensor in _tree.flatten(outputs):
                node = tensor._node
                names.append(node.layer.name if node is not None else tensor.name)
            if len(set(names)) == len(names):
                return names
            return [f"output_{i}" for i in range(len(names))]
        return ["output"]

    @property
    def metrics(self) -> list:
        """The loss tracker and compiled metrics, as Keras lists them."""
        result = []
        if self._loss_tracker is not None:
            result.append(self._loss_tracker)
        result.extend(self._per_output_trackers if self.compiled else [])
        if self._compile_metrics is not None:
            result.extend(m for _, _, m in self._compile_metrics.metrics)
        return result

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def _metric_variables(self) -> list:
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"You must call model.compile(optimizer, loss) before {what}(). "
                "Example: model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')."
            )

    # ------------------------------------------------------------------ losses
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss: the compiled losses plus the layers' regularization losses."""
        if self._compile_loss is None:
            raise ValueError(
                "compile() was called without a loss, so the model cannot train or evaluate. "
                "Pass loss=... to compile()."
            )
        per_output = self._compile_loss.per_output(y, y_pred, sample_weight)
        total = self._compile_loss.total(per_output)
        extra = self.losses
        if extra:
            total = total + ops.sum(ops.stack([ops.cast(e, total.dtype) for e in extra]))
        return total, per_output

    # ------------------------------------------------------------------ state
    def _state_variables(self):
        return (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables if self.optimizer is not None else [],
            self._metric_variables(),
        )

    def _current_state(self):
        # lamina's own read, for a step that keeps no reference: `_peek`, not
        # `value`, so the buffers stay exclusive (see `_train_state`).
        return tuple([v._peek() for v in group] for group in self._state_variables())

    def _train_state(self, groups):
        """The variables' values for a training step, which consumes them.

        The training step donates its input state (JAX deletes donated
        buffers, torch's fused optimizer updates overwrite them), so a buffer
        that anything outside lamina may hold goes in as a copy: one read
        through `variable.value`, set by `assign` or `set_weights`, or shared
        with another model. Buffers a step made and nobody has read since
        (`Variable._exclusive`) go in as they are, so a copy happens at most
        once per `fit` unless callbacks read the values between batches.
        """
        copy = _engine.numpy.copy
        return tuple(
            [v._value if v._exclusive is v._value else copy(v._value) for v in group]
            for group in groups
        )

    def _write_state(self, state, groups=None) -> None:
        if groups is None:
            groups = self._state_variables()
        for group, values in zip(groups, state):
            for variable, value in zip(group, values):
                if value is not variable._value:
                    # Made by the step, seen by nobody yet.
                    variable._value = value
                    variable._exclusive = value

    # ------------------------------------------------------------------ steps
    def _train_step(self, state, x, y, sample_weight):
        trainable_vars, non_trainable_vars, optimizer_vars, metric_vars = self._state_variables()
        trainable, non_trainable, optimizer_values, metric_values = state

        def loss_fn(trainable_values, non_trainable_values):
            mapping = list(zip(trainable_vars, trainable_values)) + list(
                zip(non_trainable_vars, non_trainable_values)
            )
            self._clear_losses()
            with StatelessScope(mapping) as scope:
                y_pred = self(x, training=True)
                loss, per_output = self.compute_loss(x, y, y_pred, sample_weight, training=True)
            new_non_trainable = [scope.value_of(v) for v in non_trainable_vars]
            # The outputs' masks ride along explicitly: the engine may return new objects.
            masks = _masking.get_masks(_tree.flatten(y_pred))
            # Gradients are taken of the scaled loss (loss scaling); logs get the loss.
            with StatelessScope(list(zip(optimizer_vars, optimizer_values)), collect=False):
                scaled = self.optimizer.scale_loss(loss)
            return scaled, (loss, y_pred, masks, per_output, new_non_trainable)

        grad_fn = _engine.functional.value_and_grad(loss_fn, has_aux=True)
        (_, (loss, y_pred, masks, per_output, non_trainable)), grads = grad_fn(
            trainable, non_trainable
        )
        _masking.set_masks(_tree.flatten(y_pred), masks)
        mapping = list(zip(trainable_vars, trainable)) + list(
            zip(optimizer_vars, optimizer_values)
        )
        # The step's input state is donated: the optimizer may update it in place.
        with StatelessScope(mapping, donate=True) as scope:
            self.optimizer.apply(grads, trainable_vars)
        trainable = [scope.value_of(v) for v in trainable_vars]
        optimizer_values = [scope.value_of(v) for v in optimizer_vars]
        metric_values, logs = self._update_metrics(
            metric_vars, metric_values, loss, per_output, y, y_pred, sample_weight
        )
        return (trainable, non_trainable, optimizer_values, metric_values), logs

    def _test_step(self, state, x, y, sample_weight):
        """Returns `(metric_values, logs, changed)`: see `_changed_values`."""
        trainable_vars, non_trainable_vars, _, metric_vars = self._state_variables()
        trainable, non_trainable, _, metric_values = state
        mapping = list(zip(trainable_vars, trainable)) + list(
            zip(non_trainable_vars, non_trainable)
        )
        self._clear_losses()
        with StatelessScope(mapping) as scope:
            y_pred = self(x, training=False)
            loss, per_output = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        changed = _changed_values(scope, non_trainable_vars, non_trainable)
        metric_values, logs = self._update_metrics(
            metric_vars, metric_values, loss, per_output, y, y_pred, sample_weight
        )
        return metric_values, logs, changed

    def _predict_step(self, state, x):
        """Returns `(outputs, changed)`: see `_changed_values`."""
        trainable_vars, non_trainable_vars = self.trainable_variables, self.non_trainable_variables
        trainable, non_trainable = state
        mapping = list(zip(trainable_vars, trainable)) + list(
            zip(non_trainable_vars, non_trainable)
        )
        with StatelessScope(mapping) as scope:
            outputs = self(x, training=False)
        return outputs, _changed_values(scope, non_trainable_vars, non_trainable)

    # Several batches per call (`steps_per_execution`): the steps above, one
    # after another inside one compiled function. Each takes a list of
    # batches, each batch as one step takes it.
    def _train_steps(self, state, batches):
        logs = {}
        for x, y, sample_weight in batches:
            state, logs = self._train_step(state, x, y, sample_weight)
        return state, logs

    def _test_steps(self, state, batches):
        trainable, non_trainable, optimizer_values, metric_values = state
        changed_any = [None] * len(non_trainable)
        logs = {}
        for x, y, sample_weight in batches:
            metric_values, logs, changed = self._test_step(
                (trainable, non_trainable, optimizer_values, metric_values), x, y, sample_weight
            )
            non_trainable = _with_changes(non_trainable, changed)
            changed_any = _with_changes(changed_any, changed)
        return metric_values, logs, changed_any

    def _predict_steps(self, state, batches):
        trainable, non_trainable = state
        changed_any = [None] * len(non_trainable)
        outputs = []
        for x in batches:
            out, changed = self._predict_step((trainable, non_trainable), x)
            outputs.append(out)
            non_trainable = _with_changes(non_trainable, changed)
            changed_any = _with_changes(changed_any, changed)
        return outputs, changed_any

    def _keep_changes(self, non_trainable: list, changed: list) -> list:
        """Write what an evaluation or prediction step assigned (a stateful RNN's
        states) into the variables; returns the values for the next step."""
        if all(value is None for value in changed):
            return non_trainable
        result = _with_changes(non_trainable, changed)
        self._write_state([result], [self.non_trainable_variables])
        return result

    def _update_metrics(
        self, metric_vars, metric_values, loss, per_output, y, y_pred, sample_weight
    ):
        with StatelessScope(list(zip(metric_vars, metric_values))) as scope:
            batch = _batch_size(x=y_pred)
            self._loss_tracker.update_state(loss, sample_weight=batch)
            for tracker, value in zip(self._per_output_trackers, per_output):
                if value is not None:
                    tracker.update_state(value, sample_weight=batch)
            self._compile_metrics.update_state(y, y_pred, sample_weight)
            logs = {m.name: m.result() for m in self.metrics}
        return [scope.value_of(v) for v in metric_vars], logs

    def _function(self, kind: str):
        """The compiled (or eager) step function of `kind`."""
        fn = self._functions.get(kind)
        if fn is None:
            step = {
                "train": self._train_step,
                "test": self._test_step,
                "predict": self._predict_step,
                "train_steps": self._train_steps,
                "test_steps": self._test_steps,
                "predict_steps": self._predict_steps,
            }[kind]
            if self.run_eagerly:
                fn = step
            else:
                jit = None if self.jit_compile == "auto" else bool(self.jit_compile)
                donate = (0,) if kind.startswith("train") else ()
                fn = _engine.functional.compile(step, donate_argnums=donate, jit_compile=jit)
            self._functions[kind] = fn
        return fn

    def _step_inputs(self, *parts):
        """A batch as the step functions take it.

        Compiled steps take NumPy batches as they are (cast to the input
        dtypes on the host): the compiler moves them to the device as part of
        the call, so the next step is queued without waiting for the running
        one. Converting first would wait on engines that order transfers
        behind running computations (JAX on CPU). Eager steps get tensors.
        """
        if self.run_eagerly:
            return _to_tensors(*parts)
        return _host_arrays(*parts)

    def _symbolic_build(self, x, y):
        """Build layers, optimizer slots and metrics before the first compiled step.

        Output shapes come from the graph (or a shape-only trace), not from running
        the model: an eager run would compile every op once on engines like JAX.
        """
        if not self.built:
            self(_tree.map_structure(lambda a: a[:1], x), training=False)
        if self.optimizer is not None and not getattr(self.optimizer, "built", False):
            self.optimizer.build(self.trainable_variables)
        if self._compile_metrics is not None and not self._compile_metrics.built:
            pred_shapes = self._output_shapes(x)
            y_shapes = None if y is None else [tuple(a.shape) for a in _tree.flatten(y)]
            self._check_targets(y, pred_shapes)
            self._compile_metrics.build(y_shapes, pred_shapes)

    def _output_shapes(self, x) -> list[tuple]:
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [tuple(t.shape) for t in outputs]
        symbolic = _tree.map_structure(
            lambda a: KerasTensor((None, *a.shape[1:]), _input_dtype(a) or str(a.dtype)), x
        )
        return [tuple(s.shape) for s in _tree.flatten(self._trace_output_spec(symbolic))]

    def _check_targets(self, y, pred_shapes) -> None:
        """Catch label/output mismatches before training starts."""
        if y is None or self._compile_loss is None:
            return
        ys = _tree.flatten(y)
        if len(ys) != len(pred_shapes):
            raise ValueError(
                f"The model has {len(pred_shapes)} outputs but y holds {len(ys)} arrays. "
                "Pass one target array per output (a list, or a dict by output name)."
            )
        for name, loss_name, target, shape in zip(
            self._compile_loss.output_names, self._compile_loss.loss_names, ys, pred_shapes
        ):
            _check_target(name, loss_name or "", np.asarray(target), shape)

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs: int = 1,
        verbose="auto",
        callbacks=None,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch: int = 0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq: int = 1,
    ):
        """Train the model for `epochs` epochs; returns a `History`."""
        self._require_compiled("fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        epochs = _limit_epochs(epochs)
        if data_adapter.is_iterable_dataset(x):
            _no_targets_beside(x, y, sample_weight)
            batches = data_adapter.IterableBatches(x, steps=steps_per_epoch)
            first = batches.peek()
            sample_x, sample_y = first[0], first[1]
            if validation_split:
                raise ValueError(
                    "validation_split needs array data; pass validation_data instead."
                )
        else:
            x, y, sample_weight = data_adapter.standardize(x, y, sample_weight)
            if validation_split and validation_data is None:
                (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                    (x, y, sample_weight), validation_split
                )
            if class_weight is not None:
                cw = data_adapter.class_weights_to_sample_weights(y, class_weight)
                sample_weight = cw if sample_weight is None else sample_weight * cw
            batches = data_adapter.ArrayBatches(
                x,
                y,
                sample_weight,
                batch_size=batch_size,
                shuffle=shuffle,
                steps=steps_per_epoch,
                seed=_shuffle_seed(),
            )
            sample_x, sample_y = x, y
        _limit_steps(batches)
        self._symbolic_build(sample_x, sample_y)
        validation = _standardize_validation(validation_data)

        callbacks = CallbackList(
            callbacks,
            add_history=True,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=batches.num_batches,
        )
        self.stop_training = False
        # With TerminateOnNaN the user asked for a stop, not for a warning.
        self._nan_warned = any(isinstance(c, TerminateOnNaN) for c in callbacks)
        train_fn = self._function("train")
        self._fit_shuffle_rng = getattr(batches, "_rng", None)
        self._resume_at = None
        callbacks.on_train_begin()
        skip_steps = 0
        if self._resume_at is not None:
            initial_epoch, skip_steps = self._resume_at
            self._resume_at = None
        epoch_logs: dict = {}
        # Reading the logs after each step waits for the step to finish; when no
        # callback reads batch logs, steps are queued back to back and the logs
        # are read once per epoch.
        batch_logs_read = callbacks.reads_batch_logs("train")
        # Callbacks that run between batches may read the variables: the next
        # step's state is then taken from them again (see `_train_state`).
        reread_state = callbacks.runs_between_batches("train")
        pending_losses: list = []
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs = {}
            groups = self._state_variables()
            state = self._train_state(groups)
            steps_done = 0
            for first, group in _executions(batches.epoch(), self.steps_per_execution, skip_steps):
                step = first + len(group) - 1
                callbacks.on_train_batch_begin(first)
                if reread_state:
                    state = self._train_state(groups)
                if self.steps_per_execution == 1:
                    state, logs = train_fn(state, *self._step_inputs(*group[0]))
                else:
                    state, logs = self._function("train_steps")(
                        state, [self._step_inputs(*b) for b in group]
                    )
                self._write_state(state, groups)
                steps_done = step + 1
                if batch_logs_read:
                    logs = self._pythonify(logs)
                    self._check_finite(logs, step, epoch)
                elif "loss" in logs:
                    pending_losses.append((step, logs["loss"]))
                callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if not batch_logs_read:
                logs = self._pythonify(logs)
                self._check_pending_losses(pending_losses, epoch)
                pending_losses = []
            skip_steps = 0
            callbacks.params["steps_done"] = steps_done
            epoch_logs = dict(logs)
            if validation is not None and (epoch + 1) % validation_freq == 0:
                val_x, val_y, val_sw = (validation + (None, None))[:3]
                val_logs = self.evaluate(
                    val_x,
                    val_y,
                    sample_weight=val_sw,
                    batch_size=validation_batch_size or batch_size,
                    steps=validation_steps,
                    verbose=0,
                    callbacks=callbacks,
                    return_dict=True,
                    _internal=True,
                )
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if epochs > 0 and hasattr(self.optimizer, "finalize_variable_values"):
            # With use_ema, the weights become their moving averages (as in Keras).
            self.optimizer.finalize_variable_values(self.trainable_variables)
        callbacks.on_train_end(epoch_logs)
        return callbacks.history

    def _check_pending_losses(self, pending: list, epoch: int) -> None:
        if self._nan_warned:
            return
        for step, loss in pending:
            value = float(_engine.core.convert_to_numpy(loss))
            if not math.isfinite(value):
                self._check_finite({"loss": value}, step, epoch)
                return

    def _check_finite(self, logs: dict, step: int, epoch: int) -> None:
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss) and not self._nan_warned:
            self._nan_warned = True
            warnings.warn(
                f"The loss became {loss} at batch {step} of epoch {epoch + 1}. Training goes on, "
                "but the weights are probably ruined. Lower the learning rate, check the data for "
                "NaN/inf, or add lamina.callbacks.TerminateOnNaN() to stop at once.",
                RuntimeWarning,
                stacklevel=3,
            )

    # ------------------------------------------------------------------ evaluate
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict: bool = False,
        _internal: bool = False,
        **kwargs,
    ):
        """The loss and metrics on the given data: a scalar, a list, or a dict."""
        self._require_compiled("evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)
        if data_adapter.is_iterable_dataset(x):
            _no_targets_beside(x, y, sample_weight)
            batches = data_adapter.IterableBatches(x, steps=steps)
            first = batches.peek()
            self._symbolic_build(first[0], first[1])
        else:
            x, y, sample_weight = data_adapter.standardize(x, y, sample_weight)
            batches = data_adapter.ArrayBatches(
                x, y, sample_weight, batch_size=batch_size, steps=steps
            )
            self._symbolic_build(x, y)
        _limit_steps(batches)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks,
                add_progbar=verbose != 0 and not _internal,
                model=self,
                verbose=verbose,
                epochs=1,
                steps=batches.num_batches,
                mode="evaluate",
            )
        test_fn = self._function("test")
        self.reset_metrics()
        callbacks.on_test_begin()
        # Read after on_test_begin, which may change the weights (SwapEMAWeights).
        trainable, non_trainable, optimizer_values, metric_values = self._current_state()
        metric_vars = self._metric_variables()
        logs = {}
        steps_done = 0
        for first, group in _executions(batches.epoch(), self.steps_per_execution):
            step = first + len(group) - 1
            callbacks.on_test_batch_begin(first)
            state = (trainable, non_trainable, optimizer_values, metric_values)
            if self.steps_per_execution == 1:
                metric_values, logs, changed = test_fn(state, *self._step_inputs(*group[0]))
            else:
                metric_values, logs, changed = self._function("test_steps")(
                    state, [self._step_inputs(*b) for b in group]
                )
            non_trainable = self._keep_changes(non_trainable, changed)
            logs = self._pythonify(logs)
            steps_done = step + 1
            callbacks.on_test_batch_end(step, logs)
        for variable, value in zip(metric_vars, metric_values):
            variable._value = value
        if not _internal:  # fit's own step count must survive its validation pass
            callbacks.params["steps_done"] = steps_done
        callbacks.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on `x`, batch by batch, as NumPy arrays."""
        verbose = 1 if verbose == "auto" else int(verbose)
        if data_adapter.is_iterable_dataset(x):
            batches = data_adapter.IterableBatches(x, steps=steps)
        else:
            x, _, _ = data_adapter.standardize(x)
            if not self.built:
                self(_tree.map_structure(lambda a: a[:1], x), training=False)
            if verbose == 0 and callbacks is None and steps is None:
                n = data_adapter.num_samples(x)
                if 0 < n <= (batch_size or 32):
                    return self._predict_one_batch(x)
            batches = data_adapter.ArrayBatches(x, batch_size=batch_size, steps=steps)
        _limit_steps(batches)
        callbacks = CallbackList(
            callbacks,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=1,
            steps=batches.num_batches,
        )
        predict_fn = self._function("predict")
        callbacks.on_predict_begin()
        outputs = []
        state = None
        steps_done = 0
        for first, group in _executions(batches.epoch(), self.steps_per_execution):
            step = first + len(group) - 1
            if state is None:
                if not self.built:
                    self(group[0][0], training=False)
                state = self._current_state()[:2]
            callbacks.on_predict_batch_begin(first)
            if self.steps_per_execution == 1:
                batch_out, changed = predict_fn(state, self._step_inputs(group[0][0])[0])
                group_out = [batch_out]
            else:
                group_out, changed = self._function("predict_steps")(
                    state, [self._step_inputs(b[0])[0] for b in group]
                )
                batch_out = _tree.map_structure(
                    lambda *parts: _engine.numpy.concatenate(parts, axis=0), *group_out
                )
            state = (state[0], self._keep_changes(state[1], changed))
            for out in group_out:
                outputs.append(_tree.map_structure(_engine.core.convert_to_numpy, out))
            steps_done = step + 1
            callbacks.on_predict_batch_end(step, {"outputs": batch_out})
        callbacks.params["steps_done"] = steps_done
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("predict() got no data: x has no samples.")
        return _tree.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    def _predict_one_batch(self, x):
        # The common serving call (a few samples, quiet, no callbacks) skips the
        # batching and callback machinery: its cost is per call, not per sample.
        state = self._current_state()[:2]
        outputs, changed = self._function("predict")(state, _to_tensors(x)[0])
        self._keep_changes(state[1], changed)
        return _tree.map_structure(_engine.core.convert_to_numpy, outputs)

    # ------------------------------------------------------------------ on_batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the logs like `evaluate`."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = data_adapter.standardize(x, y, sample_weight)
        if class_weight is not None:
            cw = data_adapter.class_weights_to_sample_weights(y, class_weight)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        self._symbolic_build(x, y)
        groups = self._state_variables()
        state, logs = self._function("train")(
            self._train_state(groups), *self._step_inputs(x, y, sample_weight)
        )
        self._write_state(state, groups)
        return self._format_logs(self._pythonify(logs), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """One evaluation step on one batch."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight = data_adapter.standardize(x, y, sample_weight)
        self._symbolic_build(x, y)
        self.reset_metrics()
        state = self._current_state()
        metric_values, logs, changed = self._function("test")(
            state, *self._step_inputs(x, y, sample_weight)
        )
        self._keep_changes(state[1], changed)
        for variable, value in zip(self._metric_variables(), metric_values):
            variable._value = value
        return self._format_logs(self._pythonify(logs), return_dict)

    def predict_on_batch(self, x):
        """The model's outputs on one batch, as NumPy arrays."""
        return self.predict(
            x, batch_size=data_adapter.num_samples(data_adapter.standardize(x)[0]), verbose=0
        )

    def _pythonify(self, logs: dict) -> dict:
        """Logs as Python floats (NumPy arrays for metrics with one value per class,
        such as `F1Score(average=None)`), keys in alphabetical order, as Keras 3
        reports them."""
        result = {}
        for key in sorted(logs):
            value = np.array(
                _engine.core.convert_to_numpy(logs[key])
            )  # a copy: logs outlive the step
            result[key] = float(value) if value.ndim == 0 else value
        return result

    def _format_logs(self, logs: dict, return_dict: bool):
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values


# ---------------------------------------------------------------------- helpers


def _limit_epochs(epochs: int) -> int:
    # The debugging cap of lamina.config.set_max_epochs, as Keras applies it.
    limit = _config.max_epochs()
    if limit and limit < epochs:
        warnings.warn(
            f"Limiting epochs to {limit} (lamina.config.max_epochs()).", UserWarning, stacklevel=3
        )
        return limit
    return epochs


def _limit_steps(batches) -> None:
    # The debugging cap of lamina.config.set_max_steps_per_epoch, for one pass
    # of fit, evaluate or predict.
    limit = _config.max_steps_per_epoch()
    if not limit or (batches.steps is not None and batches.steps <= limit):
        return
    warnings.warn(
        f"Limiting steps_per_epoch to {limit} (lamina.config.max_steps_per_epoch()).",
        UserWarning,
        stacklevel=3,
    )
    batches.steps = limit
    if isinstance(batches, data_adapter.IterableBatches):
        known = batches.num_batches
        batches.num_batches = limit if known is None else min(limit, known)


def _batch_size(x):
    first = _tree.flatten(x)[0]
    return ops.cast(ops.shape(first)[0], "float32")


def _executions(batches, steps_per_execution: int, skip: int = 0):
    """`(index of the first batch, [batches])` for each call of the compiled
    step: `steps_per_execution` batches at a time, the last call taking what
    is left; the first `skip` batches are passed over."""
    group: list = []
    first = skip
    for step, batch in enumerate(batches):
        if step < skip:
            continue
        if not group:
            first = step
        group.append(batch)
        if len(group) == steps_per_execution:
            yield first, group
            group = []
    if group:
        yield first, group


def _with_changes(values: list, changed: list) -> list:
    """`values` with each entry that `changed` holds (not None) replaced."""
    return [value if new is None else new for value, new in zip(values, changed)]


def _changed_values(scope, variables, values) -> list:
    """What a step assigned to `variables`: the new value, or None where a
    variable kept the value it came in with. The structure is fixed while the
    step is traced, so a step that assigns nothing returns nothing to copy."""
    return [
        None if scope.get(variable) is value else scope.value_of(variable)
        for variable, value in zip(variables, values)
    ]


def _to_tensors(*parts):
    def convert(a):
        return a if a is None else _engine.core.convert_to_tensor(a, dtype=_input_dtype(a))

    return tuple(None if p is None else _tree.map_structure(convert, p) for p in parts)


def _host_arrays(*parts):
    def cast(a):
        if a is None:
            return None
        if isinstance(a, np.ndarray):
            dtype = _input_dtype(a)
            return a if dtype is None or a.dtype == dtype else a.astype(dtype)
        return _engine.core.convert_to_tensor(a, dtype=_input_dtype(a))

    # Called once per step: plain arrays, the common case, skip the tree walk.
    return tuple(
        cast(p) if p is None or isinstance(p, np.ndarray) else _tree.map_structure(cast, p)
        for p in parts
    )


def _input_dtype(array):
    dtype = getattr(array, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind == "f":
        from lamina.backend import floatx

        return floatx()
    if dtype is not None and np.dtype(dtype) == np.int64:
        return "int32"
    return None


def _shuffle_seed():
    from lamina.random._global import draw_seed

    return draw_seed()


def _no_targets_beside(x, y, sample_weight) -> None:
    if y is not None or sample_weight is not None:
        given = "y" if y is not None else "sample_weight"
        raise ValueError(
            f"x is a dataset ({type(x).__name__}), which yields its own targets, so {given} "
            f"must not be given; got {given} of type "
            f"{type(y if y is not None else sample_weight).__name__}. Yield (x, y) or "
            "(x, y, sample_weight) batches from the dataset instead."
        )


def _standardize_validation(validation_data):
    if validation_data is None:
        return None
    if data_adapter.is_iterable_dataset(validation_data):
        return (validation_data,)
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight); "
            f"got {type(validation_data).__name__} of length {len(validation_data) if hasattr(validation_data, '__len__') else '?'}."
        )
    return (
        tuple(validation_data)
        if len(validation_data) == 3
        else (validation_data[0], validation_data[1], None)
    )


def _check_target(name: str, loss_name: str, target: np.ndarray, pred_shape: tuple) -> None:
    classes = pred_shape[-1] if pred_shape else None
    loss_name = loss_name.lower()
    if "categorical_crossentropy" in loss_name and "sparse" not in loss_name:
        if (
            classes
            and classes > 1
            and (target.ndim == len(pred_shape) - 1 or target.shape[-1:] == (1,))
        ):
            raise ValueError(
                f"Output {name!r} uses categorical_crossentropy, which expects one-hot targets of "
                f"shape {('N', *pred_shape[1:])}, but y has shape {target.shape} (integer class ids). "
                "Use loss='sparse_categorical_crossentropy', or one-hot encode y with "
                f"lamina.utils.to_categorical(y, {classes})."
            )
    if "sparse_categorical" in loss_name:
        if target.ndim == len(pred_shape) and target.shape[-1] == classes and classes != 1:
            raise ValueError(
                f"Output {name!r} uses sparse_categorical_crossentropy, which expects integer class "
                f"ids of shape (N,), but y has shape {target.shape} (one-hot rows). Use "
                "loss='categorical_crossentropy', or pass y.argmax(axis=-1)."
            )
        return
    if target.ndim >= 1 and len(pred_shape) >= 1 and target.ndim == len(pred_shape):
        for t, p in zip(target.shape[1:], pred_shape[1:]):
            if p is not None and t != p and t != 1 and p != 1:
                raise ValueError(
                    f"Output {name!r} has shape {pred_shape} but its targets y have shape "
                    f"{target.shape}; the loss {loss_name or '(custom)'} cannot compare them. "
                    "Make the last layer's units match the targets, or reshape y."
                )
