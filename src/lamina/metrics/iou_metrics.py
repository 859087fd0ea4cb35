"""Intersection-over-union metrics, from a confusion matrix accumulated over batches."""

from __future__ import annotations

import warnings

from lamina import ops
from lamina.backend import epsilon
from lamina.metrics._utils import static_shape
from lamina.metrics.metric import Metric
from lamina.utils.dtype_utils import standardize_dtype


def _default_int_dtype() -> str:
    # Keras's "int": int64 on TensorFlow, int32 on the other engines.
    return standardize_dtype("int")


def _flatten(x):
    return ops.reshape(x, (-1,)) if len(static_shape(x)) > 1 else x


def _confusion_matrix(labels, predictions, weights, num_classes: int, dtype: str):
    """`cm[i, j]`: the total weight of entries with label `i` predicted as `j`."""
    rows = ops.multiply(ops.one_hot(labels, num_classes, dtype=dtype), ops.expand_dims(weights, 1))
    columns = ops.one_hot(predictions, num_classes, dtype=dtype)
    return ops.matmul(ops.transpose(rows), columns)


class _IoUBase(Metric):
    """The confusion-matrix state and update shared by the IoU metrics."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(name=name, dtype=dtype or _default_int_dtype())
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes), initializer="zeros", name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds the batch's (weighted) counts of each (label, prediction) pair.

        Args:
            y_true: class ids (or one-hot labels with `sparse_y_true=False`).
            y_pred: class ids (or scores with `sparse_y_pred=False`).
            sample_weight: optional weights, broadcast to the entries; they are cast
                to the metric's dtype, an integer one by default.
        """
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = _flatten(ops.cast(ops.convert_to_tensor(y_true), self.dtype))
        y_pred = _flatten(ops.cast(ops.convert_to_tensor(y_pred), self.dtype))
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn(
                f"{type(self).__name__}: the sample weights are floats but the metric's dtype "
                f"is {self.dtype!r}, so they are truncated to integers. Pass integer weights, "
                "or a float `dtype` to the metric.",
                stacklevel=2,
            )
        sample_weight = _flatten(ops.cast(ops.convert_to_tensor(sample_weight), self.dtype))
        sample_weight = ops.broadcast_to(sample_weight, static_shape(y_true))
        # Class ids outside [0, num_classes) and the ignored class count nowhere.
        zero = ops.zeros_like(y_true)
        num_classes = ops.cast(self.num_classes, self.dtype)
        in_range = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, zero), ops.less(y_true, num_classes)),
            ops.logical_and(ops.greater_equal(y_pred, zero), ops.less(y_pred, num_classes)),
        )
        if self.ignore_class is not None:
            ignored = ops.cast(self.ignore_class, self.dtype)
            in_range = ops.logical_and(in_range, ops.not_equal(y_true, ignored))
        y_true = ops.cast(ops.where(in_range, y_true, zero), "int32")
        y_pred = ops.cast(ops.where(in_range, y_pred, zero), "int32")
        sample_weight = ops.where(in_range, sample_weight, ops.zeros_like(sample_weight))
        batch_cm = _confusion_matrix(y_true, y_pred, sample_weight, self.num_classes, self.dtype)
        self.total_cm.assign(ops.add(self.total_cm.value, batch_cm))

    def reset_state(self) -> None:
        self.total_cm.assign(ops.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    """The intersection over union `tp / (tp + fp + fn)`, averaged over `target_class_ids`.

    Classes that appear neither in the labels nor in the predictions are left
    out of the average.

    Args:
        num_classes: the number of classes.
        target_class_ids: the class ids whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default an integer dtype, as in Keras).
        ignore_class: a label id whose entries are not counted (or None).
        sparse_y_true: whether labels are class ids (True) or one-hot (False).
        sparse_y_pred: whether predictions are class ids (True) or scores (False).
        axis: the class axis of one-hot labels or scores.

    Example:
        >>> metric = lamina.metrics.IoU(num_classes=2, target_class_ids=[0])
        >>> metric.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(metric.result()), 2)
        0.33
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is "
                f"[0, {num_classes}). Pass ids below num_classes={num_classes}."
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.value
        n = self.num_classes
        predicted = ops.sum(cm, axis=0)
        actual = ops.sum(cm, axis=1)
        true_positives = ops.take(ops.reshape(cm, (-1,)), [i * (n + 1) for i in range(n)])
        # predicted + actual = 2 * tp + fp + fn
        union = ops.subtract(ops.add(predicted, actual), true_positives)
        union = ops.cast(ops.take(union, self.target_class_ids), "float32")
        true_positives = ops.cast(ops.take(true_positives, self.target_class_ids), "float32")
        present = ops.greater(union, 1e-9)
        num_present = ops.sum(ops.cast(present, "float32"))
        iou = ops.divide(true_positives, ops.add(union, epsilon()))
        iou = ops.where(present, iou, ops.zeros_like(iou))
        return ops.divide(ops.sum(iou, axis=self.axis), ops.add(num_present, epsilon()))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """The IoU of binary labels, with predictions `>= threshold` counting as class 1.

    Args:
        target_class_ids: the classes (of 0 and 1) whose IoU is averaged.
        threshold: predictions at or above it are class 1, below it class 0.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default an integer dtype).

    Example:
        >>> metric = lamina.metrics.BinaryIoU(target_class_ids=[1], threshold=0.3)
        >>> metric.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(metric.result()), 2)
        0.33
    """

    def __init__(
        self,
        target_class_ids=(0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        y_pred = ops.cast(ops.greater_equal(y_pred, self.threshold), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    """The IoU averaged over all `num_classes` classes present.

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default an integer dtype).
        ignore_class: a label id whose entries are not counted (or None).
        sparse_y_true: whether labels are class ids (True) or one-hot (False).
        sparse_y_pred: whether predictions are class ids (True) or scores (False).
        axis: the class axis of one-hot labels or scores.

    Example:
        >>> metric = lamina.metrics.MeanIoU(num_classes=2)
        >>> metric.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(metric.result()), 2)
        0.33
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotIoU(IoU):
    """The IoU of one-hot labels and class scores, averaged over `target_class_ids`.

    Args:
        num_classes: the number of classes.
        target_class_ids: the class ids whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default an integer dtype).
        ignore_class: a class id whose entries are not counted (or None).
        sparse_y_pred: whether predictions are class ids (True) or scores (False).
        axis: the class axis.

    Example:
        >>> metric = lamina.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> metric.update_state(np.eye(3)[[0, 1, 2]], np.eye(3)[[0, 2, 2]])
        >>> round(float(metric.result()), 2)
        0.75
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotMeanIoU(MeanIoU):
    """The IoU of one-hot labels and class scores, averaged over all classes present.

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default an integer dtype).
        ignore_class: a class id whose entries are not counted (or None).
        sparse_y_pred: whether predictions are class ids (True) or scores (False).
        axis: the class axis.

    Example:
        >>> metric = lamina.metrics.OneHotMeanIoU(num_classes=3)
        >>> metric.update_state(np.eye(3)[[0, 1, 2]], np.eye(3)[[0, 2, 2]])
        >>> round(float(metric.result()), 2)
        0.5
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
