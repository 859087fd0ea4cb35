"""Permute: reorders the non-batch axes."""

from __future__ import annotations

from lamina import ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Permute(Layer):
    """Permutes the axes of each sample; the batch axis stays first.

    Args:
        dims: a permutation of `1..rank-1` (axis 0 is the batch), e.g. `(2, 1)`
            swaps the two axes of a rank-3 input.

    Example:
        >>> lamina.layers.Permute((2, 1))(np.zeros((4, 10, 64))).shape
        (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1..{len(self.dims)} (axis 0 is the batch); "
                f"got dims={self.dims}."
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = self.dims
        return config
