"""The Loss base class and Keras's weighting and reduction rules."""

from __future__ import annotations

import re

from lamina import ops
from lamina.layers._masking import get_mask

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid `reduction`: {reduction!r}. Expected one of {REDUCTIONS}: "
            "'sum_over_batch_size' (the default) and 'mean' average over all loss entries, "
            "'sum' adds them up, 'mean_with_sample_weight' divides the sum by the sum of "
            "the sample weights, and 'none' or None return the unreduced losses."
        )
    return reduction


def _static_shape(x) -> tuple:
    return tuple(ops.shape(x))


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Make ranks equal when they differ by one trailing singleton dim.

    A rank-1 tensor is expanded to `(n, 1)` rather than the other squeezed,
    when `expand_rank_1` is set (Keras's rule).
    """
    shape1, shape2 = _static_shape(x1), _static_shape(x2)
    if len(shape1) == len(shape2):
        return x1, x2
    if len(shape1) == len(shape2) + 1 and shape1[-1] == 1:
        if len(shape2) == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if len(shape2) == len(shape1) + 1 and shape2[-1] == 1:
        if len(shape1) == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def _num_elements(x, dtype):
    shape = _static_shape(x)
    if all(isinstance(d, int) for d in shape):
        size = 1
        for d in shape:
            size *= d
        return ops.cast(size, dtype)
    return ops.sum(ops.ones_like(x, dtype=dtype))


def _divide_no_nan(x, y):
    zero = ops.equal(y, ops.zeros_like(y))
    safe = ops.where(zero, ops.ones_like(y), y)
    return ops.where(zero, ops.zeros_like(x), ops.divide(x, safe))


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce already weighted loss values according to `reduction`."""
    shape = _static_shape(values)
    # Dims may be tensors when unknown at trace time: compare only the static ones.
    empty = len(shape) == 1 and isinstance(shape[0], int) and shape[0] == 0
    if reduction in (None, "none") or len(shape) == 0 or empty:
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    dtype = ops.dtype(loss)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), dtype)
    else:
        divisor = _num_elements(values, dtype)
    return _divide_no_nan(loss, divisor)


def _apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a mask into the sample weights; averaging reductions count valid entries only."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = _num_elements(mask, dtype)
        valid = ops.sum(ops.cast(mask, dtype))
        weight = _divide_no_nan(total, valid)
        float_mask = ops.multiply(ops.cast(mask, dtype), weight)
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(
        float_mask, ops.cast(sample_weight, dtype)
    )
    return ops.multiply(sample_weight, float_mask)


def reduce_weighted_values(
    values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None
):
    """Weight per-sample losses by `sample_weight` (and `mask`), then reduce them.

    Ranks are reconciled as Keras does: a trailing singleton dim on either side
    is squeezed, or a rank-1 operand expanded; the rest broadcasts.
    """
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    dtype = ops.dtype(values)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    sample_weight = _apply_mask(sample_weight, mask, dtype, reduction)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = ops.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _standardize_dtype(dtype) -> str:
    from lamina.backend import floatx

    if dtype is None:
        return floatx()
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", floatx())
    name = getattr(dtype, "compute_dtype", None) or getattr(dtype, "name", dtype)
    if name in ("mixed_float16", "mixed_bfloat16"):
        return name.split("_", 1)[1]
    return str(name)


def _convert(structure, dtype):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_convert(x, dtype) for x in structure)
    if isinstance(structure, dict):
        return {k: _convert(v, dtype) for k, v in structure.items()}
    from lamina.backend._variable import Variable

    if isinstance(structure, Variable):
        structure = structure.value
    return ops.convert_to_tensor(structure, dtype=dtype)


class Loss:
    """Base class of losses.

    Subclasses implement `call(y_true, y_pred)`, returning per-sample (or
    per-entry) losses; `__call__` converts the inputs to the loss dtype,
    applies `sample_weight` and reduces.

    Args:
        name: the loss's name (default: the class name in snake case).
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        dtype: the dtype of the computation (default `floatx()`).

    Example:
        >>> class MeanSquaredError(lamina.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return lamina.ops.mean(lamina.ops.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name: str | None = None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _standardize_dtype(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = get_mask(y_pred)
        y_pred = _convert(y_pred, self.dtype)
        y_true = _convert(y_true, self.dtype)
        losses, out_mask = self._call_with_mask(y_true, y_pred)
        if out_mask is None:
            out_mask = get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(ops.cast(in_mask, "bool"), ops.cast(out_mask, "bool"))
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def _call_with_mask(self, y_true, y_pred):
        """`(losses, mask)`; the mask (None when absent) marks the entries that count."""
        return self.call(y_true, y_pred), None

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"
