"""Fused optimizer updates on TensorFlow: the optional `optimizers` module.

Inside a compiled training step, lamina's generic Adam update is a dozen
graph ops per variable, each run by TensorFlow's executor and each writing a
new tensor. `adam` here runs the same rule for all the variables as one
XLA-compiled function, which fuses each variable's update into one loop.

Only inside `tf.function` (the trainer's compiled steps): run eagerly, the
function would compile for each new set of shapes, which costs more than the
update it saves, so eager calls return None and the generic update runs.
The cases not covered (AMSGrad, weight decay, mixed dtypes, gradients that
are not dense tensors, updates smaller than `FUSE_MIN_ELEMENTS`) return None
too. SGD and RMSprop are not fused on
this engine yet: they always return None.
"""

from __future__ import annotations

import tensorflow as tf

# Fewer elements than this and the generic update is as fast: XLA's fused loop
# wins on the arithmetic (a third less time at 670K elements on one CPU
# thread, none at 250K), while the compiled call and XLA's runtime in the
# process cost a fixed amount (a convnet of 35K weights trained 3-6% slower
# fused).
FUSE_MIN_ELEMENTS = 2**18


def _covered(variables, gradients) -> bool:
    if tf.executing_eagerly() or not variables:
        return False
    dtype = variables[0].dtype
    if not dtype.is_floating:
        return False
    elements = 0
    for variable, gradient in zip(variables, gradients, strict=True):
        if not isinstance(variable, tf.Tensor) or variable.dtype != dtype:
            return False
        if not isinstance(gradient, tf.Tensor) or gradient.shape != variable.shape:
            return False
        elements += variable.shape.num_elements() or 0
    return elements >= FUSE_MIN_ELEMENTS


@tf.function(jit_compile=True, autograph=False, reduce_retracing=True)
def _adam(variables, gradients, momentums, velocities, learning_rate, iteration, hyper):
    beta_1, beta_2, epsilon = hyper
    dtype = variables[0].dtype
    lr = tf.cast(learning_rate, dtype)
    step = tf.cast(iteration + 1, dtype)
    # The generic update's formulas, in its order.
    alpha = (
        lr
        * tf.sqrt(1.0 - tf.pow(tf.cast(beta_2, dtype), step))
        / (1.0 - tf.pow(tf.cast(beta_1, dtype), step))
    )
    new_variables, new_momentums, new_velocities = [], [], []
    for w, g, m, v in zip(variables, gradients, momentums, velocities):
        g = tf.cast(g, dtype)
        m = m + (g - m) * tf.cast(1 - beta_1, dtype)
        v = v + (tf.square(g) - v) * tf.cast(1 - beta_2, dtype)
        new_variables.append(w - (m * alpha) / (tf.sqrt(v) + tf.cast(epsilon, dtype)))
        new_momentums.append(m)
        new_velocities.append(v)
    return new_variables, new_momentums, new_velocities


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
    del decayed, reuse  # TensorFlow's tensors are immutable: nothing is overwritten
    if velocity_hats is not None or weight_decay or not _covered(variables, gradients):
        return None
    new = _adam(
        list(variables),
        list(gradients),
        list(momentums),
        list(velocities),
        learning_rate,
        iteration,
        (float(beta_1), float(beta_2), float(epsilon)),
    )
    return (*new, None)


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
    return None  # not fused on this engine: the generic update runs


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
    return None  # not fused on this engine: the generic update runs
