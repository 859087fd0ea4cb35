"""Hinge metrics: the mean hinge losses of maximum-margin classifiers."""

from __future__ import annotations

from lamina.losses.functions import categorical_hinge, hinge, squared_hinge
from lamina.metrics.regression_metrics import _FixedFunctionMetric


class Hinge(_FixedFunctionMetric):
    """The mean hinge loss `max(1 - y_true * y_pred, 0)`; labels 0/1 are read as -1/1.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Hinge()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(metric.result()), 2)
        1.3
    """

    _function = staticmethod(hinge)

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_FixedFunctionMetric):
    """The mean squared hinge loss `max(1 - y_true * y_pred, 0) ** 2`; labels 0/1 are read as -1/1.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.SquaredHinge()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(metric.result()), 2)
        1.86
    """

    _function = staticmethod(squared_hinge)

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_FixedFunctionMetric):
    """The mean categorical hinge loss `max(best_other - true_score + 1, 0)` of one-hot labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.CategoricalHinge()
        >>> metric.update_state([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(metric.result()), 2)
        1.4
    """

    _function = staticmethod(categorical_hinge)

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)
