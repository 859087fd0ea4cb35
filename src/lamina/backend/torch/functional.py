"""functional functions of the backend contract on torch.

torch runs eagerly: `compile` returns the function itself unless
`jit_compile=True` asks for `torch.compile`. Gradients come from
`torch.autograd.grad` on detached copies of the parameters, so a step never
keeps a graph alive after it returns. `eval_shape` runs the function on fake
tensors (shapes and dtypes only, no data, no compute).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.utils import _pytree

from lamina import config as _config
from lamina.backend._spec import TensorSpec
from lamina.backend.torch import core as _core

# Stand-ins for unknown (None) dims in eval_shape: two distinct primes, so a
# dim that depends on an unknown one differs between the two traces.
_PROBE_SIZES = (83, 89)


def _detach(tree):
    return _pytree.tree_map(lambda x: x.detach() if isinstance(x, torch.Tensor) else x, tree)


def _arrays_to_tensors(tree):
    """NumPy leaves of nested lists/tuples/dicts as tensors, as a compiler's tracing would.

    Mixing NumPy arrays and torch tensors in Python operators fails, so the
    functions run here always see tensors.
    """
    if isinstance(tree, torch.Tensor):
        return tree
    if isinstance(tree, (np.ndarray, np.generic)):
        return _core.convert_to_tensor(tree)
    if isinstance(tree, (list, tuple)):
        items = [_arrays_to_tensors(x) for x in tree]
        return type(tree)(items) if type(tree) in (list, tuple) else tree
    if isinstance(tree, dict):
        return {k: _arrays_to_tensors(v) for k, v in tree.items()}
    return tree


def _watched(p):
    p = _core.convert_to_tensor(p)
    if p.is_floating_point() or p.is_complex():
        return p.detach().requires_grad_(True)
    return p


def value_and_grad(fn, has_aux=False):
    def g(params, *args):
        params = [_watched(p) for p in params]
        args = _arrays_to_tensors(args)
        with torch.enable_grad():
            out = fn(params, *args)
        value = _core.convert_to_tensor(out[0] if has_aux else out)
        watched = [i for i, p in enumerate(params) if p.requires_grad]
        grads = [None] * len(params)
        if value.requires_grad and watched:
            found = torch.autograd.grad(value, [params[i] for i in watched], allow_unused=True)
            for i, grad in zip(watched, found, strict=True):
                grads[i] = grad
        # Zeros, not None, for params the value ignores: what JAX returns.
        grads = [torch.zeros_like(p) if d is None else d for p, d in zip(params, grads)]
        if has_aux:
            return (value.detach(), _detach(out[1])), grads
        return value.detach(), grads

    return g


def _import_compiler() -> None:
    # torch.compile's first use imports modules that warn about torch.jit
    # deprecations of torch's own making; import them once, quietly.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit", category=DeprecationWarning)
        import torch._dynamo  # noqa: F401
        import torch.utils.mkldnn  # noqa: F401


def compile(fn, donate_argnums=(), jit_compile=None):
    # torch manages its own buffers: there is nothing to donate.
    del donate_argnums
    if jit_compile:
        _import_compiler()
        fn = torch.compile(fn)

    def run(*args, **kwargs):
        return fn(*_arrays_to_tensors(args), **kwargs)

    return run


def compiles_eager_calls() -> bool:
    # PyTorch's eager ops call its kernels directly: a layer called eagerly runs
    # op by op, as in Keras.
    return False


def _is_spec(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _probe(spec, size: int):
    if not _is_spec(spec):
        return spec
    shape = tuple(size if d is None else int(d) for d in spec.shape)
    dtype = _core._torch_dtype(spec.dtype or _config.floatx())
    return torch.empty(shape, dtype=dtype, device=_core.DEVICE)


def _trace(fn, specs, size: int):
    token = _core._SHAPES_ONLY.set(True)
    try:
        with FakeTensorMode(allow_non_fake_inputs=True):
            probes = _pytree.tree_map(lambda s: _probe(s, size), specs, is_leaf=_is_spec)
            return fn(*probes)
    finally:
        _core._SHAPES_ONLY.reset(token)


def _has_unknown_dim(specs) -> bool:
    leaves = _pytree.tree_leaves(specs, is_leaf=_is_spec)
    return any(_is_spec(s) and d is None for s in leaves for d in s.shape)


def _merge(a, b):
    """One output spec from the two traces: dims that differ depend on an unknown dim."""
    if not isinstance(a, torch.Tensor):
        return a
    shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape, strict=True))
    return TensorSpec(shape, _core._dtype_name(a.dtype))


def eval_shape(fn, *specs):
    specs = list(specs)
    first = _trace(fn, specs, _PROBE_SIZES[0])
    second = _trace(fn, specs, _PROBE_SIZES[1]) if _has_unknown_dim(specs) else first
    leaves, spec = _pytree.tree_flatten(first)
    others = _pytree.tree_leaves(second)
    return _pytree.tree_unflatten([_merge(a, b) for a, b in zip(leaves, others)], spec)
