"""PReLU: a leaky rectified unit whose slopes are learned."""

from __future__ import annotations

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class PReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` below, with `alpha` a weight.

    `alpha` has one entry per input feature (the input's shape without the
    batch axis); axes in `shared_axes` share one slope, e.g.
    `shared_axes=[1, 2]` for one slope per channel of `(batch, h, w, c)`
    images.

    Args:
        alpha_initializer: initializer of `alpha` (zeros, as in Keras).
        alpha_regularizer: regularizer of `alpha`.
        alpha_constraint: constraint on `alpha`.
        shared_axes: an axis or a list of axes (1-based, counting the batch
            axis as 0) along which one slope is shared.

    Example:
        >>> layer = lamina.layers.PReLU(alpha_initializer="ones")
        >>> layer(np.array([[-2.0, 3.0]])).shape
        (1, 2)
    """

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU's shared_axes must be axes of the input other than the batch axis "
                    f"(1 to {len(input_shape) - 1} for input shape {input_shape}); got "
                    f"shared_axes={self.shared_axes}."
                )
            param_shape[axis - 1] = 1
        for i, size in enumerate(param_shape):
            if size is None:
                raise ValueError(
                    f"PReLU needs a known size on axis {i + 1} of its input to learn one slope "
                    f"per entry; input shape {input_shape}. Share that axis: "
                    f"shared_axes=[{i + 1}]."
                )
        self.alpha = self.add_weight(
            shape=tuple(param_shape),
            name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {
            i: input_shape[i]
            for i in range(1, len(input_shape))
            if i not in (self.shared_axes or [])
        }
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        positive = ops.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), ops.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes,
            }
        )
        return config
