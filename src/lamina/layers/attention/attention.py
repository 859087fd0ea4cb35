"""Attention: dot-product (Luong-style) attention of a query over a value sequence."""

from __future__ import annotations

from lamina import ops, random
from lamina.backend._spec import TensorSpec
from lamina.layers._shapes import static_shape
from lamina.layers.attention import _common
from lamina.layers.layer import Layer

__all__ = ["Attention"]

_SCORE_MODES = ("dot", "concat")


class Attention(Layer):
    """Dot-product attention: each query step takes a softmax-weighted sum of the values.

    Called on `[query, value]` or `[query, value, key]` (the key defaults to
    the value), of shapes `(batch, Tq, dim)`, `(batch, Tv, dim)` and
    `(batch, Tv, dim)`. The scores are `query @ key^T` ("dot") or
    `sum(tanh(query + key))` ("concat"), shape `(batch, Tq, Tv)`; the output
    is `softmax(scores) @ value`, shape `(batch, Tq, dim)`.

    Args:
        use_scale: whether to learn a scalar `scale` that multiplies the scores.
        score_mode: "dot" or "concat".
        dropout: the fraction of attention weights dropped while training.
        seed: an int for reproducible dropout.

    Call arguments:
        inputs: a list `[query, value]` or `[query, value, key]`.
        mask: a list `[query_mask, value_mask]` of boolean `(batch, Tq)` and
            `(batch, Tv)` tensors, by default the masks the inputs carry. Masked
            values take no part; masked query steps give zeros.
        training: whether dropout applies.
        return_attention_scores: also return the attention weights (after
            masking and softmax), shape `(batch, Tq, Tv)`.
        use_causal_mask: whether query step i sees only value steps j <= i.

    Example:
        >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> lamina.layers.Attention()([query, value]).shape
        (2, 3, 4)
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"{type(self).__name__}: score_mode must be one of {_SCORE_MODES}; got "
                f"score_mode={score_mode!r}."
            )
        if (
            not isinstance(dropout, (int, float))
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{type(self).__name__}: dropout must be a number in [0, 1]; got dropout={dropout!r}."
            )
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.scale = None
        self.concat_score_weight = None
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._check_inputs(input_shape, shapes=True)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )
        self.built = True

    def _scores(self, query, key):
        """Attention scores of shape `(batch, Tq, Tv)`."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.moveaxis(key, -1, -2))
            if self.scale is not None:
                scores = ops.multiply(scores, self.scale.value)
            return scores
        pairs = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = ops.multiply(self.scale.value, pairs)
        return ops.multiply(self.concat_score_weight.value, ops.sum(ops.tanh(pairs), axis=-1))

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ):
        self._check_inputs(inputs)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = self._split_mask(mask)
        scores = self._scores(query, key)
        keep = None
        if value_mask is not None:
            keep = ops.expand_dims(_common.as_bool(value_mask), -2)
        if use_causal_mask:
            causal = _common.causal_mask(
                _common.sequence_length(scores, -2), _common.sequence_length(scores, -1)
            )
            keep = causal if keep is None else ops.logical_and(keep, causal)
        if keep is not None:
            # Masked scores are pushed far down rather than replaced, as Keras does:
            # a fully masked row then still gets a softmax over its own scores.
            offset = 65504.0 if ops.dtype(scores) == "float16" else 1.0e9
            scores = ops.where(
                keep, scores, ops.subtract(scores, ops.cast(offset, ops.dtype(scores)))
            )
        weights = ops.softmax(scores, axis=-1)
        applied = weights
        if training and self.dropout > 0:
            applied = random.dropout(weights, self.dropout, seed=self.seed_generator)
        outputs = ops.matmul(applied, value)
        if query_mask is not None:
            query_keep = ops.expand_dims(_common.as_bool(query_mask), -1)
            outputs = ops.where(query_keep, outputs, ops.zeros((), dtype=ops.dtype(outputs)))
        if return_attention_scores:
            return outputs, weights
        return outputs

    def _split_mask(self, mask):
        if mask is None:
            return None, None
        if not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: mask must be a list [query_mask, "
                f"value_mask]; got {mask!r}. Pass one boolean tensor per input, None where "
                "there is no mask."
            )
        return mask[0], mask[1]

    def _check_inputs(self, inputs, shapes: bool = False) -> None:
        name = f"{type(self).__name__} {self.name!r}"
        # In build the inputs are shapes: a single shape is a tuple of sizes.
        is_list = isinstance(inputs, (list, tuple)) and not (
            shapes and any(d is None or isinstance(d, int) for d in inputs)
        )
        if not is_list or not 2 <= len(inputs) <= 3:
            got = f"a list of {len(inputs)}" if is_list else "a single tensor"
            raise ValueError(
                f"{name} must be called on a list [query, value] or [query, value, key]; got "
                f"{got}. Wrap the tensors in a list."
            )
        found = [tuple(x) if shapes else static_shape(x) for x in inputs]
        query, value = found[0], found[1]
        key = found[2] if len(found) > 2 else value
        if any(len(s) < 2 for s in (query, value, key)):
            raise ValueError(
                f"{name}: query, value and key need shape (batch, steps, dim); got shapes "
                f"{query}, {value} and {key}."
            )
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(
                f"{name}: the query's last dimension ({query[-1]}, shape {query}) must equal "
                f"the key's ({key[-1]}, shape {key}) to compare them. Project one of them "
                "(e.g. with a Dense layer) to the other's size."
            )
        if value[-2] is not None and key[-2] is not None and value[-2] != key[-2]:
            raise ValueError(
                f"{name}: value and key must have the same number of steps; got value shape "
                f"{value} and key shape {key}."
            )

    def compute_mask(self, inputs, mask=None):
        query_mask, _ = self._split_mask(mask)
        return None if query_mask is None else ops.convert_to_tensor(query_mask)

    def compute_output_shape(self, input_shape) -> tuple:
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs, return_attention_scores: bool = False, **kwargs):
        self._check_inputs([x.shape for x in inputs], shapes=True)
        query, value = tuple(inputs[0].shape), tuple(inputs[1].shape)
        key = tuple(inputs[2].shape) if len(inputs) > 2 else value
        outputs = TensorSpec(self.compute_output_shape([query, value]), self.compute_dtype)
        if return_attention_scores:
            return outputs, TensorSpec((*query[:-1], key[-2]), self.compute_dtype)
        return outputs

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "use_scale": self.use_scale,
                "score_mode": self.score_mode,
                "dropout": self.dropout,
                "seed": self.seed,
            }
        )
        return config
