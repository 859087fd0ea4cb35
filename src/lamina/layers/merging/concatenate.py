"""Concatenate: joins its inputs along one axis."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.merging._base_merge import _is_shape


class Concatenate(Layer):
    """Concatenates a list of tensors along `axis`; all other sizes must match.

    Args:
        axis: the axis to join along (default -1, the features).

    Example:
        >>> lamina.layers.Concatenate()([np.ones((2, 3)), np.zeros((2, 5))]).shape
        (2, 8)
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def _check_shapes(self, shapes) -> tuple:
        if (
            not isinstance(shapes, (list, tuple))
            or not shapes
            or not all(_is_shape(s) for s in shapes)
        ):
            raise ValueError(
                f"Concatenate layer {self.name!r} must be called on a list of tensors; "
                f"got input shape {shapes}."
            )
        shapes = [tuple(s) for s in shapes]
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(
                f"Concatenate layer {self.name!r} needs inputs of the same rank; got shapes {shapes}."
            )
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate layer {self.name!r}: axis={self.axis} is out of range for inputs of "
                f"rank {rank} (shapes {shapes})."
            )
        axis = self.axis % rank
        output = []
        for i, sizes in enumerate(zip(*shapes, strict=True)):
            if i == axis:
                output.append(None if None in sizes else sum(sizes))
                continue
            known = {d for d in sizes if d is not None}
            if len(known) > 1:
                raise ValueError(
                    f"Concatenate layer {self.name!r} needs inputs with matching shapes except "
                    f"on the concatenation axis {self.axis}; got shapes {shapes} "
                    f"(axis {i}: sizes {sorted(known)})."
                )
            output.append(known.pop() if known else None)
        return tuple(output)

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Concatenate layer {self.name!r} must be called on a list of tensors; got a "
                f"single tensor of shape {tuple(inputs.shape)}."
            )
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape) -> tuple:
        return self._check_shapes(input_shape)

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        # Each input's mask at full size (an unmasked input counts everywhere), joined
        # like the inputs; an output step counts where any of its features counts.
        full = []
        for x, m in zip(inputs, mask):
            shape = ops.shape(x)
            if m is None:
                full.append(ops.ones(shape, dtype="bool"))
                continue
            m = ops.cast(m, "bool")
            if len(ops.shape(m)) < len(shape):
                m = ops.broadcast_to(ops.expand_dims(m, -1), shape)
            full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def concatenate(inputs: list, axis: int = -1, **kwargs):
    """Functional form of `Concatenate`: `Concatenate(axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
