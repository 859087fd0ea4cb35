"""Metrics from confusion-matrix counts: Precision, Recall, AUC, the raw counts and
the rates at a constraint (SensitivityAtSpecificity, ...)."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend import epsilon
from lamina.metrics import _confusion
from lamina.metrics._utils import divide_no_nan
from lamina.metrics.metric import Metric


class _ConfusionCount(Metric):
    _key = None

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _confusion.parse_thresholds(thresholds)
        self._thresholds_distributed_evenly = _confusion.evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        _confusion.update_confusion_variables(
            {self._key: self.accumulator},
            y_true,
            y_pred,
            self.thresholds,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
        )

    def result(self):
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of true positives at each threshold (default 0.5).

    Args:
        thresholds: a float or list of floats in [0, 1]; predictions above count as positive.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.TruePositives()
    """

    _key = _confusion.TRUE_POSITIVES


class FalsePositives(_ConfusionCount):
    """The (weighted) number of false positives at each threshold (default 0.5).

    Args:
        thresholds: a float or list of floats in [0, 1].
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.FalsePositives()
    """

    _key = _confusion.FALSE_POSITIVES


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of true negatives at each threshold (default 0.5).

    Args:
        thresholds: a float or list of floats in [0, 1].
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.TrueNegatives()
    """

    _key = _confusion.TRUE_NEGATIVES


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of false negatives at each threshold (default 0.5).

    Args:
        thresholds: a float or list of floats in [0, 1].
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.FalseNegatives()
    """

    _key = _confusion.FALSE_NEGATIVES


