"""functional functions of the backend contract on pytensor.

`compile(fn)` traces `fn` into a PyTensor graph once per input signature
(tree structure, dtypes and ranks, static Python leaves) and compiles it with
`pytensor.function`. The first call of a signature fixes every dim, so shapes
inside the trace are Python ints; when a later call differs in some dims
(a smaller last batch), those dims become unknown and one more, general,
function is compiled, as tf.function's reduce_retracing does.

`value_and_grad` differentiates with `pytensor.grad` inside a trace; called
on concrete values it traces and compiles that one call.

`compiles_eager_calls()` is True: lamina compiles whole eager calls of layers
and models with `compile` once their signature repeats.
"""

from __future__ import annotations

import contextvars

import numpy as np
import pytensor
import pytensor.tensor as pt

from lamina import config as _config
from lamina.backend._spec import TensorSpec
from lamina.backend.pytensor.core import (
    EagerTensor,
    _any_symbolic,
    _eager,
    _flatten,
    _is_symbolic,
    _unflatten,
    _unwrap,
    _zeros_like_symbolic,
    cast,
    convert_to_tensor,
)

# Compiled steps run many times: optimize them fully (C linker).
STEP_MODE = "FAST_RUN"
# A function compiled for one call only: compile fast, run in Python.
ONE_SHOT_MODE = "FAST_COMPILE"

# Set while a function is traced into graph: values closed over may be symbolic
# even when a call's own arguments are not.
_tracing = contextvars.ContextVar("lamina_pytensor_tracing", default=False)

# How many functions `compile` and `value_and_grad` have compiled in this process:
# tests read it to check that a compiled function is reused.
_compilations = 0

# Stand-ins for unknown (None) dims in eval_shape: two distinct primes, so a
# dim that depends on an unknown one differs between the two traces.
_PROBE_SIZES = (83, 89)


