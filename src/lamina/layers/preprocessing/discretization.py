"""Discretization: continuous values to bucket indices, with boundaries given or adapted."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.preprocessing import _quantiles
from lamina.layers.preprocessing._host_layer import (
    HostLayer,
    collect_batches,
    encode_numpy,
    encode_ops,
    encoded_shape,
    to_host,
)

_MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(HostLayer):
    """Buckets continuous values by boundaries: `[-inf, b0), [b0, b1), ..., [bn, inf)`.

    Give `bin_boundaries`, or `num_bins` and call `adapt(data)`: it finds
    boundaries that split the data into `num_bins` parts of about equal size
    (approximate quantiles, to within `epsilon`).

    Args:
        bin_boundaries: sorted boundaries; value `x` goes to bucket `i` with
            `bin_boundaries[i - 1] <= x < bin_boundaries[i]`.
        num_bins: how many buckets `adapt` makes (instead of `bin_boundaries`).
        epsilon: the accuracy of the adapted quantiles (default 0.01).
        output_mode: `"int"` (the bucket index), `"one_hot"`, `"multi_hot"` or
            `"count"` (encoded as CategoryEncoding does).
        sparse: sparse outputs are not supported; must be False.

    Example:
        >>> layer = lamina.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5]]))
        array([[0, 2, 3, 1]], dtype=int32)
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype=None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if sparse:
            raise ValueError(
                "Discretization does not support sparse=True in lamina: outputs are dense "
                "tensors. Pass sparse=False."
            )
        if output_mode not in _MODES:
            raise ValueError(
                f"Discretization got output_mode={output_mode!r}; expected one of {_MODES}."
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization needs num_bins >= 0, got num_bins={num_bins}.")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Discretization takes num_bins or bin_boundaries, not both; got "
                f"num_bins={num_bins} and bin_boundaries={bin_boundaries}."
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(
                "Discretization needs bin_boundaries, or num_bins and then a call to adapt()."
            )
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if self.bin_boundaries else _quantiles.empty_summary()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Find `num_bins` buckets of about equal size over `data`: an array, a list,
        a PyDataset or an iterable of batches (at most `steps` of them)."""
        if self.num_bins is None:
            raise ValueError(
                "This Discretization layer was given bin_boundaries and cannot be adapted; "
                "make it with num_bins instead."
            )
        self.reset_state()
        batches = collect_batches(data, "Discretization")
        if steps is not None and len(batches) > 1:
            batches = batches[:steps]
        for batch in batches:
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        values = np.asarray(to_host(data), dtype="float32")
        batch = _quantiles.summarize(values, self.epsilon)
        self.summary = _quantiles.merge(batch, self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = _quantiles.boundaries(self.summary, self.num_bins).tolist()

    def reset_state(self) -> None:
        if self.num_bins is None:
            return
        self.summary = _quantiles.empty_summary()

    # ------------------------------------------------------------------ calling
    def _depth(self) -> int:
        if self.bin_boundaries is not None:
            return len(self.bin_boundaries) + 1
        return self.num_bins

    def _output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def _check_ready(self) -> None:
        if self.bin_boundaries is None:
            raise ValueError(
                "This Discretization layer has no bin boundaries yet: pass bin_boundaries "
                "when making it, or call adapt(data) before calling it."
            )

    def _host_call(self, inputs):
        self._check_ready()
        # float32 on both sides, as Keras compares (and as the traced path does).
        bounds = np.asarray(self.bin_boundaries, "float32")
        indices = np.digitize(inputs.astype("float32"), bounds)
        out = encode_numpy(indices, self.output_mode, self._depth(), self._output_dtype())
        return ops.convert_to_tensor(out, dtype=self._output_dtype())

    def call(self, inputs):
        self._check_ready()
        bounds = ops.convert_to_tensor(np.asarray(self.bin_boundaries, "float32"))
        above = ops.greater_equal(ops.expand_dims(ops.cast(inputs, "float32"), -1), bounds)
        indices = ops.sum(ops.cast(above, "int32"), axis=-1)
        return encode_ops(indices, self.output_mode, self._depth(), self._output_dtype())

    def compute_output_shape(self, input_shape) -> tuple:
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("trainable", None)  # Keras leaves it out of this layer's config
        config.update(
            {
                "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins,
                "epsilon": self.epsilon,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            # An adapted layer: made for num_bins, with the boundaries it found.
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
