"""RepeatVector: repeats a vector n times along a new axis."""

from __future__ import annotations

from lamina import ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class RepeatVector(Layer):
    """Repeats each input vector `n` times: `(batch, features)` -> `(batch, n, features)`.

    Args:
        n: the number of repetitions.

    Example:
        >>> lamina.layers.RepeatVector(3)(np.zeros((2, 5))).shape
        (2, 3, 5)
    """

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"RepeatVector: n must be a positive integer; got n={n!r}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config
