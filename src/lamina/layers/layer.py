"""The Layer base class: weights, build-on-first-call, symbolic calls, config."""

from __future__ import annotations

import collections
import contextvars
import inspect
import re

from lamina import dtype_policies as _dtype_policies
from lamina import ops
from lamina.backend import engine as _engine
from lamina.backend import floatx
from lamina.backend._keras_tensor import KerasTensor
from lamina.backend._spec import TensorSpec
from lamina.backend._variable import StatelessScope, Variable, _autocast, current_scope
from lamina.dtype_policies import DTypePolicy
from lamina.layers import _compiled_call, _masking
from lamina.layers.input_spec import InputSpec, check_input_spec
from lamina.random.seed_generator import SeedGenerator
from lamina.utils import _tree

_name_counts: collections.Counter = collections.Counter()
# The `training` value of the outermost layer call, inherited by nested calls.
_training_context: contextvars.ContextVar = contextvars.ContextVar("lamina_training", default=None)
# True inside a layer's call: a call made then is not a top-level one.
_in_layer_call: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lamina_in_layer_call", default=False
)


def unique_name(prefix: str) -> str:
    """ "dense", "dense_1", "dense_2", ... as Keras names layers."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def to_snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _standardize_shape(shape) -> tuple:
    if shape is None:
        return None
    if isinstance(shape, int):
        return (shape,)
    return tuple(None if d is None else int(d) for d in shape)


class Node:
    """One call of a layer on symbolic tensors: the edges of a functional graph."""

    def __init__(self, layer: Layer, args: tuple, kwargs: dict, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [
            t for t in _tree.flatten((list(args), kwargs)) if isinstance(t, KerasTensor)
        ]
        self.output_tensors = _tree.flatten(outputs)

    def call(self, values: dict):
        """Run the layer with each symbolic input replaced by `values[id(tensor)]`."""

        def resolve(x):
            return values[id(x)] if isinstance(x, KerasTensor) else x

        args = _tree.map_structure(resolve, list(self.args))
        kwargs = _tree.map_structure(resolve, self.kwargs)
        return self.layer(*args, **kwargs)


class Layer:
    """The base class of all layers.

    Subclasses create weights in `build(input_shape)` with `add_weight`, compute in
    `call(inputs, ...)`, and describe their arguments in `get_config()`.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: the layer's name; unique names are made from the class name.
        dtype: the dtype of weights and computations (default `floatx()`).

    Example:
        >>> class Scale(lamina.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, inputs):
        ...         return inputs * self.w
    """

    def __init__(
        self,
        *,
        activity_regularizer=None,
        trainable: bool = True,
        dtype=None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs,
    ):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_size = kwargs.pop("batch_size", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        kwargs.pop("input_length", None)  # Keras 2 Embedding argument, now implied by the data
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}. "
                "Check the spelling against the layer's documented arguments."
            )
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            batch_size, input_shape = batch_input_shape[0], batch_input_shape[1:]
        self._input_shape_arg = _standardize_shape(input_shape)
        self._batch_size_arg = batch_size
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype_policy = _dtype_policies.get(dtype)
        self.autocast = autocast
        self.built = False
        self.input_spec = None
        # As in Keras: a layer that defines its own compute_mask supports masking.
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        self._layers: list[Layer] = []
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._seed_generators: list[SeedGenerator] = []
        # State a call carries to the next one (a stateful RNN's states): not
        # weights (never saved, not in `weights`), but steps read and write it.
        self._call_state_variables: list[Variable] = []
        self._losses: list = []
        self._inbound_nodes: list[Node] = []
        from lamina import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        signature = inspect.signature(self.call).parameters
        self._call_has_training = "training" in signature
        self._call_has_mask = "mask" in signature
        # What `training` is when a call passes none and no outer call set it
        # (read here: inspect is slow for every call).
        default = signature["training"].default if self._call_has_training else False
        self._call_training_default = False if default is inspect.Parameter.empty else default

    # ------------------------------------------------------------------ tracking
    def __setattr__(self, name, value):
        tracked = getattr(self, "_layers", None)
        if tracked is not None:
            _compiled_call.attribute_set(name, value)
        if tracked is not None and name not in _UNTRACKED_ATTRIBUTES:
            # Private attributes too, as in Keras: `self._dense = Dense(3)` in a
            # custom layer makes its weights the layer's.
            for item in _tree.flatten(value) if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, Layer) and item is not self and item not in tracked:
                    tracked.append(item)
                elif isinstance(item, SeedGenerator) and item not in self._seed_generators:
                    self._seed_generators.append(item)
                elif isinstance(item, Variable):
                    self._track_variable(item)
        object.__setattr__(self, name, value)

    def _track_variable(self, variable: Variable) -> None:
        group = self._trainable_variables if variable.trainable else self._non_trainable_variables
        if all(v is not variable for v in group):
            group.append(variable)
            _compiled_call.layers_changed()

    @property
    def dtype_policy(self) -> DTypePolicy:
        """The layer's `DTypePolicy`: its compute and variable dtypes."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        self._dtype_policy = _dtype_policies.get(value)

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (`variable_dtype`), as in Keras."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in and returns."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer creates its weights in."""
        return self._dtype_policy.variable_dtype

    def _autocast_dtype(self, outer: str | None) -> str | None:
        """The dtype float variables read as inside this layer's call.

        As in Keras: a layer under a mixed policy reads them in its compute
        dtype, and so does any layer called inside it; a layer that turns
        autocasting off, or computes in a non-float dtype, reads them as they are.
        """
        compute = self.compute_dtype
        if outer is None and compute == self.variable_dtype:
            return None
        if not self.autocast or "float" not in compute:
            return None
        return compute

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    def _flat_layers(self) -> list[Layer]:
        """This layer's sublayers, depth first, each once."""
        seen, result = set(), []

        def visit(layer):
            for sub in layer._layers:
                if id(sub) not in seen:
                    seen.add(id(sub))
                    result.append(sub)
                    visit(sub)

        visit(self)
        return result

    def _all_layers(self) -> list[Layer]:
        return [self, *self._flat_layers()]

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        result = list(self._trainable_variables)
        if self._layers:
            _extend_unique(result, (layer.trainable_weights for layer in self._layers))
        return result

    @property
    def non_trainable_weights(self) -> list[Variable]:
        result = list(self._non_trainable_variables)
        if not self.trainable:
            result = list(self._trainable_variables) + result
        if self._layers:
            _extend_unique(result, (layer.non_trainable_weights for layer in self._layers))
        return result

    @property
    def weights(self) -> list[Variable]:
        """All weights, in the order they were created (trainable or not)."""
        result = []
        for layer in self._all_layers():
            for v in layer._trainable_variables + layer._non_trainable_variables:
                if all(v is not r for r in result):
                    result.append(v)
        return sorted(result, key=lambda v: v._uid)

    @property
    def trainable_variables(self) -> list[Variable]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Variable]:
        """Non-trainable weights plus random-seed state and the state calls
        carry (stateful RNNs): everything a step updates but the optimizer."""
        return (
            self.non_trainable_weights
            + [g.state for g in self._all_seed_generators()]
            + self._all_call_state_variables()
        )

    @property
    def variables(self) -> list[Variable]:
        return (
            self.weights
            + [g.state for g in self._all_seed_generators()]
            + self._all_call_state_variables()
        )

    def _all_call_state_variables(self) -> list[Variable]:
        result = []
        for layer in self._all_layers():
            if layer._call_state_variables:
                _extend_unique(result, [layer._call_state_variables])
        return result

    def _all_seed_generators(self) -> list[SeedGenerator]:
        result = []
        for layer in self._all_layers():
            if layer._seed_generators:
                _extend_unique(result, [layer._seed_generators])
        return result

    @property
    def losses(self) -> list:
        """Regularization losses of the weights, plus losses added during the last call."""
        result = []
        for layer in self._all_layers():
            result.extend(layer._losses)
            for v in layer._trainable_variables:
                if v.regularizer is not None and layer.trainable:
                    result.append(v.regularizer(v.value))
        return result

    def add_loss(self, loss) -> None:
        """Add a loss tensor (e.g. an activity regularization term) to `losses`."""
        self._losses.append(loss)

    def _clear_losses(self) -> None:
        for layer in self._all_layers():
            layer._losses = []

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer=None,
        constraint=None,
        aggregation: str = "none",
        name: str | None = None,
    ) -> Variable:
        """Create a weight of this layer.

        Args:
            shape: the weight's shape (default `()`).
            initializer: an initializer name, object or callable; default
                "glorot_uniform" for floats, "zeros" otherwise.
            dtype: default the layer's variable dtype.
            trainable: whether the optimizer updates it.
            regularizer, constraint: names or callables.
            name: the weight's name within the layer.
        """
        from lamina import constraints, initializers, regularizers

        shape = _standardize_shape(shape if shape is not None else ())
        dtype = _standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        initializer = initializers.get(initializer)
        variable = Variable(
            initializer,
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            name=name
            or f"variable_{len(self._trainable_variables) + len(self._non_trainable_variables)}",
            regularizer=regularizers.get(regularizer),
            constraint=constraints.get(constraint),
            autocast=autocast,
        )
        variable.path = f"{self.name}/{variable.name}"
        self._track_variable(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, name=None, **kwargs):
        return self.add_weight(
            shape=shape,
            initializer=initializer,
            dtype=dtype,
            trainable=trainable,
            name=name,
            **kwargs,
        )

    def get_weights(self) -> list:
        """The weights as NumPy arrays, in the order of `weights`."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from a list of arrays, in the order of `weights`."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer {self.name!r} has {len(own)} weights, but set_weights() got "
                f"{len(weights)} arrays. Expected shapes: {[v.shape for v in own]}."
            )
        for variable, value in zip(own, weights):
            shape = tuple(getattr(value, "shape", ()))
            if shape != variable.shape:
                raise ValueError(
                    f"Layer {self.name!r}: weight {variable.path!r} has shape {variable.shape}, "
                    f"but set_weights() got an array of shape {shape}."
                )
            variable.assign(value)

    @property
    def input(self):
        """The input tensor(s) of this layer's first call on symbolic tensors,
        as in Keras (a list when the call took several)."""
        return self._first_node_tensors("input_tensors", "input")

    @property
    def output(self):
        """The output tensor(s) of this layer's first call on symbolic tensors,
        as in Keras (a list when the call returned several)."""
        return self._first_node_tensors("output_tensors", "output")

    def _first_node_tensors(self, attribute: str, what: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name!r} has never been called on symbolic tensors, so it has no "
                f"{what}. Call it on one first, e.g. layer(lamina.Input(shape))."
            )
        tensors = getattr(self._inbound_nodes[0], attribute)
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"Layer {self.name!r} is not built yet, so it has no weights to count. "
                "Call it on data or call build(input_shape) first."
            )
        total = 0
        for v in self.weights:
            size = 1
            for d in v.shape:
                size *= d
            total += size
        return total

    # ------------------------------------------------------------------ building
    def build(self, input_shape) -> None:
        """Create the layer's weights for inputs of `input_shape`. Subclasses override it."""
        self.built = True

    def _maybe_build(self, first_input) -> None:
        if self.built:
            return
        shapes = _tree.map_structure(lambda t: _shape_of(t), first_input)
        if type(self).build is not Layer.build:
            self.build(shapes)
        self.built = True

    def compute_output_shape(self, *args, **kwargs):
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        """The output's shape and dtype for symbolic inputs, without computing values."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = _tree.map_structure(
                lambda x: x.shape if isinstance(x, KerasTensor) else x, args[0]
            )
            output_shape = self.compute_output_shape(shapes)
            return _shapes_to_specs(output_shape, self.compute_dtype)
        return self._trace_output_spec(*args, **kwargs)

    def _trace_output_spec(self, *args, **kwargs):
        flat = [x for x in _tree.flatten((list(args), kwargs)) if isinstance(x, KerasTensor)]
        specs = [TensorSpec(x.shape, x.dtype) for x in flat]

        def fn(*tensors):
            position = iter(tensors)

            def fill(x):
                return next(position) if isinstance(x, KerasTensor) else x

            call_args, call_kwargs = _tree.map_structure(fill, (list(args), kwargs))
            if call_args:
                call_args[0] = self._convert_inputs(call_args[0])
            # Assignments (moving statistics, seeds) made while tracing are dropped.
            cast_token = _autocast.set(self._autocast_dtype(_autocast.get()))
            try:
                with StatelessScope(collect=False):
                    return self.call(*call_args, **call_kwargs)
            finally:
                _autocast.reset(cast_token)

        return _engine.functional.eval_shape(fn, *specs)

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs, given the inputs and their mask (default: the same mask)."""
        return mask

    # ------------------------------------------------------------------ calling
    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call().")

    def __call__(self, *args, **kwargs):
        if not args and not kwargs:
            raise TypeError(f"Layer {self.name!r} was called with no inputs.")
        if _any_keras_tensor(args, kwargs):
            return self._symbolic_call(*args, **kwargs)
        if not _in_layer_call.get():
            # A new top-level call: the activity losses of the last one go, as in Keras.
            self._clear_losses()
        if _compiled_call.ENABLED and not _compiled_call.in_call():
            # The outermost call, on an engine that compiles whole eager calls.
            return _compiled_call.outermost_call(self, args, kwargs)
        return self._eager_call(args, kwargs)

    def _eager_call(self, args: tuple, kwargs: dict):
        # Read masks before the inputs are converted (conversion makes new objects).
        mask = _masking.previous_mask(args, kwargs)
        args, kwargs = self._prepare_call_args(args, kwargs)
        _masking.fill_mask_argument(self, kwargs, mask)
        first = args[0] if args else next(iter(kwargs.values()))
        # Check before building too: a wrong-rank input should fail with the layer's
        # own message, not deep inside an op in build().
        check_input_spec(self, first)
        if not self.built:
            self._maybe_build(first)
            check_input_spec(self, first)
        token = _training_context.set(kwargs.get("training", _training_context.get()))
        call_token = _in_layer_call.set(True)
        outer = _autocast.get()
        cast_token = _autocast.set(self._autocast_dtype(outer))
        try:
            outputs = self.call(*args, **kwargs)
        finally:
            _autocast.reset(cast_token)
            _in_layer_call.reset(call_token)
            _training_context.reset(token)
        if self.activity_regularizer is not None:
            for output in _tree.flatten(outputs):
                if _engine.core.is_tensor(output):
                    loss = self.activity_regularizer(output)
                    shape = ops.shape(output)
                    if len(shape) > 0:  # averaged over the batch, as Keras does
                        loss = ops.divide(loss, ops.cast(shape[0], ops.dtype(loss)))
                    self.add_loss(loss)
        _masking.attach_output_masks(self, first, outputs, mask)
        return outputs

    def _prepare_call_args(self, args, kwargs):
        args, kwargs = list(args), dict(kwargs)
        if args:
            args[0] = self._convert_inputs(args[0])
        if self._call_has_training:
            training = kwargs.get("training")
            if training is None:
                training = _training_context.get()
            if training is None:
                training = self._call_training_default
            kwargs["training"] = training
        else:
            kwargs.pop("training", None)
        if not self._call_has_mask:
            kwargs.pop("mask", None)
        return args, kwargs

    def _convert_inputs(self, inputs):
        if _tree.is_nested(inputs):
            return _tree.map_structure(self._convert_input, inputs)
        return self._convert_input(inputs)

    def _convert_input(self, x):
        if isinstance(x, Variable):
            x = x.value
        if x is None or isinstance(x, (str, bool)):
            return x
        tensor = x if _engine.core.is_tensor(x) else _engine.core.convert_to_tensor(x)
        if self.autocast:
            dtype = _engine.core.dtype(tensor)
            if "float" in dtype and dtype != self.compute_dtype:
                tensor = _engine.core.cast(tensor, self.compute_dtype)
        return tensor

    def _symbolic_call(self, *args, **kwargs):
        first = args[0] if args else next(iter(kwargs.values()))
        check_input_spec(self, first)
        self._maybe_build(first)
        call_kwargs = dict(kwargs)
        if self._call_has_training:
            call_kwargs.setdefault("training", False)
        else:
            call_kwargs.pop("training", None)
        spec = self.compute_output_spec(*args, **call_kwargs)
        node = Node(self, args, kwargs, None)
        flat = _tree.flatten(spec)
        tensors = [
            KerasTensor(
                s.shape,
                s.dtype,
                name=f"{self.name}_output_{i}" if len(flat) > 1 else None,
                node=node,
                index=i,
            )
            for i, s in enumerate(flat)
        ]
        outputs = _tree.pack_as(spec, tensors)
        node.outputs = outputs
        node.output_tensors = tensors
        self._inbound_nodes.append(node)
        return outputs

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The arguments that recreate this layer (without its weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_policy.name}
        if self._input_shape_arg is not None and not getattr(self, "_skip_input_shape", False):
            config["batch_input_shape"] = (self._batch_size_arg, *self._input_shape_arg)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # ------------------------------------------------------------------ stateless
    def stateless_call(
        self, trainable_values, non_trainable_values, *args, return_losses=False, **kwargs
    ):
        """Call with explicit weight values; return outputs and the updated non-trainable values."""
        state = list(zip(self.trainable_variables, trainable_values)) + list(
            zip(self.non_trainable_variables, non_trainable_values)
        )
        self._clear_losses()
        with StatelessScope(state) as scope:
            outputs = self(*args, **kwargs)
            losses = self.losses if return_losses else None
        new_values = [scope.value_of(v) for v in self.non_trainable_variables]
        if return_losses:
            return outputs, new_values, losses
        return outputs, new_values


