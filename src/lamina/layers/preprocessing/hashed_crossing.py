"""HashedCrossing: the cross of categorical features, hashed into bins."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.preprocessing._hash_functions import (
    CROSS_HASH_KEY,
    fingerprint64,
    fingerprint_cat64,
)
from lamina.layers.preprocessing._host_layer import HostLayer, encode_numpy, is_text

_MODES = ("int", "one_hot")


class HashedCrossing(HostLayer):
    """Hashes each combination of two or more categorical features into `num_bins` bins.

    Each input is a string or integer feature of shape `()`, `(batch,)` or
    `(batch, 1)`; row `i` of the output is the bin of the tuple of row `i` of
    every input. The bins are Keras's (TensorFlow's hashed feature cross).

    Args:
        num_bins: how many bins.
        output_mode: `"int"` (the bin) or `"one_hot"`.
        sparse: sparse outputs are not supported; must be False.

    Example:
        >>> layer = lamina.layers.HashedCrossing(num_bins=5)
        >>> layer((np.array(["A", "B", "C"]), np.array([101, 102, 103])))
        array([1, 1, 3])
    """

    _takes_input_list = True

    def __init__(
        self,
        num_bins: int,
        output_mode: str = "int",
        sparse: bool = False,
        name: str | None = None,
        dtype=None,
        **kwargs,
    ):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(
                "HashedCrossing does not support sparse=True in lamina: outputs are dense "
                "tensors. Pass sparse=False."
            )
        if output_mode not in _MODES:
            raise ValueError(
                f"HashedCrossing got output_mode={output_mode!r}; expected one of {_MODES}."
            )
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def _check_inputs(self, inputs) -> None:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                "HashedCrossing takes a list or tuple of at least two inputs; got "
                f"{type(inputs).__name__}."
            )
        shape = tuple(inputs[0].shape)
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "HashedCrossing's inputs must have shape (), (batch,) or (batch, 1); got "
                f"shape {shape}."
            )
        if any(tuple(x.shape) != shape for x in inputs[1:]):
            raise ValueError(
                "HashedCrossing's inputs must all have one shape; got shapes "
                f"{[tuple(x.shape) for x in inputs]}."
            )

    def _host_call(self, inputs):
        self._check_inputs(inputs)
        for x in inputs:
            if not is_text(x) and x.dtype.kind not in "iu":
                raise ValueError(
                    f"HashedCrossing's inputs must be integers or strings; got dtype {x.dtype}."
                )
        shape = tuple(inputs[0].shape)
        columns = [x.reshape(-1).tolist() for x in inputs]
        crossed = np.empty(len(columns[0]), dtype="int64")
        for row in range(len(crossed)):
            digest = CROSS_HASH_KEY
            for column in columns:
                value = column[row]
                if isinstance(value, str):
                    feature = fingerprint64(value.encode("utf-8"))
                else:
                    feature = int(value) & ((1 << 64) - 1)
                digest = fingerprint_cat64(digest, feature)
            crossed[row] = digest % self.num_bins
        crossed = crossed.reshape(shape)
        dtype = self.compute_dtype
        return ops.convert_to_tensor(
            encode_numpy(crossed, self.output_mode, self.num_bins, dtype), dtype=dtype
        )

    def compute_output_shape(self, input_shape) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError(
                f"HashedCrossing takes a list of at least two inputs; got shapes {input_shape}."
            )
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            return first[:-1] + (self.num_bins,)
        return first + (self.num_bins,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("trainable", None)  # Keras leaves it out of this layer's config
        config.update(
            {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse}
        )
        return config
