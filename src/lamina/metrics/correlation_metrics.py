"""Correlation metrics: Pearson's and Lin's concordance correlation, per sample."""

from __future__ import annotations

from lamina import ops
from lamina.backend import epsilon
from lamina.metrics._utils import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _pair(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1):
    """Pearson's correlation coefficient between `y_true` and `y_pred` along `axis`.

    Args:
        y_true: the targets.
        y_pred: the predictions, shaped like `y_true`.
        axis: the axis along which the correlation is computed.

    Example:
        >>> lamina.metrics.pearson_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])  # ~[0.993]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_centred = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    pred_centred = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    true_centred = ops.divide(true_centred, ops.std(true_centred, axis=axis, keepdims=True))
    pred_centred = ops.divide(pred_centred, ops.std(pred_centred, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(true_centred, pred_centred), axis=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1):
    """Lin's concordance correlation coefficient between `y_true` and `y_pred` along `axis`.

    The covariance term is Keras 3's: `(y_true - mean(y_pred)) * (y_pred - mean(y_pred))`.

    Args:
        y_true: the targets.
        y_pred: the predictions, shaped like `y_true`.
        axis: the axis along which the coefficient is computed.

    Example:
        >>> lamina.metrics.concordance_correlation([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])  # ~[0.323]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(ops.subtract(y_true, true_mean), axis=axis, keepdims=True)
    pred_var = ops.var(ops.subtract(y_pred, pred_mean), axis=axis, keepdims=True)
    covariance = ops.multiply(ops.subtract(y_true, pred_mean), ops.subtract(y_pred, pred_mean))
    norm = ops.add(ops.add(true_var, pred_var), ops.square(ops.subtract(true_mean, pred_mean)))
    eps = ops.cast(epsilon(), ops.dtype(y_pred))
    ratio = ops.divide(ops.multiply(2.0, covariance), ops.add(norm, eps))
    return ops.mean(ratio, axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over samples of Pearson's correlation along `axis`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        axis: the axis along which each correlation is computed.

    Example:
        >>> metric = lamina.metrics.PearsonCorrelation()
        >>> metric.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])
        >>> round(float(metric.result()), 3)
        0.993
    """

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over samples of Lin's concordance correlation along `axis`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        axis: the axis along which each coefficient is computed.

    Example:
        >>> metric = lamina.metrics.ConcordanceCorrelation()
        >>> metric.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])
        >>> round(float(metric.result()), 3)
        0.323
    """

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
