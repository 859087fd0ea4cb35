"""lamina.ops.functional: gradients, compilation and shape inference.

These are the three transformations the trainer and the functional model
builder need from an engine; each engine maps them to its own machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lamina.backend import engine as _engine

__all__ = ["compile", "eval_shape", "value_and_grad"]


def value_and_grad(fn: Callable, has_aux: bool = False) -> Callable:
    """Turn `fn(params, *args) -> value` into `g(params, *args) -> (value, grads)`.

    Differentiates with respect to `params` only. Works eagerly and inside
    `compile`.

    Args:
        fn: a function whose first argument is a list of tensors and which
            returns a scalar tensor, or `(scalar, aux)` when `has_aux`.
        has_aux: whether `fn` returns an auxiliary value beside the scalar.

    Returns:
        `g(params, *args)`, returning `(value, grads)`, or
        `((value, aux), grads)` when `has_aux`. `grads` is a list in the order
        of `params`, each of its param's shape; a param the value does not
        depend on gets zeros.

    Example:
        >>> g = value_and_grad(lambda p, x: ops.sum(p[0] * x))
        >>> value, [grad_w] = g([w], x)
    """
    return _engine.functional.value_and_grad(fn, has_aux=has_aux)


def compile(
    fn: Callable, donate_argnums: int | Sequence[int] = (), jit_compile: bool | None = None
) -> Callable:
    """Compile `fn` with the engine's compiler: `tf.function` on TensorFlow, `jax.jit` on JAX.

    Args:
        fn: a function of nested lists/tuples of tensors.
        donate_argnums: positional arguments whose buffers `fn` may reuse for
            its outputs (JAX); the caller must not use them after the call.
            Engines that manage buffers themselves ignore it.
        jit_compile: True forces XLA compilation on TensorFlow; False runs
            `fn` as it is on JAX (eager); None leaves each engine's default.

    Returns:
        A callable with `fn`'s signature and results.
    """
    return _engine.functional.compile(fn, donate_argnums=donate_argnums, jit_compile=jit_compile)


def eval_shape(fn: Callable, *specs):
    """The output shapes and dtypes of `fn(*inputs)`, without computing values.

    Args:
        fn: a function of tensors.
        *specs: one per argument of `fn`: objects with `.shape` (None for an
            unknown dim) and `.dtype`, such as `lamina.backend._spec.TensorSpec`,
            or nested lists/tuples/dicts of them.

    Returns:
        `fn`'s output structure with a `TensorSpec(shape, dtype)` at each
        tensor; output dims that depend on an unknown input dim are None.
    """
    return _engine.functional.eval_shape(fn, *specs)
