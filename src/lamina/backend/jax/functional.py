"""functional functions of the backend contract on jax."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina import config as _config
from lamina.backend._spec import TensorSpec

# Stand-ins for unknown (None) dims in eval_shape: two distinct primes, so a
# dim that depends on an unknown one differs between the two traces.
_PROBE_SIZES = (83, 89)


def value_and_grad(fn, has_aux=False):
    grad_fn = jax.value_and_grad(fn, argnums=0, has_aux=has_aux)

    def g(params, *args):
        out, grads = grad_fn(list(params), *args)
        return out, list(grads)

    return g


def compile(fn, donate_argnums=(), jit_compile=None):
    # jit_compile=False asks for eager execution, as Keras's JAX trainer does.
    if jit_compile is False:
        return fn
    options = _compiler_options()
    if options:
        return jax.jit(fn, donate_argnums=donate_argnums, compiler_options=options)
    return jax.jit(fn, donate_argnums=donate_argnums)


# Options for XLA's CPU compiler, each checked once and left out where this
# XLA lacks it (or reads its value differently), so that an XLA without one
# compiles as before.
#
# Copies: in a training step, a layer's input gradient reads the kernel that
# the optimizer then overwrites in place (the step's state is donated), and
# nothing makes the update wait for that read. XLA's CPU compiler by default
# copies such a kernel before the update, every step. With region analysis
# it follows the order the program runs in and drops those copies. On the
# benchmark's MLP a step runs 3-5% faster. The numbers are unchanged.
#
# Convolutions: XLA hands matrix products, reductions and convolutions to
# the YNNPACK library by default. Its convolutions, and the gradients of
# them, run slower on the CPU than XLA's own (Eigen) kernels: the
# benchmark's convnet trains about 30% faster with them left to XLA.
# Matrix products and reductions stay with YNNPACK, which is faster there.
_CPU_OPTIONS = (
    ("xla_cpu_copy_insertion_use_region_analysis", True),
    (
        "xla_cpu_experimental_ynn_fusion_type",
        "LIBRARY_FUSION_TYPE_DOT,LIBRARY_FUSION_TYPE_REDUCE",
    ),
)
_options_checked: list = []


def _compiler_options() -> dict | None:
    """The compile options for the default device, once checked by XLA."""
    if not _options_checked:
        options = {}
        if jax.default_backend() == "cpu":
            for name, value in _CPU_OPTIONS:
                try:
                    probe = jax.jit(lambda a: a + 1, compiler_options={name: value})
                    probe.lower(jax.ShapeDtypeStruct((), jnp.float32)).compile()
                    options[name] = value
                except Exception:  # an XLA without the option: compile as before
                    pass
        _options_checked.append(options or None)
    return _options_checked[0]


def compiles_eager_calls() -> bool:
    # JAX runs each eager op as a kernel compiled and cached per op: a layer
    # called eagerly runs op by op, as in Keras.
    return False


def _is_spec(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _probe(spec, size: int) -> jax.ShapeDtypeStruct:
    shape = tuple(size if d is None else int(d) for d in spec.shape)
    return jax.ShapeDtypeStruct(shape, jnp.dtype(spec.dtype or _config.floatx()))


def _trace(fn, specs, size: int):
    probes = jax.tree_util.tree_map(lambda s: _probe(s, size), specs, is_leaf=_is_spec)
    return jax.eval_shape(fn, *probes)


def _has_unknown_dim(specs) -> bool:
    leaves = jax.tree_util.tree_leaves(specs, is_leaf=_is_spec)
    return any(d is None for s in leaves for d in s.shape)


def _merge(a, b):
    """One output spec from the two traces: dims that differ depend on an unknown dim."""
    if not isinstance(a, jax.ShapeDtypeStruct):
        return a
    shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape, strict=True))
    return TensorSpec(shape, str(a.dtype))


def eval_shape(fn, *specs):
    specs = list(specs)
    first = _trace(fn, specs, _PROBE_SIZES[0])
    second = _trace(fn, specs, _PROBE_SIZES[1]) if _has_unknown_dim(specs) else first
    return jax.tree_util.tree_map(_merge, first, second)
