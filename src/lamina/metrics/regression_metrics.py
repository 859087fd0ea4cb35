"""Regression metrics: errors between predictions and targets."""

from __future__ import annotations

from lamina import ops
from lamina.backend import epsilon as _epsilon
from lamina.losses import functions as _losses
from lamina.metrics._utils import squeeze_or_expand_to_same_rank, static_shape
from lamina.metrics.metric import Metric
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper


def _prepare(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """`mean((y_true - y_pred) ** 2, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = ops.convert_to_tensor(_epsilon(), dtype=ops.dtype(y_pred))
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), ops.maximum(ops.abs(y_true), eps)))
    return ops.multiply(100.0, ops.mean(diff, axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = ops.convert_to_tensor(_epsilon(), dtype=ops.dtype(y_pred))
    first = ops.log(ops.add(ops.maximum(y_pred, eps), 1.0))
    second = ops.log(ops.add(ops.maximum(y_true, eps), 1.0))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """The cosine of the angle between `y_true` and `y_pred` along `axis`: 1 when aligned."""
    return ops.negative(_losses.cosine_similarity(y_true, y_pred, axis=axis))


class _FixedFunctionMetric(MeanMetricWrapper):
    _function = None

    def __init__(self, name: str | None = None, dtype=None):
        super().__init__(type(self)._function, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_FixedFunctionMetric):
    """The mean squared error between `y_true` and `y_pred`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.MeanSquaredError()
    """

    _function = staticmethod(mean_squared_error)

    def __init__(self, name: str = "mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_FixedFunctionMetric):
    """The mean absolute error between `y_true` and `y_pred`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.MeanAbsoluteError()
    """

    _function = staticmethod(mean_absolute_error)

    def __init__(self, name: str = "mean_absolute_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_FixedFunctionMetric):
    """The mean absolute percentage error between `y_true` and `y_pred`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.MeanAbsolutePercentageError()
    """

    _function = staticmethod(mean_absolute_percentage_error)

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_FixedFunctionMetric):
    """The mean squared logarithmic error between `y_true` and `y_pred`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.MeanSquaredLogarithmicError()
    """

    _function = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean squared error.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.RootMeanSquaredError()
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        error = ops.square(ops.subtract(y_pred, y_true))
        super().update_state(error, sample_weight=sample_weight)

    def result(self):
        return ops.sqrt(super().result())


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between `y_true` and `y_pred` along `axis`.

    As in Keras, the config holds only `name` and `dtype`: `axis` is not saved.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.
        axis: the axis along which the similarity is computed.

    Example:
        >>> metric = lamina.metrics.CosineSimilarity(axis=1)
        >>> metric.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(metric.result()), 2)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class LogCoshError(_FixedFunctionMetric):
    """The mean of `log(cosh(y_pred - y_true))` over the last axis.

    Args:
        name: the metric's name (Keras's default is "logcosh").
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.LogCoshError()
        >>> metric.update_state([[0.0, 1.0]], [[1.0, 1.0]])
        >>> round(float(metric.result()), 3)
        0.217
    """

    _function = staticmethod(_losses.log_cosh)

    def __init__(self, name: str = "logcosh", dtype=None):
        super().__init__(name=name, dtype=dtype)


_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination: `1 - residual sum of squares / total sum of squares`.

    Scores are computed per output column of 2D inputs `(batch, outputs)`, then
    aggregated. The per-column state is created at the first `update_state`.
    With `num_regressors > 0` the score is adjusted for the number of
    regressors; where there are too few samples for that (`num_regressors >=
    samples - 1`) the plain score is returned.

    Args:
        class_aggregation: None (one score per output), "uniform_average" (their
            mean) or "variance_weighted_average" (weighted by each output's variance).
        num_regressors: the number of independent regressors, for the adjusted score.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.R2Score()
        >>> metric.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
        >>> round(float(metric.result()), 2)
        0.57
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_CLASS_AGGREGATIONS}. Received: class_aggregation={class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}. "
                "Reshape 1D targets and predictions to (batch_size, 1)."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), with "
                f"output_dim known. Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        num_outputs = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(num_outputs,), name="squared_sum")
        self.sum = self.add_variable(shape=(num_outputs,), name="sum")
        self.total_mse = self.add_variable(shape=(num_outputs,), name="residual")
        self.count = self.add_variable(shape=(num_outputs,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(static_shape(y_true), static_shape(y_pred))
        if sample_weight is None:
            sample_weight = 1.0
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
        if len(static_shape(sample_weight)) == 1:
            sample_weight = ops.expand_dims(sample_weight, 1)
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(y_true))
        weighted_y_true = ops.multiply(y_true, sample_weight)
        residual = ops.multiply(ops.square(ops.subtract(y_true, y_pred)), sample_weight)
        self.sum.assign(ops.add(self.sum.value, ops.sum(weighted_y_true, axis=0)))
        self.squared_sum.assign(
            ops.add(self.squared_sum.value, ops.sum(ops.multiply(y_true, weighted_y_true), axis=0))
        )
        self.total_mse.assign(ops.add(self.total_mse.value, ops.sum(residual, axis=0)))
        self.count.assign(ops.add(self.count.value, ops.sum(sample_weight, axis=0)))
        # Keras counts elements, not rows.
        size = ops.sum(ops.ones_like(y_true))
        self.num_samples.assign(ops.add(self.num_samples.value, size))

    def result(self):
        total_sum = self.sum.value
        mean = ops.divide(total_sum, self.count.value)
        total = ops.subtract(self.squared_sum.value, ops.multiply(total_sum, mean))
        raw_scores = ops.subtract(1.0, ops.divide(self.total_mse.value, total))
        raw_scores = ops.where(ops.isinf(raw_scores), ops.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.divide(ops.sum(ops.multiply(total, raw_scores)), ops.sum(total))
        else:
            score = raw_scores
        if self.num_regressors == 0:
            return score
        # No branch on the sample count: `result` also runs inside compiled steps.
        n = ops.cast(self.num_samples.value, "float32")
        p = float(self.num_regressors)
        adjusted = ops.subtract(
            1.0,
            ops.divide(
                ops.multiply(ops.subtract(1.0, score), ops.subtract(n, 1.0)),
                ops.subtract(ops.subtract(n, p), 1.0),
            ),
        )
        return ops.where(ops.less(p, ops.subtract(n, 1.0)), adjusted, score)

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
