"""The shared base of the merging layers: a list of inputs in, one tensor out."""

from __future__ import annotations

from lamina import ops
from lamina.layers._shapes import rank, static_shape
from lamina.layers.layer import Layer


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


class Merge(Layer):
    """Base of Add, Subtract, Multiply, Average, Maximum and Minimum.

    Inputs are broadcast as in NumPy after the batch axis; an input of lower rank
    gets size-1 axes inserted after its batch axis (as Keras does), so `(batch, 4)`
    merges with `(batch, 3, 4)` only if the sizes then broadcast.
    """

    _min_inputs = 1
    _max_inputs: int | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_shapes(self, shapes) -> tuple:
        """Validate the list of input shapes; return the broadcast output shape."""
        kind = type(self).__name__
        if (
            not isinstance(shapes, (list, tuple))
            or not shapes
            or not all(_is_shape(s) for s in shapes)
        ):
            raise ValueError(
                f"{kind} layer {self.name!r} must be called on a list of tensors; "
                f"got input shape {shapes}."
            )
        count = len(shapes)
        if count < self._min_inputs or (self._max_inputs is not None and count > self._max_inputs):
            wanted = (
                f"exactly {self._min_inputs}"
                if self._min_inputs == self._max_inputs
                else f"at least {self._min_inputs}"
            )
            raise ValueError(
                f"{kind} layer {self.name!r} must be called on {wanted} inputs; got {count} "
                f"with shapes {list(map(tuple, shapes))}."
            )
        batches = {s[0] for s in shapes if len(s)} - {None}
        if len(batches) > 1:
            raise ValueError(
                f"{kind} layer {self.name!r} cannot merge tensors with different batch sizes; "
                f"got shapes {list(map(tuple, shapes))}."
            )
        rank = max(len(s) for s in shapes)
        # Lower-rank inputs get axes inserted after the batch axis: align on the right.
        columns = zip(*([1] * (rank - len(s)) + list(s[1:]) for s in shapes), strict=True)
        output = []
        for axis, sizes in enumerate(columns, start=1):
            known = {d for d in sizes if d not in (None, 1)}
            if len(known) > 1:
                raise ValueError(
                    f"{kind} layer {self.name!r}: inputs have incompatible shapes "
                    f"{list(map(tuple, shapes))} (axis {axis}: sizes {sorted(known)}). "
                    "Merged shapes must be equal or broadcastable."
                )
            output.append(known.pop() if known else (None if None in sizes else 1))
        return (batches.pop() if batches else None, *output)

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape) -> tuple:
        return self._check_shapes(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} must be called on a list of tensors; "
                f"got a single tensor of shape {static_shape(inputs)}."
            )
        max_rank = max(rank(x) for x in inputs)
        expanded = []
        for x in inputs:
            for _ in range(max_rank - rank(x)):
                x = ops.expand_dims(x, 1)
            expanded.append(x)
        return self._merge(expanded)

    def _merge(self, inputs: list):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        if mask is None or any(m is None for m in mask):
            return None
        result = mask[0]
        for m in mask[1:]:
            result = ops.logical_or(result, m)
        return result