def _is_array(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def _structure(tree):
    if isinstance(tree, list):
        return ("l", tuple(_structure(t) for t in tree))
    if isinstance(tree, tuple):
        return ("t", type(tree).__name__, tuple(_structure(t) for t in tree))
    if isinstance(tree, dict):
        return ("d", tuple((k, _structure(tree[k])) for k in sorted(tree)))
    return "*"


def _static_key(leaf):
    try:
        hash(leaf)
    except TypeError:
        return ("id", id(leaf))
    return ("v", type(leaf).__name__, leaf)


def _matches(pattern, shapes) -> bool:
    return all(
        len(p) == len(s) and all(a is None or a == b for a, b in zip(p, s))
        for p, s in zip(pattern, shapes)
    )


def _relax(pattern, shapes):
    return [tuple(a if a == b else None for a, b in zip(p, s)) for p, s in zip(pattern, shapes)]


class _Traced:
    """One compiled PyTensor function and how to rebuild `fn`'s outputs from it."""

    def __init__(self, fn, args, leaves, is_input, pattern, mode):
        inputs, position = [], iter(pattern)
        sym_leaves = []
        for leaf, tensor in zip(leaves, is_input):
            if tensor:
                var = pt.tensor(dtype=_dtype_of(leaf), shape=next(position))
                inputs.append(var)
                sym_leaves.append(var)
            else:
                sym_leaves.append(leaf)
        token = _tracing.set(True)
        try:
            outputs = fn(*_unflatten(list(args), iter(sym_leaves)))
        finally:
            _tracing.reset(token)
        self.pattern = pattern
        self.outputs = outputs
        self.out_leaves = _flatten(outputs)
        graph_outputs = [pt.as_tensor(o) for o in self.out_leaves if _is_symbolic(o)]
        self.function = pytensor.function(
            inputs, graph_outputs, mode=mode, on_unused_input="ignore"
        )
        # The caller's signature and `pattern` already fix each input's dtype, rank
        # and static dims: `__call__` checks only what they leave out, which is
        # cheaper than PyTensor's own check of every input on every call.
        self.function.trust_input = True
        self._input_types = [(var.type, var.type.numpy_dtype.num) for var in inputs]
        self._graph_out = [_is_symbolic(o) for o in self.out_leaves]
        global _compilations
        _compilations += 1

    def __call__(self, values):
        for i, (value, (kind, num)) in enumerate(zip(values, self._input_types)):
            if value.dtype.num != num or not value.flags.aligned:
                values[i] = kind.filter(value)
        # Engines give inf and nan silently; NumPy inside PyTensor's ops would warn.
        with np.errstate(all="ignore"):
            results = iter(self.function(*values))
        leaves = [
            _eager(next(results)) if graph else o
            for o, graph in zip(self.out_leaves, self._graph_out)
        ]
        return _unflatten(self.outputs, iter(leaves))


def _dtype_of(x) -> str:
    return x.dtype.name if hasattr(x.dtype, "name") else str(x.dtype)


class _CompiledFunction:
    def __init__(self, fn, mode):
        self._fn = fn
        self._mode = mode
        self._cache: dict = {}
        self.__wrapped__ = fn

    def __call__(self, *args):
        leaves = [_unwrap(leaf) for leaf in _flatten(list(args))]
        is_input = [_is_array(leaf) or _is_symbolic(leaf) for leaf in leaves]
        leaves = [
            convert_to_tensor(leaf) if tensor and not isinstance(leaf, EagerTensor) else leaf
            for leaf, tensor in zip(leaves, is_input)
        ]
        if _tracing.get() or any(_is_symbolic(leaf) for leaf in leaves):
            # Called inside another trace: inline it.
            return self._fn(*args)
        key = (
            _structure(list(args)),
            tuple(
                # The dtype object, not its name: reading `.name` costs microseconds.
                ("t", leaf.dtype, leaf.ndim) if tensor else _static_key(leaf)
                for leaf, tensor in zip(leaves, is_input)
            ),
        )
        values = [np.asarray(leaf) for leaf, tensor in zip(leaves, is_input) if tensor]
        shapes = [v.shape for v in values]
        entries = self._cache.setdefault(key, [])
        for entry in entries:
            if _matches(entry.pattern, shapes):
                return entry(values)
        pattern = _relax(entries[-1].pattern, shapes) if entries else [tuple(s) for s in shapes]
        entry = _Traced(self._fn, args, leaves, is_input, pattern, self._mode)
        entries.append(entry)
        return entry(values)


def compile(fn, donate_argnums=(), jit_compile=None):
    # PyTensor functions do not write into their inputs unless told to; the
    # trainer replaces its state with the outputs, so there is nothing to donate.
    del donate_argnums
    # jit_compile=False asks for eager execution, as on JAX.
    if jit_compile is False:
        return fn
    return _CompiledFunction(fn, STEP_MODE)


def compiles_eager_calls() -> bool:
    # An eager op computes with NumPy in microseconds, but a layer is many ops, each
    # paying lamina's Python dispatch: a call repeated with the same signature is
    # worth one compiled graph (lamina/layers/_compiled_call.py decides when).
    return True


def _symbolic_value_and_grad(fn, has_aux, params, args):
    wrt = [p if _is_symbolic(p) else pt.as_tensor(np.asarray(p)) for p in params]
    out = fn(list(wrt), *args)
    value = pt.as_tensor(convert_to_tensor(out[0] if has_aux else out))
    floats = [i for i, p in enumerate(wrt) if p.dtype.startswith("float")]
    grads = [_zeros_like_symbolic(p) for p in wrt]
    if floats:
        computed = pytensor.grad(
            value,
            [wrt[i] for i in floats],
            disconnected_inputs="ignore",
            return_disconnected="zero",
        )
        for i, grad in zip(floats, computed):
            grads[i] = cast(grad, wrt[i].dtype)
    return out, grads


def value_and_grad(fn, has_aux=False):
    def g(params, *args):
        params = [_unwrap(p) for p in params]
        if _tracing.get() or _any_symbolic(params, *_flatten(list(args))):
            return _symbolic_value_and_grad(fn, has_aux, params, args)

        # Called on concrete values: trace and compile this call alone. Nothing is
        # cached, since `fn` may close over values that change between calls.
        def traced(p, *a):
            return _symbolic_value_and_grad(fn, has_aux, p, a)

        return _CompiledFunction(traced, ONE_SHOT_MODE)(params, *args)

    return g


def _is_spec(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple, dict))


def _has_unknown_dim(specs) -> bool:
    return any(d is None for s in _flatten(specs) if _is_spec(s) for d in s.shape)


def _trace_specs(fn, specs, size: int):
    def probe(spec):
        if not _is_spec(spec):
            return spec
        shape = tuple(size if d is None else int(d) for d in spec.shape)
        return pt.tensor(dtype=spec.dtype or _config.floatx(), shape=shape)

    inputs = _unflatten(specs, iter([probe(s) for s in _flatten(specs)]))
    token = _tracing.set(True)
    try:
        return fn(*inputs)
    finally:
        _tracing.reset(token)


def _spec_of(x):
    if _is_symbolic(x):
        return TensorSpec(tuple(x.type.shape), x.dtype)
    if isinstance(x, EagerTensor):
        return TensorSpec(tuple(x.shape), x.dtype.name)
    return x


def _merge(a, b):
    """One output spec from the two traces: dims that differ depend on an unknown dim."""
    if not isinstance(a, TensorSpec):
        return a
    shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape, strict=True))
    return TensorSpec(shape, a.dtype)


def eval_shape(fn, *specs):
    specs = list(specs)
    first = _trace_specs(fn, specs, _PROBE_SIZES[0])
    first_leaves = [_spec_of(x) for x in _flatten(first)]
    if _has_unknown_dim(specs):
        second_leaves = [_spec_of(x) for x in _flatten(_trace_specs(fn, specs, _PROBE_SIZES[1]))]
    else:
        second_leaves = first_leaves
    merged = [_merge(a, b) for a, b in zip(first_leaves, second_leaves, strict=True)]
    return _unflatten(first, iter(merged))
