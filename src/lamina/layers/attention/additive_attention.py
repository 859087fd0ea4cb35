"""AdditiveAttention: Bahdanau-style attention, scores from `tanh(query + key)`."""

from __future__ import annotations

from lamina import ops
from lamina.layers.attention.attention import Attention

__all__ = ["AdditiveAttention"]


class AdditiveAttention(Attention):
    """Additive attention: the scores are `sum(scale * tanh(query + key), axis=-1)`.

    Called like `Attention`, on `[query, value]` or `[query, value, key]` of
    shapes `(batch, Tq, dim)`, `(batch, Tv, dim)` and `(batch, Tv, dim)`; the
    output has shape `(batch, Tq, dim)`.

    Args:
        use_scale: whether to learn a `scale` vector of shape `(dim,)` that
            weights the features of `tanh(query + key)`.
        dropout: the fraction of attention weights dropped while training.
        seed: an int for reproducible dropout.

    Call arguments:
        As `Attention`: inputs, mask, training, return_attention_scores,
        use_causal_mask.

    Example:
        >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 4))
        >>> lamina.layers.AdditiveAttention()([query, value]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._check_inputs(input_shape, shapes=True)
        dim = tuple(input_shape[0])[-1]
        if self.use_scale:
            if dim is None:
                raise ValueError(
                    f"AdditiveAttention {self.name!r} needs a known query dimension for its "
                    f"scale; got query shape {tuple(input_shape[0])}."
                )
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")
        self.built = True

    def _scores(self, query, key):
        pairs = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            pairs = ops.multiply(self.scale.value, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
