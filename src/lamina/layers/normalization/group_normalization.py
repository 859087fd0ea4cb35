"""GroupNormalization: normalizes groups of channels within each sample."""

from __future__ import annotations

from lamina import constraints, initializers, ops, regularizers
from lamina.layers._shapes import static_shape
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class GroupNormalization(Layer):
    """Splits the channels on `axis` into `groups` groups and normalizes each
    group of each sample to zero mean and unit variance (over the group's
    channels and every other non-batch axis), then scales by `gamma` and shifts
    by `beta`, one of each per channel. With `groups=1` this is a layer
    normalization over all non-batch axes; with `groups=-1` (one group per
    channel) an instance normalization. The same in training and inference.

    Args:
        groups: the number of groups, which must divide the number of
            channels; -1 for one group per channel (default 32).
        axis: the channel axis (default -1).
        epsilon: added to the variance to avoid dividing by zero.
        center: whether to add the learned offset `beta`.
        scale: whether to multiply by the learned `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: for the weights.

    Example:
        >>> layer = lamina.layers.GroupNormalization(groups=2)
        >>> layer(np.random.rand(2, 5, 5, 4)).shape  # two groups of 2 channels
        (2, 5, 5, 4)
    """

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        if (
            not isinstance(groups, int)
            or isinstance(groups, bool)
            or (groups <= 0 and groups != -1)
        ):
            raise ValueError(
                "GroupNormalization: groups must be a positive int, or -1 for one group per "
                f"channel; got groups={groups!r}."
            )
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(
                f"GroupNormalization: axis must be an int, the channel axis; got axis={axis!r}."
            )
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def _channel_axis(self, rank: int) -> int:
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                f"GroupNormalization {self.name!r}: axis={self.axis} is not a non-batch axis "
                f"of inputs of rank {rank}."
            )
        return self.axis % rank

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        channels = input_shape[self._channel_axis(len(input_shape))]
        if channels is None:
            raise ValueError(
                f"GroupNormalization {self.name!r} needs a known size on axis {self.axis}; got "
                f"input shape {input_shape}."
            )
        groups = channels if self.groups == -1 else self.groups
        if groups > channels or channels % groups:
            raise ValueError(
                f"GroupNormalization {self.name!r}: groups={self.groups} must divide the "
                f"{channels} channels on axis {self.axis} of inputs of shape {input_shape}. "
                "Choose a divisor of the channel count, or -1 for one group per channel."
            )
        self.groups = groups
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=(channels,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=(channels,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs):
        if ops.dtype(inputs) in ("float16", "bfloat16"):
            inputs = ops.cast(inputs, "float32")  # statistics overflow in half precision
        dtype = ops.dtype(inputs)
        shape = static_shape(inputs)
        dynamic = ops.shape(inputs)
        sizes = [s if s is not None else dynamic[i] for i, s in enumerate(shape)]
        axis = self._channel_axis(len(shape))
        per_group = shape[axis] // self.groups
        # Split the channel axis into (groups, channels per group).
        grouped_shape = [-1, *sizes[1:axis], self.groups, per_group, *sizes[axis + 1 :]]
        grouped = ops.reshape(inputs, grouped_shape)
        axes = [a for a in range(1, len(grouped_shape)) if a != axis]
        mean, variance = ops.moments(grouped, axes=axes, keepdims=True)
        inverse = ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
        broadcast = [1] * len(grouped_shape)
        broadcast[axis], broadcast[axis + 1] = self.groups, per_group

        def weight(variable):
            return ops.reshape(ops.cast(variable.value, dtype), broadcast)

        if self.gamma is not None:
            inverse = ops.multiply(inverse, weight(self.gamma))
        offset = ops.negative(ops.multiply(mean, inverse))
        if self.beta is not None:
            offset = ops.add(offset, weight(self.beta))
        outputs = ops.add(ops.multiply(grouped, inverse), offset)
        return ops.cast(ops.reshape(outputs, [-1, *sizes[1:]]), self.compute_dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        self._channel_axis(len(input_shape))
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
            }
        )
        return config
