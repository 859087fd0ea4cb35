"""TimeDistributed: applies a layer to every time step of a sequence."""

from __future__ import annotations

from lamina import ops
from lamina.backend._keras_tensor import KerasTensor
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputShapeError


class TimeDistributed(Wrapper):
    """Applies `layer` to each slice `inputs[:, t]` of a `(batch, timesteps, ...)` input.

    All steps share the wrapped layer's weights. The steps are computed
    together, as one call on a `(batch * timesteps, ...)` tensor; for layers
    whose training behaviour depends on the batch (BatchNormalization) the
    statistics therefore cover all steps at once. A `(batch, timesteps)` mask
    passes through unchanged; a wrapped layer that takes a mask gets it folded
    like the inputs.

    Args:
        layer: the layer to apply at each step.

    Example:
        >>> inputs = lamina.Input(shape=(10, 8))
        >>> outputs = lamina.layers.TimeDistributed(lamina.layers.Dense(4))(inputs)  # (None, 10, 4)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _step_shape(self, input_shape) -> tuple:
        if input_shape is None or len(input_shape) < 3:
            raise InputShapeError(
                f"Input to layer {self.name!r} (TimeDistributed) has shape {input_shape}: "
                "expected rank >= 3, (batch, timesteps, ...), so that the wrapped layer "
                f"{self.layer.name!r} can be applied to each time step."
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        step_shape = self._step_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer.build(step_shape)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        step_shape = self._step_shape(tuple(input_shape))
        spec = self.layer.compute_output_spec(KerasTensor(step_shape, self.compute_dtype))
        if isinstance(spec, (list, tuple)):
            raise NotImplementedError(
                f"TimeDistributed({type(self.layer).__name__}): wrapped layers with several "
                "outputs are not supported."
            )
        return (spec.shape[0], input_shape[1], *spec.shape[1:])

    def call(self, inputs, training=None, mask=None):
        shape = ops.shape(inputs)
        self._step_shape(shape)
        # Fold time into the batch, run the layer once, and unfold.
        folded = ops.reshape(inputs, (-1, *shape[2:]))
        kwargs = {"training": training}
        if mask is not None and self.layer._call_has_mask:
            # The wrapped layer sees each step's mask, folded like the inputs.
            mask = ops.convert_to_tensor(mask)
            kwargs["mask"] = ops.reshape(mask, (-1, *ops.shape(mask)[2:]))
        outputs = self.layer(folded, **kwargs)
        return ops.reshape(outputs, (shape[0], shape[1], *ops.shape(outputs)[1:]))
