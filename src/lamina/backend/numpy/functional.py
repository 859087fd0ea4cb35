"""functional functions of the backend contract on NumPy.

Gradients come from autograd: `value_and_grad` traces the function with the
float parameters boxed and runs autograd's backward pass. NumPy runs eagerly,
so `compile` returns the function itself (run with NumPy's floating-point
warnings silenced, as the compiled functions of other engines run), and
`eval_shape` runs the function on zero arrays, once per stand-in size for the
unknown dims.
"""

from __future__ import annotations

import functools

import numpy as np
from autograd.core import VJPNode, backward_pass, vspace
from autograd.tracer import getval, isbox, new_box, trace_stack

from lamina import config as _config
from lamina.backend._spec import TensorSpec
from lamina.backend.numpy.core import (
    _is_float,
    _leaves,
    _map,
    _np_dtype,
    _unflatten,
    convert_to_tensor,
)

# Stand-ins for unknown (None) dims in eval_shape: two distinct primes, so a
# dim that depends on an unknown one differs between the two runs.
_PROBE_SIZES = (83, 89)


def _unbox(tree, trace):
    """The values of `tree` with the boxes of `trace` removed (boxes of outer traces stay)."""

    def unbox(x):
        while isbox(x) and x._trace == trace:
            x = x._value
        return x

    return _map(unbox, tree)


def value_and_grad(fn, has_aux=False):
    def g(params, *args):
        params = [convert_to_tensor(p) for p in params]
        watched = [i for i, p in enumerate(params) if _is_float(p)]
        outputs = []

        def traced(boxed):
            values = list(params)
            for k, i in enumerate(watched):
                values[i] = boxed[k]
            out = fn(values, *args)
            outputs.append(out)
            return convert_to_tensor(out[0] if has_aux else out)

        with np.errstate(all="ignore"), trace_stack.new_trace() as trace:
            root = VJPNode.new_root()
            end = traced(new_box([params[i] for i in watched], trace, root))
            if isbox(end) and end._trace == trace:
                value = end._value
                found = backward_pass(vspace(value).ones(), end._node)
            else:
                value, found = end, None
        grads = [np.zeros(np.shape(getval(p)), getval(p).dtype) for p in params]
        if found is not None:
            for k, i in enumerate(watched):
                grads[i] = _cast_like(found[k], params[i])
        if has_aux:
            return (value, _unbox(outputs[0][1], trace)), grads
        return value, grads

    return g


def _cast_like(grad, param):
    if isbox(grad):
        return grad
    grad = np.asarray(grad)
    return grad if grad.dtype == param.dtype else grad.astype(param.dtype)


def compile(fn, donate_argnums=(), jit_compile=None):
    # NumPy runs eagerly: there is no compiler and no buffer to donate.
    del donate_argnums, jit_compile

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    return run


def compiles_eager_calls() -> bool:
    # NumPy has no compiler: a layer called eagerly runs op by op.
    return False


def _is_spec(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _probe(spec, size: int):
    if not _is_spec(spec):
        return spec
    shape = tuple(size if d is None else int(d) for d in spec.shape)
    return np.zeros(shape, _np_dtype(spec.dtype or _config.floatx()))


def _probes(tree, size: int):
    if _is_spec(tree):
        return _probe(tree, size)
    if isinstance(tree, (list, tuple)):
        return type(tree)(_probes(item, size) for item in tree)
    if isinstance(tree, dict):
        return {k: _probes(v, size) for k, v in tree.items()}
    return tree


def _spec_leaves(tree) -> list:
    if _is_spec(tree):
        return [tree]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _spec_leaves(item)]
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _spec_leaves(v)]
    return []


def _run(fn, specs, size: int):
    with np.errstate(all="ignore"):
        return fn(*_probes(specs, size))


def _merge(a, b):
    """One output spec from the two runs: dims that differ depend on an unknown dim."""
    if not (isinstance(a, (np.ndarray, np.generic)) or isbox(a)):
        return a
    shape = tuple(
        int(x) if x == y else None for x, y in zip(np.shape(a), np.shape(b), strict=True)
    )
    return TensorSpec(shape, a.dtype.name)


def eval_shape(fn, *specs):
    specs = list(specs)
    first = _run(fn, specs, _PROBE_SIZES[0])
    unknown = any(d is None for s in _spec_leaves(specs) for d in s.shape)
    second = _run(fn, specs, _PROBE_SIZES[1]) if unknown else first
    merged = [_merge(a, b) for a, b in zip(_leaves(first), _leaves(second), strict=True)]
    return _unflatten(first, merged)
