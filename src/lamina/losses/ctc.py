"""CTC: the connectionist temporal classification loss, as `keras.losses.CTC`."""

from __future__ import annotations

from lamina import ops
from lamina.losses.loss import Loss
from lamina.losses.losses import LossFunctionWrapper

# Keras's convention: class 0 is both the CTC blank and the label padding.
_MASK_INDEX = 0


def ctc(y_true, y_pred):
    """The CTC loss of each sequence in a batch.

    Every frame of `y_pred` counts (all sequences are `max_time` long), and
    the labels of a row are its non-zero entries: `y_true` is padded with 0,
    which is also the blank class, so no real class may be 0.

    Args:
        y_true: int labels `(batch, max_label_length)`, padded with 0 at the end.
        y_pred: logits `(batch, max_time, num_classes)`, before any softmax
            (a log-softmax is taken over the classes).

    Returns:
        The negative log-likelihood of each row's labels, `(batch,)`.

    Example:
        >>> logits = np.zeros((1, 4, 3), "float32")
        >>> lamina.losses.ctc(np.array([[1, 2, 0]]), logits)  # -log P("1 2"), shape (1,)
    """
    true_shape, pred_shape = ops.shape(y_true), ops.shape(y_pred)
    if len(true_shape) != 2:
        raise ValueError(
            "CTC labels `y_true` must have shape (batch_size, max_label_length), integer "
            f"classes padded with 0; got y_true.shape={tuple(true_shape)}."
        )
    if len(pred_shape) != 3:
        raise ValueError(
            "CTC logits `y_pred` must have shape (batch_size, max_time, num_classes); got "
            f"y_pred.shape={tuple(pred_shape)}."
        )
    batch, time = pred_shape[0], pred_shape[1]
    output_length = ops.multiply(ops.ones((batch,), dtype="int32"), time)
    label_length = ops.cast(
        ops.sum(ops.cast(ops.not_equal(y_true, _MASK_INDEX), "int32"), axis=-1), "int32"
    )
    return ops.ctc_loss(y_true, y_pred, label_length, output_length, mask_index=_MASK_INDEX)


class CTC(LossFunctionWrapper):
    """Connectionist temporal classification loss, reduced over the batch.

    Scores `(batch, max_time, num_classes)` logits against label sequences
    `(batch, max_label_length)` padded with 0, the blank class (see `ctc`).

    Args:
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        name: the loss's name, default "ctc".
        dtype: the dtype of the computation; None means `floatx()`.

    Example:
        >>> loss = lamina.losses.CTC()
        >>> loss(np.array([[1, 2, 0], [2, 0, 0]]), np.zeros((2, 5, 3), "float32"))
    """

    def __init__(self, reduction="sum_over_batch_size", name: str = "ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)

    @classmethod
    def from_config(cls, config: dict) -> CTC:
        return cls(**config)
