"""Probabilistic metrics: cross-entropies, KL divergence and the Poisson loss."""

from __future__ import annotations

from lamina import ops
from lamina.losses.functions import kl_divergence, poisson
from lamina.metrics._utils import static_shape
from lamina.metrics.reduction_metrics import MeanMetricWrapper
from lamina.metrics.regression_metrics import _FixedFunctionMetric


def binary_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
):
    """The binary cross-entropy, averaged over `axis`."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
):
    """The cross-entropy between one-hot (or soft) labels and predictions."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    if label_smoothing:
        num_classes = static_shape(y_true)[-1]
        y_true = ops.add(
            ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes
        )
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
):
    """The cross-entropy between integer labels and predictions."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    true_shape = static_shape(y_true)
    if len(true_shape) == len(static_shape(y_pred)) and true_shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis)
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(
            y_true, y_pred, from_logits=from_logits, axis=axis
        )
    valid = ops.not_equal(y_true, ops.cast(ignore_class, ops.dtype(y_true)))
    y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, ops.zeros_like(y_pred))
    result = ops.sparse_categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, axis=axis
    )
    return ops.where(valid, result, ops.zeros_like(result))


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: how much to smooth the labels towards 0.5.

    Example:
        >>> metric = lamina.metrics.BinaryCrossentropy(from_logits=True)
    """

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical cross-entropy (one-hot labels).

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: how much to smooth the labels towards uniform.
        axis: the class axis.

    Example:
        >>> metric = lamina.metrics.CategoricalCrossentropy()
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ):
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical cross-entropy with integer labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        from_logits: whether `y_pred` holds logits rather than probabilities.
        ignore_class: a label value that contributes nothing (or None).
        axis: the class axis.

    Example:
        >>> metric = lamina.metrics.SparseCategoricalCrossentropy()
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


class KLDivergence(_FixedFunctionMetric):
    """The mean Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred), axis=-1)`.

    Both inputs are clipped to `[epsilon, 1]` first.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.KLDivergence()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(metric.result()), 3)
        0.458
    """

    _function = staticmethod(kl_divergence)

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(name=name, dtype=dtype)


class Poisson(_FixedFunctionMetric):
    """The mean Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Poisson()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> round(float(metric.result()), 2)
        0.5
    """

    _function = staticmethod(poisson)

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(name=name, dtype=dtype)
