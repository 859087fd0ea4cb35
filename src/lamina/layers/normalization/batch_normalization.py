"""BatchNormalization: normalizes with batch statistics while training, moving
statistics at inference."""

from __future__ import annotations

from lamina import backend, constraints, initializers, ops, regularizers
from lamina.layers._shapes import rank, static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BatchNormalization(Layer):
    """Normalizes its input to zero mean and unit variance per feature.

    In training (`training=True`, and the layer trainable) it uses the batch's
    mean and variance and updates the moving statistics:
    `moving = moving * momentum + batch_stat * (1 - momentum)`. Otherwise it uses
    the moving statistics. A layer with `trainable=False` always runs in
    inference mode, as in Keras (the usual setting for fine-tuning).

    Weights, in this order: `gamma`, `beta` (trainable), `moving_mean`,
    `moving_variance` (not trainable).

    Args:
        axis: the feature axis (or axes), -1 for channels_last images, 1 for
            channels_first.
        momentum: the momentum of the moving statistics.
        epsilon: added to the variance to avoid dividing by zero.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers of the weights.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint:
            for the trainable weights.

    Example:
        >>> layer = lamina.layers.BatchNormalization()
        >>> y = layer(np.random.rand(8, 3), training=True)
    """

    def __init__(
        self,
        axis: int | list[int] = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized: bool = False,
        **kwargs,
    ):
        renorm = kwargs.pop("renorm", False)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        if renorm:
            raise NotImplementedError(
                "BatchNormalization: renorm=True is not supported by lamina."
            )
        super().__init__(**kwargs)
        self.axis = int(axis) if not isinstance(axis, (list, tuple)) else [int(a) for a in axis]
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        # One device per step in lamina, so a synchronized layer behaves like a plain one.
        self.synchronized = bool(synchronized)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
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
                    f"BatchNormalization {self.name!r}: axis={self.axis} is out of range for "
                    f"inputs of rank {rank}."
                )
        return sorted(a % rank for a in axes)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(
                f"BatchNormalization {self.name!r} needs known sizes on axis {self.axis}; got input "
                f"shape {input_shape}."
            )
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape,
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=shape,
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            shape=shape,
            name="moving_mean",
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            name="moving_variance",
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: input_shape[a] for a in axes})
        self.built = True

    def _broadcast(self, value, rank: int, axes: list[int]):
        """A `(features...)` weight reshaped to broadcast against the input."""
        shape = [1] * rank
        for a, size in zip(axes, static_shape(value), strict=True):
            shape[a] = size
        return ops.reshape(value, shape)

    def _moments(self, inputs, reduction: list[int], mask):
        if mask is None:
            return ops.moments(inputs, axes=reduction)
        # A (batch, steps) mask: statistics over the unmasked steps only.
        if rank(mask) != rank(inputs) - 1:
            raise ValueError(
                f"BatchNormalization {self.name!r}: the mask must have one axis less than the "
                f"inputs; got mask shape {static_shape(mask)} for inputs {static_shape(inputs)}."
            )
        dtype = ops.dtype(inputs)
        weights = ops.broadcast_to(ops.cast(ops.expand_dims(mask, -1), dtype), ops.shape(inputs))
        count = ops.add(ops.sum(weights, axis=reduction, keepdims=True), backend.epsilon())
        mean = ops.divide(
            ops.sum(ops.multiply(inputs, weights), axis=reduction, keepdims=True), count
        )
        centred = ops.multiply(ops.subtract(inputs, mean), weights)
        variance = ops.divide(ops.sum(ops.square(centred), axis=reduction, keepdims=True), count)
        return ops.squeeze(mean, axis=reduction), ops.squeeze(variance, axis=reduction)

    def call(self, inputs, training=False, mask=None):
        input_dtype = ops.dtype(inputs)
        # Half-precision statistics overflow easily: compute in float32 at least.
        if input_dtype in ("float16", "bfloat16"):
            inputs = ops.cast(inputs, "float32")
        ndim = rank(inputs)
        axes = self._axes(ndim)
        reduction = [a for a in range(ndim) if a not in axes]
        compute_dtype = ops.dtype(inputs)
        moving_mean = ops.cast(self.moving_mean.value, compute_dtype)
        moving_variance = ops.cast(self.moving_variance.value, compute_dtype)
        if training and self.trainable:
            mean, variance = self._moments(inputs, reduction, mask)
            self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(
                moving_variance * self.momentum + variance * (1.0 - self.momentum)
            )
        else:
            mean, variance = moving_mean, moving_variance
        inverse = ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
        if self.gamma is not None:
            inverse = ops.multiply(inverse, ops.cast(self.gamma.value, compute_dtype))
        offset = ops.negative(ops.multiply(mean, inverse))
        if self.beta is not None:
            offset = ops.add(offset, ops.cast(self.beta.value, compute_dtype))
        outputs = ops.add(
            ops.multiply(inputs, self._broadcast(inverse, ndim, axes)),
            self._broadcast(offset, ndim, axes),
        )
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer
                ),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized,
            }
        )
        return config
