"""Sum, Mean and MeanMetricWrapper: metrics that reduce per-sample values."""

from __future__ import annotations

from lamina import ops
from lamina.layers._masking import get_mask
from lamina.losses.loss import _apply_mask
from lamina.metrics._utils import divide_no_nan, squeeze_or_expand_to_same_rank, static_shape
from lamina.metrics.metric import Metric


def _reduce_to_samplewise(values, sample_weight, reduce_fn, dtype):
    """One value per sample (and the matching weights), as Keras reduces them."""
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = len(static_shape(sample_weight))
        values_ndim = len(static_shape(values))
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = ops.broadcast_to(sample_weight, static_shape(values))
        values = ops.multiply(values, sample_weight)
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    values_ndim = len(static_shape(values))
    if values_ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values_ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Sum()
        >>> metric.update_state([1, 3, 5, 7])
        >>> float(metric.result())
        16.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = _reduce_to_samplewise(values, sample_weight, ops.sum, self.dtype)
        self.total.assign(ops.add(self.total.value, ops.sum(values)))

    def result(self):
        return ops.cast(self.total.value, self.dtype)


class Mean(Metric):
    """The (weighted) mean of the values seen: `total / count`.

    Args:
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Mean()
        >>> metric.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(metric.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values, sample_weight=None) -> None:
        values, sample_weight = _reduce_to_samplewise(values, sample_weight, ops.mean, self.dtype)
        self.total.assign(ops.add(self.total.value, ops.sum(values)))
        if sample_weight is not None:
            count = ops.sum(sample_weight)
        else:
            shape = static_shape(values)
            count = shape[0] if shape else 1
            if count is None:
                count = ops.shape(values)[0]
        self.count.assign(ops.add(self.count.value, ops.cast(count, self.dtype)))

    def result(self):
        return divide_no_nan(self.total.value, ops.cast(self.count.value, self.dtype))


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
        fn: a function `fn(y_true, y_pred, **kwargs)` returning per-sample values.
        name: the metric's name.
        dtype: the dtype of the state.
        **kwargs: passed to `fn`.

    Example:
        >>> metric = lamina.metrics.MeanMetricWrapper(lamina.metrics.mean_squared_error)
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        # The mask of the predictions (e.g. from Embedding(mask_zero=True)) weights the values.
        mask = get_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = _apply_mask(sample_weight, mask, self.dtype, "sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        fn_name = getattr(self._fn, "__name__", None)
        config = {"name": self.name, "dtype": self.dtype, "fn": fn_name}
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if "fn" not in config:
            # Subclasses (Accuracy, ...) fix their function and take only their own arguments.
            return cls(**config)
        fn = config.pop("fn")
        if isinstance(fn, str):
            from lamina import metrics

            resolved = getattr(metrics, fn, None)
            if resolved is None or not callable(resolved):
                raise ValueError(
                    f"MeanMetricWrapper.from_config: unknown metric function {fn!r}; use one of "
                    "lamina.metrics' functions (e.g. 'mean_squared_error')."
                )
            fn = resolved
        return cls(fn, **config)
