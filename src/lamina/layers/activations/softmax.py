"""Softmax: normalizes the exponentials of its input along one or more axes."""

from __future__ import annotations

from lamina import activations, ops
from lamina.layers.layer import Layer


class Softmax(Layer):
    """`exp(x) / sum(exp(x))` along `axis`, skipping masked entries.

    Args:
        axis: an axis, or a list of axes normalized together.

    Call arguments:
        inputs: the logits.
        mask: a boolean (or 0/1) tensor broadcastable to `inputs`, True
            where an entry takes part. Masked entries get probability 0;
            where a whole slice is masked, every output of it is 0.

    Example:
        >>> lamina.layers.Softmax()(np.array([1.0, 2.0, 1.0]))
        array([0.21194157, 0.5761169 , 0.21194157], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._standard_mask(inputs, mask)
            large_negative = -3e4 if ops.dtype(inputs) == "float16" else -1e9
            inputs = ops.where(mask, inputs, ops.cast(large_negative, ops.dtype(inputs)))
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            axis = tuple(self.axis)
            outputs = ops.exp(
                ops.subtract(inputs, ops.logsumexp(inputs, axis=axis, keepdims=True))
            )
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, ops.zeros((), dtype=ops.dtype(outputs)))
        return outputs

    def _standard_mask(self, inputs, mask):
        in_shape, mask_shape = tuple(ops.shape(inputs)), tuple(ops.shape(mask))
        fits = len(mask_shape) <= len(in_shape) and all(
            m is None or i is None or m in (1, i)
            for m, i in zip(reversed(mask_shape), reversed(in_shape))
        )
        if not fits:
            raise ValueError(
                f"Layer {self.name!r} (Softmax): the mask must broadcast to the inputs, each of "
                f"its axes 1 or the input's size; got inputs of shape {in_shape} and a mask "
                f"of shape {mask_shape}."
            )
        if ops.dtype(mask) != "bool":
            mask = ops.greater(mask, ops.cast(0.5, ops.dtype(mask)))
        return mask

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
