"""Loss functions: `fn(y_true, y_pred) -> per-sample losses`, as Keras 3 computes them.

Each function reduces over the last axis only (one loss per sample, or per
position for sequence and image outputs); the `Loss` classes then weight and
reduce over the batch.
"""

from __future__ import annotations

import math
import warnings

from lamina import ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.regularizers.regularizers import l2_normalize


def _epsilon() -> float:
    from lamina.backend import epsilon

    return epsilon()


def _pair(y_true, y_pred, align: bool = True):
    """`y_pred` as a tensor and `y_true` in its dtype, with Keras's rank reconciliation."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    if align:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _const(value, like):
    return ops.cast(value, ops.dtype(like))


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred)
    scale = ops.maximum(ops.abs(y_true), _const(_epsilon(), y_pred))
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), scale))
    return ops.multiply(_const(100.0, y_pred), ops.mean(diff, axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`, inputs floored at epsilon."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps, one = _const(_epsilon(), y_pred), _const(1.0, y_pred)
    first = ops.log(ops.add(ops.maximum(y_pred, eps), one))
    second = ops.log(ops.add(ops.maximum(y_true, eps), one))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """The negative cosine similarity along `axis`: -1 for aligned vectors, 0 for orthogonal ones."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = l2_normalize(y_pred, axis=axis)
    y_true = l2_normalize(y_true, axis=axis)
    return ops.negative(ops.sum(ops.multiply(y_true, y_pred), axis=axis))