# The layer's own bookkeeping, and a Sequential model's functional twin and
# its input: never tracked as sublayers, variables or seeds.
_UNTRACKED_ATTRIBUTES = frozenset(
    {
        "_layers",
        "_trainable_variables",
        "_non_trainable_variables",
        "_seed_generators",
        "_call_state_variables",
        "_losses",
        "_inbound_nodes",
        "_graph",
        "_input_layer",
    }
)


def _shape_of(x):
    if isinstance(x, KerasTensor):
        return x.shape
    if x is None:
        return None
    return tuple(_engine.core.shape(x))


def _standardize_dtype(dtype) -> str:
    if dtype is None:
        return floatx()
    if isinstance(dtype, (dict, DTypePolicy)):  # a weight takes a policy's variable dtype
        return _dtype_policies.get(dtype).variable_dtype
    if hasattr(dtype, "name") and not isinstance(dtype, str):
        dtype = dtype.name
    if dtype in ("mixed_float16", "mixed_bfloat16"):
        return "float32"
    return str(dtype)


def _shapes_to_specs(shape, dtype):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_shapes_to_specs(s, dtype) for s in shape]
    if isinstance(shape, dict):
        return {k: _shapes_to_specs(s, dtype) for k, s in shape.items()}
    return TensorSpec(tuple(shape), dtype)


def _any_keras_tensor(args, kwargs) -> bool:
    """Whether a call's arguments hold a symbolic tensor (a functional-model build)."""
    for x in (*args, *kwargs.values()):
        if isinstance(x, KerasTensor):
            return True
        if _tree.is_nested(x) and any(isinstance(t, KerasTensor) for t in _tree.flatten(x)):
            return True
    return False


def _extend_unique(result: list, groups) -> None:
    """Appends to `result` the items of `groups` (iterables) it does not hold yet, in order."""
    seen = {id(item) for item in result}
    for group in groups:
        for item in group:
            if id(item) not in seen:
                seen.add(id(item))
                result.append(item)


__all__ = ["InputSpec", "Layer", "current_scope"]
