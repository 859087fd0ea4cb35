"""Dot: the dot product of two tensors along chosen axes, per sample."""

from __future__ import annotations

from lamina import backend, ops
from lamina.layers._shapes import rank, static_shape
from lamina.layers.layer import Layer
from lamina.layers.merging._base_merge import _is_shape


def _l2_normalize(x, axis: int):
    # x / ||x||, with the inverse norm capped at 1 / epsilon so zeros stay finite.
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    inverse = ops.minimum(ops.divide(1.0, ops.sqrt(square_sum)), 1.0 / backend.epsilon())
    return ops.multiply(x, inverse)


def _batch_dot(x, y, axes: tuple[int, int]):
    """Per-sample contraction of `x` axis `axes[0]` with `y` axis `axes[1]`.

    The output holds x's remaining axes, then y's (batch first); a result with
    only the batch axis gets a trailing axis of size 1.
    """
    x_rank, y_rank = rank(x), rank(y)
    x_letters = "abcdefghij"[:x_rank]
    y_letters = "a" + "klmnopqrst"[: y_rank - 1]
    y_letters = y_letters[: axes[1]] + x_letters[axes[0]] + y_letters[axes[1] + 1 :]
    out = x_letters.replace(x_letters[axes[0]], "") + y_letters[1:].replace(x_letters[axes[0]], "")
    result = ops.einsum(f"{x_letters},{y_letters}->{out}", x, y)
    if len(out) == 1:
        result = ops.expand_dims(result, -1)
    return result


class Dot(Layer):
    """The dot product of two tensors, sample by sample.

    For inputs `x` of shape `(batch, n)` and `y` of shape `(batch, n)` the output
    is `(batch, 1)` with `sum(x * y, axis=1)`. With higher ranks the chosen axes
    are contracted and the remaining axes of `x`, then of `y`, form the output.

    Args:
        axes: an int, or a pair `(axis_of_x, axis_of_y)`; never the batch axis 0.
        normalize: whether to L2-normalize both inputs along the contracted axes
            first, which makes the output the cosine similarity.

    Example:
        >>> x, y = np.ones((2, 3)), np.full((2, 3), 2.0)
        >>> lamina.layers.Dot(axes=1)([x, y])
        array([[6.], [6.]], dtype=float32)
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Dot: axes must be an int or a pair of ints; got axes={axes!r}.")
            axes = tuple(axes)
        elif not isinstance(axes, int):
            raise TypeError(f"Dot: axes must be an int or a pair of ints; got axes={axes!r}.")
        self.axes = axes
        self.normalize = bool(normalize)

    def _resolved_axes(self, shapes) -> tuple[int, int]:
        pair = self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)
        return tuple(a % len(s) for a, s in zip(pair, shapes, strict=True))

    def _check_shapes(self, shapes) -> tuple:
        if (
            not isinstance(shapes, (list, tuple))
            or len(shapes) != 2
            or not all(_is_shape(s) for s in shapes)
        ):
            raise ValueError(
                f"Dot layer {self.name!r} must be called on a list of exactly 2 tensors; "
                f"got input shape {shapes}."
            )
        x_shape, y_shape = (tuple(s) for s in shapes)
        if len(x_shape) < 2 or len(y_shape) < 2:
            raise ValueError(
                f"Dot layer {self.name!r} needs inputs of rank >= 2 (batch first); got shapes "
                f"{x_shape} and {y_shape}."
            )
        pair = self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)
        for a, s in zip(pair, (x_shape, y_shape), strict=True):
            if not -len(s) <= a < len(s) or a % len(s) == 0:
                raise ValueError(
                    f"Dot layer {self.name!r}: axes={self.axes} must name non-batch axes of inputs "
                    f"with shapes {x_shape} and {y_shape}."
                )
        ax, ay = self._resolved_axes((x_shape, y_shape))
        if x_shape[ax] is not None and y_shape[ay] is not None and x_shape[ax] != y_shape[ay]:
            raise ValueError(
                f"Dot layer {self.name!r}: the contracted axes differ in size: shapes {x_shape} "
                f"(axis {ax}: {x_shape[ax]}) and {y_shape} (axis {ay}: {y_shape[ay]})."
            )
        batch = {x_shape[0], y_shape[0]} - {None}
        if len(batch) > 1:
            raise ValueError(
                f"Dot layer {self.name!r} cannot combine different batch sizes; got shapes "
                f"{x_shape} and {y_shape}."
            )
        rest = [d for i, d in enumerate(x_shape) if i not in (0, ax)]
        rest += [d for i, d in enumerate(y_shape) if i not in (0, ay)]
        return (batch.pop() if batch else None, *(rest or [1]))

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"Dot layer {self.name!r} must be called on a list of exactly 2 tensors."
            )
        x, y = inputs
        ax, ay = self._resolved_axes((static_shape(x), static_shape(y)))
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        return _batch_dot(x, y, (ax, ay))

    def compute_output_shape(self, input_shape) -> tuple:
        return self._check_shapes(input_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def dot(inputs: list, axes=-1, **kwargs):
    """Functional form of `Dot`: `Dot(axes, **kwargs)(inputs)`."""
    return Dot(axes=axes, **kwargs)(inputs)
