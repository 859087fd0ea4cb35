"""What the attention layers share: masks, the masked softmax, projection equations."""

from __future__ import annotations

import contextlib
import string

from lamina import ops
from lamina.layers import _masking
from lamina.layers._shapes import static_shape


def large_negative(dtype: str) -> float:
    """The fill value of masked scores: far below any score, yet finite in `dtype`."""
    return -3e4 if dtype == "float16" else -1e9


def sequence_length(x, axis: int = 1):
    """The size of `x` along `axis`: an int when known now, else a scalar tensor."""
    size = static_shape(x)[axis]
    return size if size is not None else ops.shape(x)[axis]


def causal_mask(query_length, key_length):
    """`(1, T, S)` booleans, True where query position i may see key position j (j <= i)."""
    rows = ops.expand_dims(ops.arange(query_length, dtype="int32"), -1)
    cols = ops.expand_dims(ops.arange(key_length, dtype="int32"), 0)
    return ops.expand_dims(ops.greater_equal(rows, cols), 0)


def sliding_window_mask(query_length, key_length, window: int):
    """`(1, T, S)` booleans, True where `|i - j| < window`."""
    rows = ops.expand_dims(ops.arange(query_length, dtype="int32"), -1)
    cols = ops.expand_dims(ops.arange(key_length, dtype="int32"), 0)
    return ops.expand_dims(ops.less(ops.abs(ops.subtract(rows, cols)), window), 0)


def as_bool(mask):
    mask = ops.convert_to_tensor(mask)
    return mask if ops.dtype(mask) == "bool" else ops.cast(mask, "bool")


def carried_masks(query, value, key, query_mask, value_mask, key_mask):
    """The masks given, else those the tensors carry (read before conversion
    makes new objects): `(query_mask, value_mask, key_mask)`."""
    if query_mask is None:
        query_mask = _masking.get_mask(query)
    if value_mask is None:
        value_mask = _masking.get_mask(value)
    if key is not None and key_mask is None:
        key_mask = _masking.get_mask(key)
    return query_mask, value_mask, key_mask


def check_attention_mask(layer, attention_mask, query, value) -> None:
    """Raise when a user's `attention_mask` cannot broadcast to `(batch, T, S)`."""
    if attention_mask is None or len(static_shape(query)) != 3:
        return
    mask_shape = static_shape(attention_mask)
    expected = (static_shape(query)[0], static_shape(query)[1], static_shape(value)[1])
    fits = len(mask_shape) <= 3 and all(
        m is None or e is None or m in (1, e)
        for m, e in zip(reversed(mask_shape), reversed(expected))
    )
    if not fits:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r}: attention_mask has shape {mask_shape}, "
            f"which does not broadcast to (batch, query length, key length) = {expected}. "
            "Give a boolean mask of that shape (1 where an axis broadcasts)."
        )


def combined_attention_mask(
    query,
    value,
    query_mask=None,
    value_mask=None,
    key_mask=None,
    attention_mask=None,
    use_causal_mask: bool = False,
    sliding_window: int | None = None,
):
    """One boolean `(B, T, S)`-broadcastable mask from every source, or None.

    The query mask becomes `(B, T, 1)`, the value and key masks `(B, 1, S)`,
    the causal and sliding-window masks `(1, T, S)`; all are ANDed with
    `attention_mask`.
    """
    parts = []
    if query_mask is not None:
        parts.append(ops.expand_dims(as_bool(query_mask), -1))
    for mask in (value_mask, key_mask):
        if mask is not None:
            parts.append(ops.expand_dims(as_bool(mask), -2))
    if use_causal_mask or sliding_window is not None:
        lengths = sequence_length(query), sequence_length(value)
        if use_causal_mask:
            parts.append(causal_mask(*lengths))
        if sliding_window is not None:
            parts.append(sliding_window_mask(*lengths, sliding_window))
    if attention_mask is not None:
        parts.insert(0, as_bool(attention_mask))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = ops.logical_and(combined, part)
    return combined


