"""Accuracy metrics: how often predictions match labels."""

from __future__ import annotations

from lamina import ops
from lamina.backend import floatx
from lamina.metrics._utils import squeeze_or_expand_to_same_rank, static_shape
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` exactly, else 0.0."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), floatx())


def binary_accuracy(y_true, y_pred, threshold: float = 0.5):
    """1.0 where `y_pred > threshold` matches the binary label `y_true`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = ops.cast(ops.greater(y_pred, threshold), ops.dtype(y_true))
    return ops.cast(ops.equal(y_true, y_pred), floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of the one-hot `y_true` equals the arg-max of `y_pred`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    true_shape = static_shape(y_true)
    reshape = False
    if len(true_shape) == len(static_shape(y_pred)):
        y_true = ops.squeeze(y_true, -1)
        reshape = True
    y_pred = ops.cast(ops.argmax(y_pred, axis=-1), ops.dtype(y_true))
    matches = ops.cast(ops.equal(y_true, y_pred), floatx())
    return ops.reshape(matches, true_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label `y_true` equals the arg-max of `y_pred`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    true_shape = static_shape(y_true)
    reshape = False
    if len(true_shape) == len(static_shape(y_pred)) and true_shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
        reshape = True
    y_pred = ops.cast(ops.argmax(y_pred, axis=-1), ops.dtype(y_true))
    matches = ops.cast(ops.equal(y_true, y_pred), floatx())
    if reshape:
        matches = ops.reshape(matches, true_shape)
    if len(static_shape(matches)) > 1 and static_shape(matches)[-1] == 1:
        matches = ops.squeeze(matches, -1)
    return matches


def _flatten_for_top_k(y_true, y_pred):
    true_shape = static_shape(y_true)
    if len(static_shape(y_pred)) > 2:
        y_pred = ops.reshape(y_pred, (-1, static_shape(y_pred)[-1]))
    reshape = len(true_shape) > 1
    if reshape:
        y_true = ops.reshape(y_true, (-1,))
    return y_true, y_pred, true_shape, reshape


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5):
    """1.0 where the one-hot label's class is among the `k` highest predictions."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    y_true, y_pred, true_shape, reshape = _flatten_for_top_k(y_true, y_pred)
    matches = ops.cast(ops.in_top_k(ops.cast(y_true, "int32"), y_pred, k), floatx())
    return ops.reshape(matches, true_shape) if reshape else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5, from_sorted_ids: bool = False):
    """1.0 where the integer label is among the `k` highest predictions.

    With `from_sorted_ids=True`, `y_pred` holds class ids sorted by score instead of scores.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(
        ops.convert_to_tensor(y_true), ops.dtype(y_pred) if from_sorted_ids else "int32"
    )
    y_true, y_pred, true_shape, reshape = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        top = ops.slice(y_pred, (0, 0), (static_shape(y_pred)[0], min(k, static_shape(y_pred)[1])))
        matches = ops.any(ops.equal(ops.expand_dims(y_true, 1), top), axis=1)
    else:
        matches = ops.in_top_k(y_true, y_pred, k)
    matches = ops.cast(matches, floatx())
    return ops.reshape(matches, true_shape) if reshape else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Accuracy()
        >>> metric.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(metric.result())
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches binary labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        threshold: the decision threshold for `y_pred`.

    Example:
        >>> metric = lamina.metrics.BinaryAccuracy(threshold=0.5)
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches one-hot labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.CategoricalAccuracy()
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches integer labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.SparseCategoricalAccuracy()
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the top `k` predictions.

    Args:
        k: how many top predictions count.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.TopKCategoricalAccuracy(k=3)
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top `k` predictions.

    Args:
        k: how many top predictions count.
        name: the metric's name.
        dtype: the dtype of the state.
        from_sorted_ids: whether `y_pred` holds class ids sorted by score.

    Example:
        >>> metric = lamina.metrics.SparseTopKCategoricalAccuracy(k=3)
    """

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype=None,
        from_sorted_ids: bool = False,
    ):
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
