"""Fused optimizer updates on torch: the optional `optimizers` module of the contract.

lamina's optimizers update each variable with a dozen lamina.ops calls, each
of which allocates a tensor and reads or writes it whole: on torch that was
most of a small model's training step. These functions apply the same rules
to all the variables at once with torch's in-place multi-tensor kernels
(`torch._foreach_*`, which `torch.optim` uses too), and Adam on the CPU with
torch's one-pass kernel (`torch.optim.Adam(fused=True)`'s).

They compute what the generic update computes, in the same dtype, up to float
rounding: a few formulas are rearranged to fit a kernel (the second moment is
`beta_2 * v + (1 - beta_2) * g**2` rather than `v + (g**2 - v) * (1 - beta_2)`).

A buffer is written in place only where the caller allows it (`reuse`); the
others are copied first, so whoever holds them never sees a change. A function
returns None, and the optimizer falls back to its generic update, for what it
does not cover: while `torch.compile` traces, variables of different dtypes or
devices, and gradients that do not match their variables.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from lamina.backend.torch.core import convert_to_tensor


def _gradients(variables, gradients):
    """The gradients as tensors of the variables' dtype, or None when this module cannot help."""
    if torch.compiler.is_compiling():
        return None
    first = variables[0]
    if not (isinstance(first, torch.Tensor) and first.is_floating_point()):
        return None
    result = []
    for variable, gradient in zip(variables, gradients, strict=True):
        gradient = convert_to_tensor(gradient)
        if not isinstance(variable, torch.Tensor) or variable.dtype != first.dtype:
            return None
        if variable.device != first.device or gradient.device != first.device:
            return None
        if gradient.shape != variable.shape:
            return None
        result.append(gradient if gradient.dtype == first.dtype else gradient.to(first.dtype))
    return result


def _writable(buffers, reuse):
    """The buffers, each one copied unless the caller lets it be overwritten."""
    if buffers is None:
        return None
    return [b if ok else b.clone() for b, ok in zip(buffers, reuse, strict=True)]


def _scalar(value, like: torch.Tensor) -> torch.Tensor:
    """A hyperparameter (a number or a 0-d tensor) as a 0-d tensor of `like`'s dtype."""
    if isinstance(value, torch.Tensor):
        return value.to(device=like.device, dtype=like.dtype)
    return torch.tensor(value, dtype=like.dtype, device=like.device)


def _decay(variables, learning_rate, weight_decay, decayed) -> None:
    """Decoupled weight decay, `w = w - w * weight_decay * learning_rate`, where `decayed`."""
    if not weight_decay:
        return
    targets = [v for v, d in zip(variables, decayed, strict=True) if d]
    if targets:
        torch._foreach_mul_(targets, 1.0 - _scalar(weight_decay, targets[0]) * learning_rate)


def _numbers_are_free(tensor: torch.Tensor) -> bool:
    """Whether reading a 0-d tensor of `tensor`'s device as a number costs nothing.

    It does on the CPU; on an accelerator it would wait for the device.
    """
    return tensor.device.type == "cpu"


def _add_quotients(targets, numerators, denominators, scale: torch.Tensor) -> None:
    """`targets += scale * numerators / denominators`, for a 0-d tensor `scale`.

    A scale that is free to read is read as a number, so that one kernel does
    it all; otherwise the denominators are divided by it first.
    """
    if _numbers_are_free(scale):
        torch._foreach_addcdiv_(targets, numerators, denominators, value=scale.item())
    else:
        torch._foreach_div_(denominators, scale)
        torch._foreach_addcdiv_(targets, numerators, denominators)


@torch.no_grad()
def sgd(
    variables,
    gradients,
    momentums,
    *,
    learning_rate,
    momentum,
    nesterov,
    weight_decay,
    decayed,
    reuse,
):
    gradients = _gradients(variables, gradients)
    if gradients is None:
        return None
    variables = _writable(variables, reuse)
    lr = _scalar(learning_rate, variables[0])
    _decay(variables, lr, weight_decay, decayed)
    steps = torch._foreach_mul(gradients, lr)
    if not momentum:
        torch._foreach_sub_(variables, steps)
        return variables, momentums
    # velocity = momentum * velocity - lr * g; w += velocity, or with Nesterov
    # w += momentum * velocity - lr * g.
    momentums = _writable(momentums, reuse)
    torch._foreach_mul_(momentums, momentum)
    torch._foreach_sub_(momentums, steps)
    if nesterov:
        torch._foreach_add_(variables, momentums, alpha=momentum)
        torch._foreach_sub_(variables, steps)
    else:
        torch._foreach_add_(variables, momentums)
    return variables, momentums


@torch.no_grad()
def adam(
    variables,
    gradients,
    momentums,
    velocities,
    velocity_hats,
    *,
    learning_rate,
    iteration,
    beta_1,
    beta_2,
    epsilon,
    weight_decay,
    decayed,
    reuse,
):
    gradients = _gradients(variables, gradients)
    if gradients is None:
        return None
    variables = _writable(variables, reuse)
    momentums = _writable(momentums, reuse)
    velocities = _writable(velocities, reuse)
    velocity_hats = _writable(velocity_hats, reuse)
    lr = _scalar(learning_rate, variables[0])
    _decay(variables, lr, weight_decay, decayed)
    groups = (variables, gradients, momentums, velocities, velocity_hats)
    if _adam_kernel_applies(groups, beta_2):
        step = float(iteration) + 1.0
        alpha = _adam_step_size_number(lr.item(), step, beta_1, beta_2, lr.dtype)
        _adam_kernel(*groups, alpha, step, beta_1, beta_2, epsilon)
    else:
        alpha = _adam_step_size(lr, iteration, beta_1, beta_2)
        _adam_multi_tensor(*groups, alpha, beta_1, beta_2, epsilon)
    return variables, momentums, velocities, velocity_hats