def masked_softmax(layer, scores, mask, axes):
    """Softmax of `scores` over `axes`; masked entries get 0, as does a fully masked slice.

    `mask` must broadcast to `scores`: each of its trailing axes 1 or the
    size of the scores' axis.
    """
    if mask is not None:
        score_shape, mask_shape = static_shape(scores), static_shape(mask)
        fits = len(mask_shape) <= len(score_shape) and all(
            m is None or s is None or m in (1, s)
            for m, s in zip(reversed(mask_shape), reversed(score_shape))
        )
        if not fits:
            raise ValueError(
                f"{type(layer).__name__} {layer.name!r}: the attention mask of shape "
                f"{mask_shape} does not broadcast to the attention scores of shape "
                f"{score_shape}. Give an attention_mask of shape (batch, query length, key "
                "length), with 1 for the axes to broadcast over."
            )
        scores = ops.where(
            mask, scores, ops.cast(large_negative(ops.dtype(scores)), ops.dtype(scores))
        )
    axes = tuple(axes)
    if len(axes) > 1:
        probs = ops.exp(ops.subtract(scores, ops.logsumexp(scores, axis=axes, keepdims=True)))
    else:
        probs = ops.softmax(scores, axis=axes[0])
    if mask is not None:
        probs = ops.where(mask, probs, ops.zeros((), dtype=ops.dtype(probs)))
    return probs


def expand_mask_for_heads(mask, scores_rank: int, axis: int):
    """Insert axes into `mask` at `axis` until it has `scores_rank` axes."""
    for _ in range(scores_rank - len(ops.shape(mask))):
        mask = ops.expand_dims(mask, axis)
    return mask


@contextlib.contextmanager
def masks_set_aside(*tensors):
    """Removes the masks of `tensors` for the block, then puts them back.

    The projections inside an attention layer do not take masks (the layer
    has turned them into the attention mask already), so they must not see
    them, or they would warn that they drop them.
    """
    saved = []
    for tensor in {id(t): t for t in tensors if t is not None}.values():
        mask = _masking.get_mask(tensor)
        if mask is not None:
            saved.append((tensor, mask))
            _masking.set_mask(tensor, None)
    try:
        yield
    finally:
        for tensor, mask in saved:
            _masking.set_mask(tensor, mask)


def nest_variable_paths(layer, sublayers) -> None:
    """Name the sublayers' weights `<layer>/<sublayer>/<weight>`, as Keras paths them."""
    for sublayer in sublayers:
        if sublayer is not None:
            for variable in sublayer.weights:
                variable.path = f"{layer.name}/{sublayer.name}/{variable.name}"


def letter(i: int) -> str:
    return string.ascii_lowercase[i]


def projection_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """`(equation, bias_axes, output rank)` of an EinsumDense that keeps `free_dims`
    leading axes, contracts `bound_dims` axes with the kernel and adds `output_dims`."""
    free = "".join(letter(i) for i in range(free_dims))
    bound = "".join(letter(free_dims + i) for i in range(bound_dims))
    new = "".join(letter(free_dims + bound_dims + i) for i in range(output_dims))
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank: int, attention_axes: tuple) -> tuple[str, str, int]:
    """Einsum equations of multi-head dot-product attention.

    Projected tensors have shape `(batch, <other axes>, <attention axes>,
    heads, channels)` and rank `rank`. Returns `(scores equation, combine
    equation, scores rank)`: the scores equation takes `(key, query)` and gives
    `(batch, <other axes>, heads, <query attention axes>, <key attention
    axes>)`; the combine equation takes `(scores, value)` and gives the
    query's layout.
    """
    query_letters = [letter(i) for i in range(rank)]
    key_letters = list(query_letters)
    next_letter = rank
    for axis in attention_axes:
        key_letters[axis] = letter(next_letter)
        next_letter += 1
    kept = [i for i in range(rank - 1) if i not in attention_axes]
    scores_letters = (
        [query_letters[i] for i in kept]
        + [query_letters[i] for i in attention_axes]
        + [key_letters[i] for i in attention_axes]
    )
    query_s, key_s, scores_s = (
        "".join(query_letters),
        "".join(key_letters),
        "".join(scores_letters),
    )
    return f"{key_s},{query_s}->{scores_s}", f"{scores_s},{key_s}->{query_s}", len(scores_s)