def huber(y_true, y_pred, delta: float = 1.0):
    """Quadratic for errors up to `delta`, linear beyond: the mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    delta = _const(delta, y_pred)
    half = _const(0.5, y_pred)
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(half, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, abs_error), ops.multiply(half, ops.square(delta)))
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    log2 = _const(math.log(2.0), y_pred)
    value = ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, _const(-2.0, x)))), log2)
    return ops.mean(value, axis=-1)


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`."""
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    eps, one = _const(_epsilon(), y_pred), _const(1.0, y_pred)
    y_true = ops.clip(y_true, eps, one)
    y_pred = ops.clip(y_pred, eps, one)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = _pair(y_true, y_pred, align=False)
    log_pred = ops.log(ops.add(y_pred, _const(_epsilon(), y_pred)))
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, log_pred)), axis=-1)


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}; other labels are used as given."""
    zero, one = ops.zeros_like(y_true), ops.ones_like(y_true)
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, zero), ops.equal(y_true, one)))
    converted = ops.subtract(ops.multiply(_const(2.0, y_true), y_true), one)
    return ops.where(is_binary, converted, y_true)


def _hinge_margins(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = _hinge_labels(ops.cast(y_true, ops.dtype(y_pred)))
    margin = ops.subtract(_const(1.0, y_pred), ops.multiply(y_true, y_pred))
    return ops.maximum(margin, ops.zeros_like(margin))


def hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0), axis=-1)`; labels 0/1 are read as -1/1."""
    return ops.mean(_hinge_margins(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`; labels 0/1 are read as -1/1."""
    return ops.mean(ops.square(_hinge_margins(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`max(neg - pos + 1, 0)`: pos is the true class's score, neg the best other score."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(_const(1.0, y_pred), y_true), y_pred), axis=-1)
    value = ops.add(ops.subtract(neg, pos), _const(1.0, y_pred))
    return ops.maximum(value, ops.zeros_like(value))


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(
            f"`axis` must be an int; got axis={axis!r} of type {type(axis).__name__}."
        )


def _warn_single_class(name: str, y_pred) -> None:
    shape = tuple(ops.shape(y_pred))
    if shape and shape[-1] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1; got y_pred.shape={shape}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _smooth_categorical(y_true, y_pred, label_smoothing, axis):
    if not label_smoothing:
        return y_true
    num_classes = ops.cast(ops.shape(y_true)[axis], ops.dtype(y_pred))
    keep = ops.multiply(y_true, _const(1.0 - label_smoothing, y_pred))
    return ops.add(keep, ops.divide(_const(label_smoothing, y_pred), num_classes))


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
):
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities.

    Args:
        y_true: one-hot labels, shaped like `y_pred`.
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; moves labels towards the uniform distribution.
        axis: the class axis.
    """
    _check_axis(axis)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    _warn_single_class("categorical_crossentropy", y_pred)
    # Keras smooths over the last axis's size, whatever `axis` is.
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing, -1)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
):
    """Categorical cross-entropy down-weighting easy examples by `alpha * (1 - p) ** gamma`."""
    _check_axis(axis)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    _warn_single_class("categorical_focal_crossentropy", y_pred)
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing, -1)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    output = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    eps = _epsilon()
    output = ops.clip(output, _const(eps, y_pred), _const(1.0 - eps, y_pred))
    cce = ops.negative(ops.multiply(y_true, ops.log(output)))
    modulating = ops.power(ops.subtract(_const(1.0, output), output), _const(gamma, output))
    focal = ops.multiply(ops.multiply(modulating, _const(alpha, output)), cce)
    return ops.sum(focal, axis=axis)


def _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis):
    """The per-entry losses and, with `ignore_class`, the mask of entries that count."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    true_shape, pred_shape = tuple(ops.shape(y_true)), tuple(ops.shape(y_pred))
    if len(true_shape) == len(pred_shape) and true_shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if ignore_class is None:
        losses = ops.sparse_categorical_crossentropy(
            y_true, y_pred, from_logits=from_logits, axis=axis
        )
        return losses, None
    class_axis = axis % len(pred_shape)
    result_shape = tuple(d for i, d in enumerate(pred_shape) if i != class_axis)
    valid = ops.not_equal(y_true, ops.cast(ignore_class, ops.dtype(y_true)))
    y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    # Ignored rows get uniform scores: their loss is finite and then discarded.
    y_pred = ops.where(ops.expand_dims(valid, class_axis), y_pred, ops.ones_like(y_pred))
    losses = ops.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, axis=axis
    )
    if all(isinstance(d, int) for d in result_shape):
        valid = ops.reshape(valid, result_shape)
    losses = ops.where(valid, losses, ops.zeros_like(losses))
    return losses, valid


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
):
    """Cross-entropy between integer class ids and predicted class probabilities.

    Args:
        y_true: class ids, shaped like `y_pred` without the class axis (a
            trailing singleton dim is accepted).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a class id whose entries get a loss of 0 (e.g. padding).
        axis: the class axis.
    """
    return _sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis)[0]


def _smooth_binary(y_true, y_pred, label_smoothing):
    if not label_smoothing:
        return y_true
    keep = ops.multiply(y_true, _const(1.0 - label_smoothing, y_pred))
    return ops.add(keep, _const(0.5 * label_smoothing, y_pred))


def binary_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
):
    """Binary cross-entropy, averaged over `axis`.

    Args:
        y_true: labels in [0, 1].
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; moves labels towards 0.5.
        axis: the axis to average over.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    y_true = _smooth_binary(y_true, y_pred, label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
):
    """Binary cross-entropy down-weighting easy examples by `(1 - p_t) ** gamma`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    y_true = _smooth_binary(y_true, y_pred, label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    one = _const(1.0, y_pred)
    p_t = ops.add(
        ops.multiply(y_true, y_pred),
        ops.multiply(ops.subtract(one, y_true), ops.subtract(one, y_pred)),
    )
    focal = ops.multiply(ops.power(ops.subtract(one, p_t), _const(gamma, y_pred)), bce)
    if apply_class_balancing:
        weight = ops.add(
            ops.multiply(y_true, _const(alpha, y_pred)),
            ops.multiply(ops.subtract(one, y_true), _const(1.0 - alpha, y_pred)),
        )
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


def dice(y_true, y_pred, axis=None):
    """`1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(
        ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), _const(_epsilon(), y_pred)
    )
    score = ops.divide(ops.multiply(_const(2.0, y_pred), intersection), total)
    return ops.subtract(_const(1.0, y_pred), score)


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None):
    """`1 - TP / (TP + alpha * FP + beta * FN + epsilon)`, summed over `axis`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    one = _const(1.0, y_pred)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    false_pos = ops.sum(ops.multiply(ops.subtract(one, y_pred), y_true), axis=axis)
    false_neg = ops.sum(ops.multiply(y_pred, ops.subtract(one, y_true)), axis=axis)
    denominator = ops.add(
        ops.add(intersection, ops.multiply(false_pos, _const(alpha, y_pred))),
        ops.add(ops.multiply(false_neg, _const(beta, y_pred)), _const(_epsilon(), y_pred)),
    )
    return ops.subtract(one, ops.divide(intersection, denominator))


# Keras's short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy
