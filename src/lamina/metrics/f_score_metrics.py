"""F-scores: the weighted harmonic mean of precision and recall, per class or averaged."""

from __future__ import annotations

from lamina import ops
from lamina.backend import epsilon
from lamina.metrics._utils import static_shape
from lamina.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score `(1 + beta**2) * precision * recall / (beta**2 * precision + recall)`.

    Inputs are 2D, `(batch, classes)`, for multi-class and multi-label
    classification. The per-class state is created at the first `update_state`.

    Args:
        average: None (one score per class), "micro" (from the counts pooled over
            classes), "macro" (the mean of the class scores) or "weighted" (their
            mean weighted by each class's number of true instances).
        beta: a float > 0; the weight of recall against precision.
        threshold: predictions above it count as positive (a float in (0, 1]);
            with None, the highest prediction of each sample is the positive one.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.FBetaScore(beta=2.0, threshold=0.5)
        >>> metric.update_state(
        ...     np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], "int32"),
        ...     np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], "float32"),
        ... )
        >>> metric.result()  # about [0.385, 0.909, 0.833]
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average!r}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float (e.g. 2.0). "
                f"Received: beta={beta!r} of type '{type(beta).__name__}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float (e.g. "
                    f"0.5). Received: threshold={threshold!r} of type "
                    f"'{type(threshold).__name__}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        name = type(self).__name__
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{name} expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                f"{name} expects 2D inputs with shape (batch_size, output_dim), with "
                f"output_dim known. Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for variable_name in (
            "true_positives",
            "false_positives",
            "false_negatives",
            "intermediate_weights",
        ):
            variable = self.add_variable(shape=shape, initializer="zeros", name=variable_name)
            setattr(self, variable_name, variable)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(static_shape(y_true), static_shape(y_pred))
        if self.threshold is None:
            highest = ops.max(y_pred, axis=-1, keepdims=True)
            # A row of zeros has no positive prediction.
            positive = ops.logical_and(
                ops.greater_equal(y_pred, highest), ops.greater(ops.abs(y_pred), 1e-9)
            )
        else:
            positive = ops.greater(y_pred, self.threshold)
        y_pred = ops.cast(positive, self.dtype)
        if sample_weight is not None:
            sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            sample_weight = ops.expand_dims(sample_weight, 1)

        def weighted_sum(values):
            if sample_weight is not None:
                values = ops.multiply(values, sample_weight)
            return ops.sum(values, axis=self.axis)

        missed = ops.subtract(1.0, y_pred)
        wrong = ops.subtract(1.0, y_true)
        updates = (
            (self.true_positives, ops.multiply(y_pred, y_true)),
            (self.false_positives, ops.multiply(y_pred, wrong)),
            (self.false_negatives, ops.multiply(missed, y_true)),
            (self.intermediate_weights, y_true),
        )
        for variable, values in updates:
            variable.assign(ops.add(variable.value, weighted_sum(values)))

    def result(self):
        eps = epsilon()
        tp = self.true_positives.value
        precision = ops.divide(tp, ops.add(ops.add(tp, self.false_positives.value), eps))
        recall = ops.divide(tp, ops.add(ops.add(tp, self.false_negatives.value), eps))
        beta_squared = self.beta**2
        numerator = ops.multiply(precision, recall)
        denominator = ops.add(ops.multiply(beta_squared, precision), recall)
        score = ops.multiply(ops.divide(numerator, ops.add(denominator, eps)), 1.0 + beta_squared)
        if self.average == "weighted":
            support = self.intermediate_weights.value
            weights = ops.divide(support, ops.add(ops.sum(support), eps))
            return ops.sum(ops.multiply(score, weights))
        if self.average is not None:
            return ops.mean(score)
        return score

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score `2 * precision * recall / (precision + recall)`: `FBetaScore(beta=1.0)`.

    Args:
        average: None (one score per class), "micro", "macro" or "weighted"; see
            `FBetaScore`.
        threshold: predictions above it count as positive (a float in (0, 1]);
            with None, the highest prediction of each sample is the positive one.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.F1Score(threshold=0.5)
        >>> metric.update_state(
        ...     np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], "int32"),
        ...     np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], "float32"),
        ... )
        >>> metric.result()  # about [0.5, 0.8, 0.667]
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype=None,
    ):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