def _adam_step_size(lr, iteration, beta_1, beta_2) -> torch.Tensor:
    """`lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`, in the variables' dtype as the generic update."""
    step = _scalar(iteration, lr) + 1
    return (
        lr
        * torch.sqrt(1 - torch.pow(_scalar(beta_2, lr), step))
        / (1 - torch.pow(_scalar(beta_1, lr), step))
    )


_NUMPY_SCALARS = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}


def _adam_step_size_number(lr: float, step: float, beta_1, beta_2, dtype) -> float:
    """`_adam_step_size` as a number, computed in the same dtype and order.

    NumPy scalars cost a fraction of a microsecond an operation, 0-d tensors
    several; IEEE arithmetic makes the result the same.
    """
    scalar = _NUMPY_SCALARS.get(dtype)
    if scalar is None:  # bfloat16: NumPy has no such scalar
        lr_tensor = torch.tensor(lr, dtype=dtype)
        return _adam_step_size(lr_tensor, step - 1.0, beta_1, beta_2).item()
    with np.errstate(all="ignore"):  # overflows give inf, silently, as torch's do
        step, one = scalar(step), scalar(1.0)
        alpha = scalar(lr) * np.sqrt(one - scalar(beta_2) ** step) / (one - scalar(beta_1) ** step)
    return float(alpha)


def _adam_kernel_applies(groups, beta_2) -> bool:
    # The one-pass kernel takes its step size as a number, and dense tensors.
    if not hasattr(torch, "_fused_adam_") or not 0.0 <= beta_2 < 1.0:
        return False
    if not _numbers_are_free(groups[0][0]):
        return False
    return all(
        t.device.type == "cpu" and t.is_contiguous()
        for group in groups
        if group is not None
        for t in group
    )


def _adam_kernel(
    variables,
    gradients,
    momentums,
    velocities,
    velocity_hats,
    alpha,
    step,
    beta_1,
    beta_2,
    epsilon,
):
    # torch's kernel computes (bias corrections in float64)
    #     w -= lr / (1 - beta_1**t) * m / (sqrt(v) / sqrt(1 - beta_2**t) + eps).
    # With lr = alpha * (1 - beta_1**t) / sqrt(1 - beta_2**t) and
    # eps = epsilon / sqrt(1 - beta_2**t) that is w -= alpha * m / (sqrt(v) + epsilon):
    # lamina's (and Keras's) Adam, with the step size alpha computed as they do.
    root = math.sqrt(1.0 - beta_2**step)
    torch._fused_adam_(
        variables,
        gradients,
        momentums,
        velocities,
        velocity_hats if velocity_hats is not None else [],
        [torch.tensor(step, dtype=torch.float32)] * len(variables),
        lr=alpha * (1.0 - beta_1**step) / root,
        beta1=beta_1,
        beta2=beta_2,
        weight_decay=0.0,
        eps=epsilon / root,
        amsgrad=velocity_hats is not None,
        maximize=False,
    )


def _adam_multi_tensor(
    variables, gradients, momentums, velocities, velocity_hats, alpha, beta_1, beta_2, epsilon
):
    # m + (g - m) * (1 - beta_1) is a lerp.
    torch._foreach_lerp_(momentums, gradients, 1 - beta_1)
    torch._foreach_mul_(velocities, beta_2)
    torch._foreach_addcmul_(velocities, gradients, gradients, value=1 - beta_2)
    if velocity_hats is not None:
        torch._foreach_maximum_(velocity_hats, velocities)
        denominators = torch._foreach_sqrt(velocity_hats)
    else:
        denominators = torch._foreach_sqrt(velocities)
    torch._foreach_add_(denominators, epsilon)
    _add_quotients(variables, momentums, denominators, -alpha)


@torch.no_grad()
def rmsprop(
    variables,
    gradients,
    velocities,
    momentums,
    average_gradients,
    *,
    learning_rate,
    rho,
    momentum,
    epsilon,
    centered,
    weight_decay,
    decayed,
    reuse,
):
    gradients = _gradients(variables, gradients)
    if gradients is None:
        return None
    variables = _writable(variables, reuse)
    velocities = _writable(velocities, reuse)
    lr = _scalar(learning_rate, variables[0])
    _decay(variables, lr, weight_decay, decayed)
    torch._foreach_mul_(velocities, rho)
    torch._foreach_addcmul_(velocities, gradients, gradients, value=1 - rho)
    if centered:
        average_gradients = _writable(average_gradients, reuse)
        torch._foreach_mul_(average_gradients, rho)
        torch._foreach_add_(average_gradients, gradients, alpha=1 - rho)
        denominators = torch._foreach_addcmul(
            velocities, average_gradients, average_gradients, value=-1
        )
        torch._foreach_add_(denominators, epsilon)
    else:
        denominators = torch._foreach_add(velocities, epsilon)
    torch._foreach_sqrt_(denominators)
    increments = torch._foreach_mul(gradients, lr)
    torch._foreach_div_(increments, denominators)
    if momentum > 0:
        momentums = _writable(momentums, reuse)
        torch._foreach_mul_(momentums, momentum)
        torch._foreach_add_(momentums, increments)
        torch._foreach_sub_(variables, momentums)
    else:
        torch._foreach_sub_(variables, increments)
    return variables, velocities, momentums, average_gradients
