"""Eager calls of a whole layer or model, compiled where the engine asks for it.

On engines whose `functional.compiles_eager_calls()` is True (PyTensor), the
outermost eager call of a layer (`model(x)`, `layer(x)` at top level) runs in
tiers, per input signature:

1. The first call of a signature runs eagerly, op by op. Many layers are
   called once (to build them, or in a test), and a compile costs far more
   than an eager call (on PyTensor, 0.1 to 1 s against 0.1 to 30 ms).
2. The second call of the same signature compiles the whole call once with
   the engine's `compile`, as the trainer's steps are: a stateless call with
   the layer's variables as inputs, returning the outputs, their masks and
   the new values of the variables the call assigned (moving statistics,
   seed-generator state), which are written back.
3. Later calls of a signature run the compiled function.

A signature is the layer's structure (its layers, their variables, trainable
and built flags, plain-valued public attributes and the arrays its
attributes hold) plus the arguments' structure: dtype and shape of each
array, the masks the arrays carry, the value of every other leaf
(`training=True`, ints, strings). Variable values are inputs, so
`set_weights` and `assign` need no recompilation.

Whatever the compiled path cannot reproduce runs eagerly instead, for that
signature from then on: symbolic or traced inputs, calls inside a
`StatelessScope` (the trainer's steps) or inside another layer's call, a
model with `run_eagerly`, and calls whose trace has Python side effects:
`add_loss` (activity regularizers), changed layer attributes or containers,
reads or writes of variables that are not the layer's, draws from the global
seed, outputs that are not tensors, or any error. Side effects outside the
layers (printing, globals) and arrays changed in place cannot be seen; like
a `tf.function`, the compiled call runs such side effects once, while
tracing.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import types

import numpy as np

from lamina.backend import engine as _engine
from lamina.backend._variable import StatelessScope, Variable, current_scope
from lamina.layers import _masking
from lamina.random import _global as _global_seed
from lamina.utils import _tree

ENABLED = _engine.functional.compiles_eager_calls()

# The call of a signature that compiles it: the second, so a layer called
# once never pays a compile.
COMPILE_ON_CALL = 2
# Bounds of the per-layer caches: layers whose structure or arguments keep
# changing would otherwise grow them without end.
_MAX_PLANS = 8
_MAX_SIGNATURES = 64

# True inside the outermost layer call: nested calls run as part of it.
_in_call = contextvars.ContextVar("lamina_in_layer_call", default=False)
# Bumped whenever any layer sets a public attribute or gains a variable: while it
# stays the same, a layer's structure key need not be computed again.
_version = 0

_EAGER = "eager"  # a signature whose trace failed: always run eagerly
_PLAIN_TYPES = (bool, int, float, str, type(None))
_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType, functools.partial)


class _NotCompilable(Exception):
    """The trace of a call did something a compiled function would not repeat."""


def in_call() -> bool:
    return _in_call.get()


def layers_changed() -> None:
    global _version
    _version += 1


def attribute_set(name: str, value) -> None:
    """Note that a layer set attribute `name`: the attributes in structure keys count."""
    if name[0] != "_" or _is_array(value):
        layers_changed()


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) or _engine.core.is_tensor(value)


def outermost_call(layer, args: tuple, kwargs: dict):
    """Run `layer(*args, **kwargs)`, the outermost layer call, eagerly or compiled."""
    token = _in_call.set(True)
    try:
        if current_scope() is not None or getattr(layer, "run_eagerly", False):
            return layer._eager_call(args, kwargs)
        return _tiered_call(layer, args, kwargs)
    finally:
        _in_call.reset(token)


# --------------------------------------------------------------------------- tiers


def _tiered_call(layer, args, kwargs):
    signature = _signature(args, kwargs)
    cache = layer.__dict__.get("_compiled_calls")
    if cache is None:
        cache = layer._compiled_calls = _CallCache()
    plan = cache.plan(layer) if signature is not None else None
    if plan is not None:
        state = plan.counts.get(signature, 0)
        if state != _EAGER and state + 1 >= COMPILE_ON_CALL:
            try:
                return plan.run(args, kwargs)
            except Exception as error:
                # The eager call below gives the result, or the error, the user expects.
                plan.count(signature, _EAGER)
                cache.last_fallback = f"{type(error).__name__}: {error}"
                return layer._eager_call(args, kwargs)
    outputs = layer._eager_call(args, kwargs)
    if signature is not None:
        # Counted under the structure after the call: the first call builds the layer.
        plan = cache.plan(layer)
        if plan is not None:
            state = plan.counts.get(signature, 0)
            if state != _EAGER:
                plan.count(signature, state + 1)
    return outputs


def _signature(args, kwargs):
    """A hashable key of the arguments, or None when they cannot have one (traced tensors)."""
    try:
        return (_leaf_key(list(args)), _leaf_key(kwargs))
    except _Unkeyable:
        return None


class _Unkeyable(Exception):
    """An argument that cannot be part of a signature: a symbolic tensor, an unhashable object."""


def _leaf_key(x):
    if isinstance(x, (list, tuple)):
        return (type(x), tuple(_leaf_key(item) for item in x))
    if isinstance(x, dict):
        return (dict, tuple((key, _leaf_key(x[key])) for key in sorted(x)))
    if isinstance(x, _PLAIN_TYPES):
        return (type(x), x)
    if isinstance(x, (np.ndarray, np.generic, Variable)) or _engine.core.is_tensor(x):
        try:
            array = _engine.core.convert_to_numpy(x)
        except Exception as error:  # a symbolic tensor: it has no value
            raise _Unkeyable from error
        mask = _masking.get_mask(x)
        return (
            type(x),
            array.dtype.str,
            array.shape,
            None if mask is None else _leaf_key(mask),
        )
    try:
        hash(x)
    except TypeError:
        # Only its id would tell it apart, and ids are reused: run such calls eagerly.
        raise _Unkeyable from None
    return (type(x), x)


# --------------------------------------------------------------------------- plans


class _CallCache:
    """A layer's plans, one per structure it was called with."""

    def __init__(self):
        self.plans: dict = {}
        self._version = None
        self._plan = None
        # Why the last signature that failed to compile runs eagerly (for debugging).
        self.last_fallback: str | None = None

    # A copied or pickled layer starts with an empty cache: compiled functions
    # belong to the original's variables.
    def __deepcopy__(self, memo):
        return _CallCache()

    def __reduce__(self):
        return (_CallCache, ())

    def plan(self, layer):
        """The plan of the layer's current structure; None while some layer is unbuilt."""
        if self._version != _version:
            self._plan = self._find_plan(layer)
            self._version = _version
        return self._plan

    def _find_plan(self, layer):
        layers = layer._all_layers()
        if not all(sub.built for sub in layers):
            return None
        key = _structure_key(layers)
        plan = self.plans.get(key)
        if plan is None:
            if len(self.plans) >= _MAX_PLANS:
                self.plans.pop(next(iter(self.plans)))
            plan = self.plans[key] = _Plan(layer, layers, key)
        return plan


