"""LayerNormalization: normalizes each sample over its feature axes."""

from __future__ import annotations

from lamina import constraints, initializers, ops, regularizers
from lamina.layers._shapes import static_shape
from lamina.layers.layer import Layer


class LayerNormalization(Layer):
    """Normalizes each sample to zero mean and unit variance over `axis`, then
    scales by `gamma` and shifts by `beta`. Unlike BatchNormalization it keeps no
    statistics and behaves the same in training and inference.

    Args:
        axis: the axis or axes to normalize over (default -1, the features).
        epsilon: added to the variance to avoid dividing by zero.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned `gamma`.
        rms_scaling: Keras's variant that divides by `sqrt(variance + epsilon)`
            without subtracting the mean, then multiplies by `gamma`; no `beta`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: for the weights.

    Example:
        >>> layer = lamina.layers.LayerNormalization()
        >>> layer(np.array([[1.0, 2.0, 3.0]]))  # about [[-1.22, 0, 1.22]]
    """

    def __init__(
        self,
        axis: int | list[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = int(axis) if not isinstance(axis, (list, tuple)) else [int(a) for a in axis]
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def _axes(self, rank: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(
                    f"LayerNormalization {self.name!r}: axis={self.axis} is out of range for "
                    f"inputs of rank {rank}."
                )
        return sorted(a % rank for a in axes)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        shape = tuple(input_shape[a] for a in self._axes(len(input_shape)))
        if None in shape:
            raise ValueError(
                f"LayerNormalization {self.name!r} needs known sizes on axis {self.axis}; got "
                f"input shape {input_shape}."
            )
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs):
        input_dtype = ops.dtype(inputs)
        if input_dtype in ("float16", "bfloat16"):
            inputs = ops.cast(inputs, "float32")
        dtype = ops.dtype(inputs)
        shape = static_shape(inputs)
        rank = len(shape)
        axes = self._axes(rank)
        broadcast = [1] * rank
        for a in axes:
            broadcast[a] = shape[a] if shape[a] is not None else ops.shape(inputs)[a]

        def weight(variable):
            return ops.reshape(ops.cast(variable.value, dtype), broadcast)

        if self.rms_scaling:
            variance = ops.var(inputs, axis=axes, keepdims=True)
            outputs = ops.multiply(
                inputs, ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
            )
            if self.gamma is not None:
                outputs = ops.multiply(outputs, weight(self.gamma))
            return ops.cast(outputs, self.compute_dtype)
        mean, variance = ops.moments(inputs, axes=axes, keepdims=True)
        inverse = ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
        if self.gamma is not None:
            inverse = ops.multiply(inverse, weight(self.gamma))
        offset = ops.negative(ops.multiply(mean, inverse))
        if self.beta is not None:
            offset = ops.add(offset, weight(self.beta))
        outputs = ops.add(ops.multiply(inputs, inverse), offset)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
            }
        )
        return config
