"""Accumulating confusion-matrix counts at a list of thresholds, as Keras counts them."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend import epsilon
from lamina.metrics._utils import squeeze_or_expand_to_same_rank, static_shape

TRUE_POSITIVES = "tp"
FALSE_POSITIVES = "fp"
TRUE_NEGATIVES = "tn"
FALSE_NEGATIVES = "fn"
NEG_INF = -1e10


def parse_thresholds(thresholds, default: float = 0.5) -> list:
    if thresholds is None:
        return [default]
    values = (
        list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    )
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(
            f"Threshold values must be in [0, 1]. Received: {thresholds} (invalid: {invalid})"
        )
    return values


def evenly_distributed(thresholds) -> bool:
    """Whether thresholds are `i / (n - 1)` for i in 0..n-1: the case counted by bucketing."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


def _filter_top_k(x, k: int):
    """Keeps the `k` largest entries of the last axis; the rest become -1e10."""
    _, indices = ops.top_k(x, k)
    mask = ops.sum(ops.one_hot(indices, static_shape(x)[-1], dtype=ops.dtype(x)), axis=-2)
    return ops.add(ops.multiply(x, mask), ops.multiply(NEG_INF, ops.subtract(1.0, mask)))


def update_confusion_variables(
    variables: dict,
    y_true,
    y_pred,
    thresholds,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight=None,
    multi_label: bool = False,
    label_weights=None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Adds this batch's weighted counts to `variables` (keys "tp", "fp", "tn", "fn")."""
    dtype = next(iter(variables.values())).dtype
    y_true = ops.cast(ops.convert_to_tensor(y_true), dtype)
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), dtype)
    thresholds = [float(t) for t in thresholds]
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.cast(ops.convert_to_tensor(sample_weight), dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(static_shape(y_pred)) == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {static_shape(y_pred)}"
            )
        y_true = ops.take(y_true, [class_id], axis=-1)
        y_pred = ops.take(y_pred, [class_id], axis=-1)
    if label_weights is not None:
        label_weights = ops.cast(ops.convert_to_tensor(label_weights), dtype)
    if thresholds_distributed_evenly:
        _update_by_buckets(
            variables,
            y_true,
            y_pred,
            len(thresholds),
            multi_label,
            sample_weight,
            label_weights,
            with_epsilon=thresholds[0] < 0.0 or thresholds[-1] > 1.0,
        )
        return
    _update_by_comparison(
        variables, y_true, y_pred, thresholds, multi_label, sample_weight, label_weights
    )


def _update_by_comparison(
    variables, y_true, y_pred, thresholds, multi_label, sample_weight, label_weights
):
    dtype = ops.dtype(y_pred)
    pred_shape = static_shape(y_pred)
    if multi_label:
        preds = ops.expand_dims(y_pred, 0)
        labels = ops.expand_dims(ops.cast(y_true, "bool"), 0)
        threshold_shape = (len(thresholds), 1, 1)
    else:
        preds = ops.reshape(y_pred, (1, -1))
        labels = ops.reshape(ops.cast(y_true, "bool"), (1, -1))
        threshold_shape = (len(thresholds), 1)
    thresholds = ops.reshape(
        ops.convert_to_tensor(np.asarray(thresholds, dtype=dtype)), threshold_shape
    )
    pred_is_pos = ops.greater(preds, thresholds)
    label_is_pos = ops.broadcast_to(labels, static_shape(pred_is_pos))

    def flat(weights):
        weights = ops.broadcast_to(weights, pred_shape)
        return ops.expand_dims(weights, 0) if multi_label else ops.reshape(weights, (1, -1))

    weights = None
    if sample_weight is not None:
        weights = flat(ops.cast(sample_weight, dtype))
    if label_weights is not None and not multi_label:
        label_weights = flat(ops.expand_dims(label_weights, 0))
        weights = label_weights if weights is None else ops.multiply(weights, label_weights)

    pred_is_neg = ops.logical_not(pred_is_pos)
    label_is_neg = ops.logical_not(label_is_pos)
    cases = {
        TRUE_POSITIVES: (label_is_pos, pred_is_pos),
        FALSE_NEGATIVES: (label_is_pos, pred_is_neg),
        FALSE_POSITIVES: (label_is_neg, pred_is_pos),
        TRUE_NEGATIVES: (label_is_neg, pred_is_neg),
    }
    for key, variable in variables.items():
        label, pred = cases[key]
        both = ops.logical_and(label, pred)
        if weights is None:
            counts = ops.cast(both, variable.dtype)
        else:
            weights_full = ops.broadcast_to(ops.cast(weights, variable.dtype), static_shape(both))
            counts = ops.where(both, weights_full, ops.zeros_like(weights_full))
        variable.assign(ops.add(variable.value, ops.sum(counts, axis=1)))


def _update_by_buckets(
    variables,
    y_true,
    y_pred,
    num_thresholds,
    multi_label,
    sample_weight,
    label_weights,
    with_epsilon,
):
    # With thresholds i / (n - 1), a prediction exceeds thresholds 0..b where
    # b = ceil(p * (n - 1)) - 1: bucket the predictions, then count from the top.
    dtype = ops.dtype(y_pred)
    pred_shape = static_shape(y_pred)
    weights = None
    if sample_weight is not None:
        weights = ops.broadcast_to(ops.cast(sample_weight, dtype), pred_shape)
        if not multi_label:
            weights = ops.reshape(weights, (-1,))
    if label_weights is not None:
        lw = ops.broadcast_to(ops.expand_dims(label_weights, 0), pred_shape)
        if not multi_label:
            lw = ops.reshape(lw, (-1,))
        weights = lw if weights is None else ops.multiply(weights, lw)
    y_pred = ops.clip(y_pred, 0.0, 1.0)
    y_true = ops.cast(ops.cast(y_true, "bool"), dtype)
    if not multi_label:
        y_true = ops.reshape(y_true, (-1,))
        y_pred = ops.reshape(y_pred, (-1,))
    if weights is None:
        true_labels = y_true
        false_labels = ops.subtract(1.0, y_true)
    else:
        true_labels = ops.multiply(y_true, weights)
        false_labels = ops.multiply(ops.subtract(1.0, y_true), weights)
    buckets = ops.subtract(ops.ceil(ops.multiply(y_pred, float(num_thresholds - 1))), 1.0)
    if with_epsilon:
        buckets = ops.maximum(buckets, 0.0)
    buckets = ops.cast(buckets, "int32")
    # One-hot rows of bucket -1 are all zeros: those predictions exceed no threshold.
    one_hot = ops.one_hot(buckets, num_thresholds, dtype=dtype)

    def count(labels):
        per_bucket = ops.sum(ops.multiply(ops.expand_dims(labels, -1), one_hot), axis=0)
        return ops.flip(ops.cumsum(ops.flip(per_bucket, axis=-1), axis=-1), axis=-1)

    tp = count(true_labels)
    fp = count(false_labels)
    total_true = ops.sum(true_labels, axis=0)
    total_false = ops.sum(false_labels, axis=0)
    if multi_label:
        # Per label (L, T) -> the variables' (T, L) layout.
        tp, fp = ops.transpose(tp), ops.transpose(fp)
    values = {
        TRUE_POSITIVES: tp,
        FALSE_POSITIVES: fp,
        TRUE_NEGATIVES: ops.subtract(total_false, fp),
        FALSE_NEGATIVES: ops.subtract(total_true, tp),
    }
    for key, variable in variables.items():
        variable.assign(ops.add(variable.value, values[key]))
