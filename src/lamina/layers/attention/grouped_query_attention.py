"""GroupedQueryAttention: multi-head attention whose key/value heads serve groups of query heads."""

from __future__ import annotations

import math

from lamina import constraints, initializers, ops, random, regularizers
from lamina.backend._spec import TensorSpec
from lamina.layers._shapes import static_shape
from lamina.layers.attention import _common
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.layer import Layer

__all__ = ["GroupQueryAttention", "GroupedQueryAttention"]


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class GroupedQueryAttention(Layer):
    """Grouped-query attention (Ainslie et al., 2023).

    Like `MultiHeadAttention`, but with fewer key and value heads than query
    heads: each key/value head serves `num_query_heads // num_key_value_heads`
    query heads. With as many key/value heads as query heads this is
    multi-head attention; with one it is multi-query attention. Inputs are
    `(batch, steps, dim)`; the output has the query's shape.

    Args:
        head_dim: the size of each head.
        num_query_heads: the number of query heads.
        num_key_value_heads: the number of key and value heads; it must divide
            `num_query_heads`.
        dropout: the fraction of attention weights dropped while training.
        use_bias: whether the projections have biases.
        sliding_window: an int `w` lets a query step see only key steps
            within `w - 1` of it; None for all steps.
        flash_attention: accepted for compatibility; lamina computes the
            same attention explicitly.
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer: regularizers of the projections.
        activity_regularizer: a regularizer of the projections' and the
            layer's outputs.
        kernel_constraint, bias_constraint: constraints of the projections.
        use_gate: whether a sigmoid projection of the query gates the heads
            before the output projection.
        seed: an int for reproducible dropout.

    Call arguments:
        query: `(batch, T, dim)`.
        value: `(batch, S, dim)`.
        key: `(batch, S, dim)`; default `value`.
        query_mask, value_mask, key_mask: boolean `(batch, T)` / `(batch, S)`
            masks; by default the masks the tensors carry.
        attention_mask: boolean, broadcastable to `(batch, T, S)`.
        return_attention_scores: also return the attention weights, shape
            `(batch, num_query_heads, T, S)`.
        training: whether dropout applies.
        use_causal_mask: whether query step i sees only key steps j <= i.

    Example:
        >>> layer = lamina.layers.GroupQueryAttention(
        ...     head_dim=4, num_query_heads=4, num_key_value_heads=2)
        >>> x = np.ones((2, 3, 8))
        >>> layer(x, x).shape
        (2, 3, 8)
    """

    # Keras exports this class as GroupQueryAttention; its weights paths use the
    # class's own name, grouped_query_attention.
    _serialized_class_name = "GroupQueryAttention"

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        cls = type(self).__name__
        for name, value in (
            ("head_dim", head_dim),
            ("num_query_heads", num_query_heads),
            ("num_key_value_heads", num_key_value_heads),
        ):
            if not _positive_int(value):
                raise ValueError(f"{cls}: {name} must be a positive int; got {name}={value!r}.")
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                f"{cls}: num_query_heads must be a multiple of num_key_value_heads; got "
                f"num_query_heads={num_query_heads} and num_key_value_heads="
                f"{num_key_value_heads}. Choose num_key_value_heads among the divisors of "
                f"{num_query_heads}."
            )
        if (
            not isinstance(dropout, (int, float))
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{cls}: dropout must be a number in [0, 1]; got dropout={dropout!r}."
            )
        if sliding_window is not None and not _positive_int(sliding_window):
            raise ValueError(
                f"{cls}: sliding_window must be a positive int or None; got "
                f"sliding_window={sliding_window!r}."
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = bool(use_bias)
        self.use_gate = bool(use_gate)
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        if dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self._query_dense = None
        self._key_dense = None
        self._value_dense = None
        self._gate_dense = None
        self._output_dense = None
        self._built_shapes = None

    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projections; lamina's first call builds when every input's shape is known."""
        if value_shape is None:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        q_bias, kv_bias = ("uh", "vh") if self.use_bias else (None, None)
        self._query_dense = self._projection(
            "bqm,muh->bquh", self.num_query_heads, q_bias, "query"
        )
        self._query_dense.build(query_shape)
        self._key_dense = self._projection(
            "bkm,mvh->bkvh", self.num_key_value_heads, kv_bias, "key"
        )
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._projection(
                "bqm,muh->bquh", self.num_query_heads, q_bias, "gate", activation="sigmoid"
            )
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection(
            "bkm,mvh->bkvh", self.num_key_value_heads, kv_bias, "value"
        )
        self._value_dense.build(value_shape)
        self._output_dense = EinsumDense(
            "bquh,uhm->bqm",
            output_shape=(None, self.feature_dim),
            bias_axes="m" if self.use_bias else None,
            name="attention_output",
            **self._sublayer_arguments(),
        )
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))
        self._built_shapes = (query_shape, value_shape, key_shape)
        _common.nest_variable_paths(
            self,
            (
                self._query_dense,
                self._key_dense,
                self._gate_dense,
                self._value_dense,
                self._output_dense,
            ),
        )
        self.built = True

    def _projection(self, equation, heads, bias_axes, name, activation=None) -> EinsumDense:
        return EinsumDense(
            equation,
            output_shape=(None, heads, self.head_dim),
            bias_axes=bias_axes,
            activation=activation,
            name=name,
            **self._sublayer_arguments(),
        )

    def _sublayer_arguments(self) -> dict:
        kernel_init, bias_init = self.kernel_initializer, self.bias_initializer
        return {
            "kernel_initializer": type(kernel_init).from_config(kernel_init.get_config()),
            "bias_initializer": type(bias_init).from_config(bias_init.get_config()),
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "activity_regularizer": self.activity_regularizer,
            "kernel_constraint": self.kernel_constraint,
            "bias_constraint": self.bias_constraint,
            "dtype": self.dtype,
        }

    def _check_shapes(self, query_shape, value_shape, key_shape) -> None:
        name = f"{type(self).__name__} {self.name!r}"
        shapes = {"query": query_shape, "value": value_shape, "key": key_shape}
        for what, shape in shapes.items():
            if len(shape) != 3:
                raise ValueError(
                    f"{name}: {what} must have shape (batch, steps, dim); got shape {shape}."
                )
        if (
            value_shape[1] is not None
            and key_shape[1] is not None
            and value_shape[1] != key_shape[1]
        ):
            raise ValueError(
                f"{name}: value and key must have the same number of steps; got value shape "
                f"{value_shape} and key shape {key_shape}."
            )
        if self._built_shapes is None:
            return
        for (what, shape), built in zip(shapes.items(), self._built_shapes):
            if shape[-1] is not None and built[-1] is not None and shape[-1] != built[-1]:
                raise ValueError(
                    f"{name} was built for a {what} of shape {built} (None = any size), but got "
                    f"a {what} of shape {shape}. Give a {what} whose last dimension is "
                    f"{built[-1]}, or use a new layer for this shape."
                )

    def _ensure_built(self, query_shape, value_shape, key_shape) -> None:
        key_shape = value_shape if key_shape is None else key_shape
        if self._query_dense is None:
            self.build(query_shape, value_shape, key_shape)
        else:
            self._check_shapes(tuple(query_shape), tuple(value_shape), tuple(key_shape))

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores: bool = False,
        training=None,
        use_causal_mask: bool = False,
    ):
        query_mask, value_mask, key_mask = _common.carried_masks(
            query, value, key, query_mask, value_mask, key_mask
        )
        query, value = self._convert_input(query), self._convert_input(value)
        key = value if key is None else self._convert_input(key)
        self._ensure_built(static_shape(query), static_shape(value), static_shape(key))
        _common.check_attention_mask(self, attention_mask, query, value)
        mask = _common.combined_attention_mask(
            query,
            value,
            query_mask=query_mask,
            value_mask=value_mask,
            key_mask=key_mask,
            attention_mask=attention_mask,
            use_causal_mask=use_causal_mask,
            sliding_window=self.sliding_window,
        )
        with _common.masks_set_aside(query, value, key):
            gate = self._gate_dense(query) if self._gate_dense is not None else None
            query_heads = self._query_dense(query)
            key_heads = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
            value_heads = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
            outputs, scores = self._compute_attention(
                query_heads, key_heads, value_heads, mask, training
            )
            if gate is not None:
                outputs = ops.multiply(outputs, gate)
            outputs = self._output_dense(outputs)
        if return_attention_scores:
            return outputs, scores
        return outputs

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        """Attention of `(batch, T, heads, head_dim)` tensors: `(outputs, scores)`."""
        query = ops.multiply(query, ops.cast(1.0 / math.sqrt(self.head_dim), ops.dtype(query)))
        scores = ops.einsum("bquh,bkuh->buqk", query, key)
        if attention_mask is not None:
            attention_mask = _common.expand_mask_for_heads(attention_mask, 4, -3)
        scores = _common.masked_softmax(self, scores, attention_mask, (-1,))
        weights = scores
        if training and self.dropout > 0:
            weights = random.dropout(scores, self.dropout, seed=self.seed_generator)
        return ops.einsum("buqk,bkuh->bquh", weights, value), scores

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None) -> tuple:
        return tuple(query_shape)

    def compute_output_spec(
        self, query, value, key=None, return_attention_scores: bool = False, **kwargs
    ):
        query_shape, value_shape = tuple(query.shape), tuple(value.shape)
        key_shape = value_shape if key is None else tuple(key.shape)
        self._ensure_built(query_shape, value_shape, key_shape)
        outputs = TensorSpec(query_shape, self.compute_dtype)
        if not return_attention_scores:
            return outputs
        scores_shape = (query_shape[0], self.num_query_heads, query_shape[1], key_shape[1])
        return outputs, TensorSpec(scores_shape, self.compute_dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed,
            }
        )
        return config


GroupQueryAttention = GroupedQueryAttention
