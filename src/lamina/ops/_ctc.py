"""The CTC loss, re-exported by `lamina.ops.nn`.

Its forward recursion runs in log space with `scan`, so every engine runs and
differentiates it.
"""

from __future__ import annotations

from lamina import config as _config
from lamina.backend import engine as _engine
from lamina.ops import core as _core
from lamina.ops import numpy as _n


def _float(x):
    x = _core.convert_to_tensor(x)
    if _core.dtype(x).startswith("float"):
        return x
    return _core.cast(x, _config.floatx())


def ctc_loss(target, output, target_length, output_length, mask_index: int = 0):
    """Connectionist temporal classification loss, per example.

    The negative log-probability of all alignments of `output`'s frames that
    collapse (merging repeats, then dropping blanks) to the target sequence.

    Args:
        target: int labels `(batch, max_label_length)`, padded past
            `target_length`.
        output: logits `(batch, max_time, num_classes)`; a log-softmax is
            taken over the classes.
        target_length: int `(batch,)`: the labels that count in each row.
        output_length: int `(batch,)`: the frames that count in each row.
        mask_index: the blank class.

    Returns:
        The loss `(batch,)`, in float32 (float64 for float64 logits).

    Example:
        >>> logits = np.zeros((1, 4, 3), "float32")
        >>> lamina.ops.ctc_loss([[1, 2]], logits, [2], [4])  # -log(P(path)) summed over paths
    """
    output = _float(output)
    dtype = "float64" if _core.dtype(output) == "float64" else "float32"
    log_probs = _engine.nn.log_softmax(_core.cast(output, dtype), axis=-1)
    target = _core.cast(target, "int32")
    target_length = _core.cast(target_length, "int32")
    output_length = _core.cast(output_length, "int32")
    batch, labels = _core.shape(target)
    time = _core.shape(log_probs)[1]
    states = 2 * labels + 1
    # Extended labels: a blank before, between and after the labels.
    blanks = _n.full((batch, labels), mask_index, dtype="int32")
    extended = _n.reshape(_n.stack([blanks, target], axis=-1), (batch, 2 * labels))
    extended = _n.concatenate([extended, _n.full((batch, 1), mask_index, dtype="int32")], axis=1)
    # A state may skip the one before it from two back: a label unlike the label before.
    previous = _n.concatenate(
        [_n.full((batch, 2), mask_index, dtype="int32"), extended[:, :-2]], 1
    )
    can_skip = _n.logical_and(_n.not_equal(extended, mask_index), _n.not_equal(extended, previous))
    emissions = _n.take_along_axis(
        log_probs, _n.broadcast_to(_n.expand_dims(extended, 1), (batch, time, states)), axis=2
    )
    emissions = _n.moveaxis(emissions, 1, 0)  # (time, batch, states)
    # A large negative number instead of -inf keeps gradients finite.
    never = _core.cast(-1e30, dtype)
    first = _n.less(_n.arange(states), 2)
    alpha = _n.where(first, emissions[0], never)

    def shift(values, by):
        return _n.concatenate([_n.full((batch, by), never, dtype=dtype), values[:, :-by]], axis=1)

    def step(alpha, inputs):
        emission, t = inputs
        stay, advance = alpha, shift(alpha, 1)
        skip = _n.where(can_skip, shift(alpha, 2), never)
        top = _n.maximum(_n.maximum(stay, advance), skip)
        total = _n.add(_n.exp(_n.subtract(stay, top)), _n.exp(_n.subtract(advance, top)))
        total = _n.add(total, _n.exp(_n.subtract(skip, top)))
        new = _n.add(_n.add(top, _n.log(total)), emission)
        running = _n.expand_dims(_n.less(t, output_length), 1)
        return _n.where(running, new, alpha), t

    if time > 1:
        steps = _n.arange(1, time, dtype="int32")
        alpha, _ = _core.scan(step, alpha, [emissions[1:], steps])
    end = _n.expand_dims(2 * target_length, 1)
    last = _n.take_along_axis(alpha, end, axis=1)
    before = _n.take_along_axis(alpha, _n.maximum(_n.subtract(end, 1), 0), axis=1)
    before = _n.where(_n.greater(end, 0), before, never)
    top = _n.maximum(last, before)
    log_likelihood = _n.add(
        top, _n.log(_n.add(_n.exp(_n.subtract(last, top)), _n.exp(_n.subtract(before, top))))
    )
    return _n.negative(log_likelihood[:, 0])
