"""Hashing: strings or integers to hash bins, with Keras's exact bins."""

from __future__ import annotations

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.preprocessing._hash_functions import hash_array
from lamina.layers.preprocessing._host_layer import (
    HostLayer,
    encode_numpy,
    is_text,
)

_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(HostLayer):
    """Hashes strings or integers into `num_bins` bins.

    Strings are hashed with FarmHash Fingerprint64, or with SipHash-2-4 keyed
    by `salt` when one is given; integers are hashed as their decimal digits
    and floats after truncation to integers. The bins are the ones Keras gives
    for the same values, on every engine.

    Args:
        num_bins: how many bins, including the mask bin when `mask_value` is set.
        mask_value: a value that goes to bin 0 (the others to bins 1 and up).
        salt: an integer or a pair of integers: use the keyed (strong) hash.
        output_mode: `"int"` (the bin), or `"one_hot"`, `"multi_hot"`,
            `"count"` (encoded as CategoryEncoding does).
        sparse: sparse outputs are not supported; must be False.

    Example:
        >>> layer = lamina.layers.Hashing(num_bins=3)
        >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]])
        array([[1], [0], [1], [1], [2]])
    """

    def __init__(
        self,
        num_bins: int,
        mask_value=None,
        salt=None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs,
    ):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else _config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"Hashing needs num_bins >= 1, got num_bins={num_bins!r}.")
        if output_mode not in _MODES:
            raise ValueError(f"Hashing got output_mode={output_mode!r}; expected one of {_MODES}.")
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(
                f"Hashing with output_mode='int' gives integers; got dtype="
                f"{self.dtype_policy.name!r}. Use dtype='int32' or 'int64'."
            )
        if sparse:
            raise ValueError(
                "Hashing does not support sparse=True in lamina: outputs are dense tensors. "
                "Pass sparse=False."
            )
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = [int(s) for s in salt]
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(
                    f"Hashing's salt must be an integer or a pair of integers; got salt={salt!r}."
                )
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = False

    def hash_to_bins(self, values: np.ndarray) -> np.ndarray:
        """The bin of each value of a NumPy array, as int64 (no encoding)."""
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            if is_text(values):
                masked = values == str(self.mask_value)
            else:
                masked = values == self.mask_value
        if not is_text(values) and values.dtype.kind == "f":
            values = values.astype("int64")
        out = hash_array(values, bins, self.salt)
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        return out

    def _host_call(self, inputs):
        if self.output_mode == "one_hot" and inputs.ndim and inputs.shape[-1] == 1:
            inputs = inputs[..., 0]
        bins = self.hash_to_bins(inputs)
        dtype = self.compute_dtype
        out = encode_numpy(bins, self.output_mode, self.num_bins, dtype)
        return ops.convert_to_tensor(out, dtype=dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_bins": self.num_bins,
                "salt": self.salt,
                "mask_value": self.mask_value,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config
