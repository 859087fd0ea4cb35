"""CategoryEncoding: integer categories to one-hot, multi-hot or count vectors."""

from __future__ import annotations

from lamina import ops
from lamina.layers.preprocessing._host_layer import (
    HostLayer,
    encode_numpy,
    encode_ops,
    encoded_shape,
    to_host,
)

_MODES = ("one_hot", "multi_hot", "count")


class CategoryEncoding(HostLayer):
    """Encodes integer categories in `[0, num_tokens)` as dense vectors.

    Args:
        num_tokens: how many categories there are; every input must lie in
            `[0, num_tokens)`.
        output_mode: `"one_hot"` (one vector per value; a trailing axis of
            size 1 is replaced), `"multi_hot"` (one vector per sample, 1 where a
            category occurs; `"binary"` is an alias) or `"count"` (how often each
            category occurs, optionally weighted). Default `"multi_hot"`.
        sparse: sparse outputs are not supported; must be False.

    Call arguments:
        inputs: integer values, shape `(batch,)` or `(batch, n)`.
        count_weights: in `"count"` mode, a weight per input value.

    Example:
        >>> layer = lamina.layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
        >>> layer([3, 2, 0])
        array([[0., 0., 0., 1.],
               [0., 0., 1., 0.],
               [1., 0., 0., 0.]], dtype=float32)
    """

    def __init__(
        self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse=False, **kwargs
    ):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(
                f"CategoryEncoding got output_mode={output_mode!r}; expected one of {_MODES}."
            )
        if num_tokens is None or num_tokens < 1:
            raise ValueError(
                f"CategoryEncoding needs num_tokens >= 1, got num_tokens={num_tokens!r}. When "
                "the number of categories is not known in advance, use IntegerLookup."
            )
        if sparse:
            raise ValueError(
                "CategoryEncoding does not support sparse=True in lamina: outputs are dense "
                "tensors. Pass sparse=False."
            )
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def _check_count_weights(self, count_weights):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "CategoryEncoding uses count_weights only in output_mode='count'; got "
                f"count_weights with output_mode={self.output_mode!r}."
            )

    def _host_call(self, inputs, count_weights=None):
        self._check_count_weights(count_weights)
        dtype = self.compute_dtype
        if count_weights is not None:
            count_weights = to_host(count_weights)
        if inputs.size and (inputs.min() < 0 or inputs.max() >= self.num_tokens):
            raise ValueError(
                f"CategoryEncoding(num_tokens={self.num_tokens}) got values outside "
                f"[0, {self.num_tokens}): min {inputs.min()}, max {inputs.max()}. Raise "
                "num_tokens, or map the values first (IntegerLookup)."
            )
        out = encode_numpy(
            inputs.astype("int64"), self.output_mode, self.num_tokens, "float64", count_weights
        )
        return ops.convert_to_tensor(out.astype(dtype), dtype=dtype)

    def call(self, inputs, count_weights=None):
        self._check_count_weights(count_weights)
        return encode_ops(
            inputs, self.output_mode, self.num_tokens, self.compute_dtype, count_weights
        )

    def compute_output_shape(self, input_shape) -> tuple:
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