def _structure_key(layers) -> tuple:
    parts = []
    for layer in layers:
        variables = [
            id(v)
            for v in layer._trainable_variables
            + layer._non_trainable_variables
            + [g.state for g in layer._seed_generators]
        ]
        parts.append((id(layer), layer.trainable, tuple(variables), _attribute_key(layer)))
    return tuple(parts)


def _attribute_key(layer) -> tuple:
    # Public settings a call may read (rate, units, padding, activation, ...), and
    # arrays held in any attribute, which a trace bakes in as constants. Other
    # objects (initializers, a model's history) are left out: they change between
    # fits without changing what a call computes.
    items = []
    for name, value in vars(layer).items():
        kind = type(value)
        if _is_array(value):
            items.append((name, _Same(value)))
        elif name[0] == "_":
            continue
        elif kind in _PLAIN_TYPES or isinstance(value, _FUNCTION_TYPES):
            items.append((name, value))
        elif kind is tuple and all(type(item) in _PLAIN_TYPES for item in value):
            items.append((name, value))
    return tuple(items)


class _Same:
    """Equal to a `_Same` of the very same object; holding the object keeps its id unique."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other) -> bool:
        return isinstance(other, _Same) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


class _Plan:
    """How to call one layer structure compiled: its variables and compiled function."""

    def __init__(self, layer, layers, key):
        self.layer = layer
        # Held, not only their ids in `key`: ids are unique only among live objects.
        self.layers = layers
        self.key = key
        seen, variables = set(), []
        for sub in layers:
            for v in (
                sub._trainable_variables
                + sub._non_trainable_variables
                + [g.state for g in sub._seed_generators]
                + sub._call_state_variables
            ):
                if id(v) not in seen:
                    seen.add(id(v))
                    variables.append(v)
        self.variables = variables
        self.counts: dict = {}
        self._function = None

    def count(self, signature, state) -> None:
        if signature not in self.counts and len(self.counts) >= _MAX_SIGNATURES:
            self.counts.clear()
        self.counts[signature] = state

    def run(self, args, kwargs):
        if self._function is None:
            self._function = _engine.functional.compile(self._stateless_call)
        values = [v._value for v in self.variables]
        leaves = _tree.flatten((list(args), kwargs))
        masks = [_masking.get_mask(leaf) for leaf in leaves]
        outputs, output_masks, new_values = self._function(values, list(args), kwargs, masks)
        for variable, value in zip(self.variables, new_values):
            if value is not None:
                variable._value = value
        _masking.set_masks(_tree.flatten(outputs), output_masks)
        return outputs

    def _stateless_call(self, values, args, kwargs, masks):
        """The call as a pure function of the variables' values: traced by the engine."""
        snapshot = _Snapshot(self.layers)
        try:
            scope = _TracingScope(self.variables, values)
            with scope:
                _masking.set_masks(_tree.flatten((args, kwargs)), masks)
                outputs = self.layer._eager_call(tuple(args), kwargs)
            problem = scope.problem or snapshot.problem() or _output_problem(outputs)
            if problem:
                raise _NotCompilable(f"{self.layer.name}: {problem}")
            output_masks = [_masking.get_mask(leaf) for leaf in _tree.flatten(outputs)]
            return outputs, output_masks, scope.assigned(self.variables, values)
        finally:
            snapshot.restore()


