"""RMSNormalization: divides each sample by its root mean square."""

from __future__ import annotations

from lamina import ops
from lamina.layers._shapes import static_shape
from lamina.layers.layer import Layer


class RMSNormalization(Layer):
    """`x / sqrt(mean(x**2, axis) + epsilon) * scale` (Zhang & Sennrich, 2019):
    each sample is divided by its root mean square over `axis`, without
    subtracting the mean, then multiplied by the learned `scale`. The same in
    training and inference.

    Args:
        axis: the axis or list of axes to normalize over (default -1).
        epsilon: added to the mean square to avoid dividing by zero.

    Example:
        >>> layer = lamina.layers.RMSNormalization()
        >>> layer(np.array([[3.0, 4.0]]))  # about [[0.85, 1.13]]
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-6, **kwargs):
        if isinstance(axis, (list, tuple)) and all(
            isinstance(a, int) and not isinstance(a, bool) for a in axis
        ):
            axis = list(axis)
        elif not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(
                f"RMSNormalization: axis must be an int or a list of ints; got axis={axis!r}."
            )
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.supports_masking = True
        self.scale = None

    def _axes(self, rank: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(
                    f"RMSNormalization {self.name!r}: axis={self.axis} is out of range for "
                    f"inputs of rank {rank}."
                )
        return sorted(a % rank for a in axes)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        shape = tuple(input_shape[a] for a in self._axes(len(input_shape)))
        if None in shape:
            raise ValueError(
                f"RMSNormalization {self.name!r} needs known sizes on axis {self.axis}; got "
                f"input shape {input_shape}."
            )
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        if ops.dtype(inputs) in ("float16", "bfloat16"):
            inputs = ops.cast(inputs, "float32")
        dtype = ops.dtype(inputs)
        shape = static_shape(inputs)
        axes = self._axes(len(shape))
        mean_square = ops.mean(ops.square(inputs), axis=axes, keepdims=True)
        outputs = ops.multiply(
            inputs, ops.divide(1.0, ops.sqrt(ops.add(mean_square, self.epsilon)))
        )
        broadcast = [1] * len(shape)
        for a in axes:
            broadcast[a] = shape[a]
        scale = ops.reshape(ops.cast(self.scale.value, dtype), broadcast)
        return ops.cast(ops.multiply(outputs, scale), self.compute_dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        self._axes(len(input_shape))
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