class _PrecisionRecall(Metric):
    _second = None  # the count that joins true positives in the denominator

    def __init__(
        self,
        thresholds=None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else _confusion.NEG_INF
        if thresholds is None:
            self.thresholds = [default]
        else:
            self.thresholds = _confusion.parse_thresholds(thresholds)
        self._thresholds_distributed_evenly = _confusion.evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(
            shape=(n,), initializer="zeros", name="true_positives"
        )
        second = {"fp": "false_positives", "fn": "false_negatives"}[self._second]
        self._second_variable = self.add_variable(shape=(n,), initializer="zeros", name=second)
        setattr(self, second, self._second_variable)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        _confusion.update_confusion_variables(
            {
                _confusion.TRUE_POSITIVES: self.true_positives,
                self._second: self._second_variable,
            },
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
        )

    def result(self):
        tp = self.true_positives.value
        value = divide_no_nan(tp, ops.add(tp, self._second_variable.value))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """The precision `tp / (tp + fp)` of predictions above each threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        top_k: if set, only the `top_k` highest predictions per sample count as positive.
        class_id: if set, the precision of this class only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Precision(thresholds=[0.3, 0.7])
    """

    _second = _confusion.FALSE_POSITIVES


class Recall(_PrecisionRecall):
    """The recall `tp / (tp + fn)` of predictions above each threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        top_k: if set, only the `top_k` highest predictions per sample count as positive.
        class_id: if set, the recall of this class only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.Recall()
    """

    _second = _confusion.FALSE_NEGATIVES


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """The area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Args:
        num_thresholds: the number of thresholds (> 1), evenly spaced in [0, 1].
        curve: "ROC", "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich's
            interpolation), "minoring" or "majoring".
        name: the metric's name.
        dtype: the dtype of the state.
        thresholds: explicit thresholds in [0, 1], instead of `num_thresholds`.
        multi_label: whether each column of `y_pred` is a separate label (AUC per
            label, then averaged) rather than all values pooled.
        num_labels: the number of labels, when `multi_label` (else found at the first update).
        label_weights: weights of labels in the average (or of pooled values).
        from_logits: whether `y_pred` holds logits.

    Example:
        >>> metric = lamina.metrics.AUC(curve="PR")
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype=None,
        thresholds=None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights=None,
        from_logits: bool = False,
    ):
        curve_key = str(curve).lower()
        if curve_key not in _CURVES:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]'
            )
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                '["interpolation", "majoring", "minoring"]'
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(_confusion.parse_thresholds(thresholds))
            self._thresholds_distributed_evenly = _confusion.evenly_distributed(
                np.array([0.0] + thresholds + [1.0])
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. Received: "
                    f"num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - epsilon()] + thresholds + [1.0 + epsilon()])
        self.curve = _CURVES[curve_key]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None if label_weights is None else np.asarray(label_weights, dtype=self.dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        for name in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(
                self, name, self.add_variable(shape=variable_shape, initializer="zeros", name=name)
            )
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self._built:
            self._build(tuple(ops.shape(y_pred)))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        _confusion.update_confusion_variables(
            {
                _confusion.TRUE_POSITIVES: self.true_positives,
                _confusion.TRUE_NEGATIVES: self.true_negatives,
                _confusion.FALSE_POSITIVES: self.false_positives,
                _confusion.FALSE_NEGATIVES: self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
        )

    def _average_over_labels(self, terms):
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        weights = ops.convert_to_tensor(self.label_weights)
        return divide_no_nan(ops.sum(ops.multiply(by_label, weights)), ops.sum(weights))

    def _interpolate_pr_auc(self):
        # Davis & Goadrich (2006): precision interpolated between thresholds.
        n = self.num_thresholds
        tp = self.true_positives.value
        fn = self.false_negatives.value
        dtp = ops.subtract(tp[: n - 1], tp[1:])
        p = ops.add(tp, self.false_positives.value)
        dp = ops.subtract(p[: n - 1], p[1:])
        slope = divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, p[1:]))
        both_positive = ops.logical_and(ops.greater(p[: n - 1], 0.0), ops.greater(p[1:], 0.0))
        ratio = ops.where(
            both_positive,
            divide_no_nan(p[: n - 1], ops.maximum(p[1:], 0.0)),
            ops.ones_like(p[1:]),
        )
        increments = divide_no_nan(
            ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(ratio)))),
            ops.maximum(ops.add(tp[1:], fn[1:]), 0.0),
        )
        return self._average_over_labels(increments)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        n = self.num_thresholds
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        recall = divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, ops.add(fp, tn)), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, ops.add(tp, fp))
        else:
            scale = divide_no_nan(ops.add(tp, fn), ops.add(tn, fp))
            recall_gain = ops.subtract(1.0, ops.multiply(scale, divide_no_nan(fn, tp)))
            precision_gain = ops.subtract(1.0, ops.multiply(scale, divide_no_nan(fp, tp)))
            no_tp = ops.equal(tp, 0.0)
            recall_gain = ops.where(no_tp, ops.zeros_like(tp), recall_gain)
            precision_gain = ops.where(no_tp, ops.ones_like(tp), precision_gain)
            x, y = ops.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = ops.divide(ops.add(y[: n - 1], y[1:]), 2.0)
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[: n - 1], y[1:])
        else:
            heights = ops.maximum(y[: n - 1], y[1:])
        return self._average_over_labels(ops.multiply(ops.subtract(x[: n - 1], x[1:]), heights))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return {**super().get_config(), **config}


class _AtConstraint(Metric):
    """Counts at `num_thresholds` thresholds; the result is the best value of one
    rate among the thresholds where another rate reaches `value`."""

    _constraint_name = None

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._constraint_name}` must be in the range [0, 1]. "
                f"Received: {self._constraint_name}={value}"
            )
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        _confusion.update_confusion_variables(
            {
                _confusion.TRUE_POSITIVES: self.true_positives,
                _confusion.TRUE_NEGATIVES: self.true_negatives,
                _confusion.FALSE_POSITIVES: self.false_positives,
                _confusion.FALSE_NEGATIVES: self.false_negatives,
            },
            y_true,
            y_pred,
            self.thresholds,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
        )

    def _rates(self) -> dict:
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        recall = divide_no_nan(tp, ops.add(tp, fn))
        return {
            "recall": recall,
            "sensitivity": recall,
            "specificity": divide_no_nan(tn, ops.add(tn, fp)),
            "precision": divide_no_nan(tp, ops.add(tp, fp)),
        }

    def _best_under_constraint(self, constrained: str, dependent: str):
        rates = self._rates()
        feasible = ops.greater_equal(rates[constrained], self.value)
        values = ops.where(feasible, rates[dependent], ops.zeros_like(rates[dependent]))
        return ops.maximum(ops.max(values), 0.0)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._constraint_name: self.value,
        }


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) among thresholds where the specificity is at least `specificity`.

    Args:
        specificity: the specificity to reach, in [0, 1].
        num_thresholds: the number of thresholds, evenly spaced in [0, 1] (1: only 0.5).
        class_id: if set, the metric of this class of 2D predictions only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.SensitivityAtSpecificity(0.5)
        >>> metric.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(metric.result()), 2)
        0.5
    """

    _constraint_name = "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(specificity, num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.specificity = specificity

    def result(self):
        return self._best_under_constraint("specificity", "sensitivity")


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity among thresholds where the sensitivity is at least `sensitivity`.

    Args:
        sensitivity: the sensitivity (recall) to reach, in [0, 1].
        num_thresholds: the number of thresholds, evenly spaced in [0, 1] (1: only 0.5).
        class_id: if set, the metric of this class of 2D predictions only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.SpecificityAtSensitivity(0.5)
        >>> metric.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(metric.result()), 2)
        0.67
    """

    _constraint_name = "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(sensitivity, num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.sensitivity = sensitivity

    def result(self):
        return self._best_under_constraint("sensitivity", "specificity")


class PrecisionAtRecall(_AtConstraint):
    """The best precision among thresholds where the recall is at least `recall`.

    Args:
        recall: the recall to reach, in [0, 1].
        num_thresholds: the number of thresholds, evenly spaced in [0, 1] (1: only 0.5).
        class_id: if set, the metric of this class of 2D predictions only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.PrecisionAtRecall(0.5)
        >>> metric.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(metric.result()), 2)
        0.5
    """

    _constraint_name = "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(recall, num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.recall = recall

    def result(self):
        return self._best_under_constraint("recall", "precision")


class RecallAtPrecision(_AtConstraint):
    """The best recall among thresholds where the precision is at least `precision`.

    Args:
        precision: the precision to reach, in [0, 1].
        num_thresholds: the number of thresholds, evenly spaced in [0, 1] (1: only 0.5).
        class_id: if set, the metric of this class of 2D predictions only.
        name: the metric's name.
        dtype: the dtype of the state.

    Example:
        >>> metric = lamina.metrics.RecallAtPrecision(0.8)
        >>> metric.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(float(metric.result()), 2)
        0.5
    """

    _constraint_name = "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(precision, num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.precision = precision

    def result(self):
        return self._best_under_constraint("precision", "recall")