def _output_problem(outputs) -> str | None:
    for leaf in _tree.flatten(outputs):
        if not (leaf is None or isinstance(leaf, _PLAIN_TYPES) or _engine.core.is_tensor(leaf)):
            return f"an output is a {type(leaf).__name__}, not a tensor"
    return None


class _TracingScope(StatelessScope):
    """A StatelessScope that notes reads and writes of variables it was not given."""

    def __init__(self, variables, values):
        super().__init__(zip(variables, values))
        self._known = {v._uid for v in variables}
        self.problem = None

    def get(self, variable):
        if variable._uid not in self._known:
            self.problem = f"it reads variable {variable.path!r}, which is not the layer's"
        return super().get(variable)

    def set(self, variable, value) -> None:
        if variable._uid not in self._known:
            self.problem = f"it assigns variable {variable.path!r}, which is not the layer's"
        super().set(variable, value)

    def assigned(self, variables, values) -> list:
        """The new value of each variable, or None where the call left it as it was."""
        result = []
        for variable, value in zip(variables, values):
            new = self._values.get(variable._uid)
            result.append(None if new is value else new)
        return result


class _Snapshot:
    """The Python state of some layers and of the global seed, to compare and restore."""

    def __init__(self, layers):
        self._layers = [(layer, dict(vars(layer))) for layer in layers]
        self._containers = [
            (value, copy.copy(value))
            for _, attributes in self._layers
            for value in attributes.values()
            if isinstance(value, (list, dict, set))
        ]
        self._rng = _global_seed._rng
        self._rng_state = self._rng.bit_generator.state

    def problem(self) -> str | None:
        for layer, attributes in self._layers:
            now = vars(layer)
            if now.keys() != attributes.keys() or any(
                now[name] is not value for name, value in attributes.items()
            ):
                return f"it sets attributes of layer {layer.name!r}"
        if any(not _same_items(container, saved) for container, saved in self._containers):
            return "it changes a list or dict of a layer (add_loss, or another side effect)"
        if _global_seed._rng is not self._rng or self._rng.bit_generator.state != self._rng_state:
            return "it draws from the global seed (a random op with seed=None)"
        return None

    def restore(self) -> None:
        for layer, attributes in self._layers:
            now = vars(layer)
            now.clear()
            now.update(attributes)
        for container, saved in self._containers:
            if not _same_items(container, saved):
                container.clear()
                if isinstance(container, list):
                    container.extend(saved)
                else:
                    container.update(saved)
        _global_seed._rng = self._rng
        self._rng.bit_generator.state = self._rng_state


def _same_items(container, saved) -> bool:
    if len(container) != len(saved):
        return False
    if isinstance(container, dict):
        return all(key in container and container[key] is value for key, value in saved.items())
    if isinstance(container, set):
        return container == saved
    return all(a is b for a, b in zip(container, saved))
