"""MultiHeadAttention: scaled dot-product attention over several learned projections."""

from __future__ import annotations

import math

from lamina import constraints, initializers, ops, random, regularizers
from lamina.backend._spec import TensorSpec
from lamina.layers._shapes import static_shape
from lamina.layers.attention import _common
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.layer import Layer

__all__ = ["MultiHeadAttention"]


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _same_steps(value_shape: tuple, key_shape: tuple) -> bool:
    """Whether value and key agree on every axis but the last (None matches any size)."""
    return len(value_shape) == len(key_shape) and all(
        v is None or k is None or v == k for v, k in zip(value_shape[1:-1], key_shape[1:-1])
    )


class MultiHeadAttention(Layer):
    """Multi-head attention, as in "Attention Is All You Need" (Vaswani et al., 2017).

    The query, key and value are each projected into `num_heads` heads
    (`EinsumDense` sublayers `query_dense`, `key_dense`, `value_dense`); each
    head computes `softmax(q k^T / sqrt(key_dim)) v`; the heads are then
    projected back together (`output_dense`). With `query`, `value` and `key`
    the same tensor this is self-attention.

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each head of the query and key projections.
        value_dim: the size of each head of the value projection (default
            `key_dim`).
        dropout: the fraction of attention weights dropped while training.
        use_bias: whether the projections have biases.
        output_shape: the shape of each output step (an int or a tuple);
            default the query's last dimension.
        attention_axes: the axes attention runs over (an int or a tuple);
            default every axis but the batch and the features.
        sliding_window: an int `w` lets a query step see only key steps
            within `w - 1` of it; None for all steps.
        flash_attention: accepted for compatibility; lamina computes the
            same attention explicitly.
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer: regularizers of the projections.
        activity_regularizer: a regularizer of the projections' outputs.
        kernel_constraint, bias_constraint: constraints of the projections.
        use_gate: whether a sigmoid projection of the query (`_gate_dense`)
            gates the heads before the output projection.
        seed: an int for reproducible dropout.

    Call arguments:
        query: `(batch, T, dim)`, or more axes with `attention_axes`.
        value: `(batch, S, dim)`.
        key: `(batch, S, dim)`; default `value`.
        query_mask, value_mask, key_mask: boolean `(batch, T)` / `(batch, S)`
            masks; by default the masks the tensors carry (from
            `Embedding(mask_zero=True)` or `Masking`).
        attention_mask: boolean, broadcastable to `(batch, T, S)`: which query
            steps may see which key steps.
        return_attention_scores: also return the attention weights, shape
            `(batch, num_heads, T, S)`.
        training: whether dropout applies.
        use_causal_mask: whether query step i sees only key steps j <= i.

    Example:
        >>> layer = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> query, value = np.ones((2, 3, 8)), np.ones((2, 5, 6))
        >>> layer(query, value).shape
        (2, 3, 8)
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int | None = None,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape=None,
        attention_axes=None,
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
        if not _positive_int(num_heads):
            raise ValueError(
                f"{cls}: num_heads must be a positive int; got num_heads={num_heads!r}."
            )
        if key_dim is None:
            raise ValueError(
                f"{cls}: key_dim is required: the size of each attention head of the query "
                f"and key, e.g. {cls}(num_heads={num_heads}, key_dim=64)."
            )
        if not _positive_int(key_dim):
            raise ValueError(f"{cls}: key_dim must be a positive int; got key_dim={key_dim!r}.")
        if value_dim is not None and not _positive_int(value_dim):
            raise ValueError(
                f"{cls}: value_dim must be a positive int or None (for key_dim); got "
                f"value_dim={value_dim!r}."
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
        if output_shape:
            if _positive_int(output_shape):
                output_shape = (output_shape,)
            if not isinstance(output_shape, (list, tuple)) or not all(
                _positive_int(d) for d in output_shape
            ):
                raise ValueError(
                    f"{cls}: output_shape must be a positive int or a tuple of them; got "
                    f"output_shape={output_shape!r}."
                )
            output_shape = tuple(output_shape)
        else:
            output_shape = None
        if isinstance(attention_axes, int) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)) or not all(
                isinstance(a, int) and not isinstance(a, bool) for a in attention_axes
            ):
                raise ValueError(
                    f"{cls}: attention_axes must be an int, a tuple of ints or None; got "
                    f"attention_axes={attention_axes!r}."
                )
            attention_axes = tuple(attention_axes)
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        self._output_shape = output_shape
        self._attention_axes = attention_axes
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        # Applied by the projections, to their outputs, not to the layer's output.
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        if dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.query_dense = None
        self.key_dense = None
        self.value_dense = None
        self._gate_dense = None
        self.output_dense = None
        self._built_shapes = None

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------ build
    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projections for these input shapes.

        lamina's first call builds with the query's shape alone; then the
        layer waits for its call, where every input's shape is known.
        """
        if value_shape is None:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        query_rank = len(query_shape)
        self.query_dense = self._projection(query_rank, self._key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(len(key_shape), self._key_dim, "key")
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(
                query_rank, self._value_dim, "gate", activation="sigmoid"
            )
            self._gate_dense.build(query_shape)
        self.value_dense = self._projection(len(value_shape), self._value_dim, "value")
        self.value_dense.build(value_shape)
        self._prepare_attention(len(value_shape) + 1)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, output_rank = _common.projection_equation(
            query_rank - 1, 2, len(output_shape)
        )
        self.output_dense = EinsumDense(
            equation,
            output_shape=[None] * (output_rank - 1 - len(output_shape)) + list(output_shape),
            bias_axes=bias_axes if self._use_bias else None,
            name="attention_output",
            **self._sublayer_arguments(),
        )
        heads_shape = self.query_dense.compute_output_shape(query_shape)
        self.output_dense.build((*heads_shape[:-1], self._value_dim))
        self._built_shapes = (query_shape, value_shape, key_shape)
        _common.nest_variable_paths(
            self,
            (
                self.query_dense,
                self.key_dense,
                self._gate_dense,
                self.value_dense,
                self.output_dense,
            ),
        )
        self.built = True

    def _projection(self, rank: int, head_size: int, name: str, activation=None) -> EinsumDense:
        equation, bias_axes, output_rank = _common.projection_equation(rank - 1, 1, 2)
        return EinsumDense(
            equation,
            output_shape=[None] * (output_rank - 3) + [self._num_heads, head_size],
            bias_axes=bias_axes if self._use_bias else None,
            activation=activation,
            name=name,
            **self._sublayer_arguments(),
        )

    def _sublayer_arguments(self) -> dict:
        # Each projection gets its own initializer objects.
        kernel_init, bias_init = self._kernel_initializer, self._bias_initializer
        return {
            "kernel_initializer": type(kernel_init).from_config(kernel_init.get_config()),
            "bias_initializer": type(bias_init).from_config(bias_init.get_config()),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype,
        }

    def _prepare_attention(self, rank: int) -> None:
        """Attention axes and equations for projected tensors of rank `rank`."""
        if self._attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else rank - 1 + a for a in self._attention_axes)
            bad = [a for a, n in zip(self._attention_axes, axes) if not 1 <= n <= rank - 3]
            if bad:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: attention_axes="
                    f"{self._attention_axes} names {bad}, not an axis of the query's steps. For "
                    f"inputs of rank {rank - 1} choose among {tuple(range(1, rank - 2))} (or "
                    f"{tuple(range(-(rank - 3) - 1, -1))} counted from the end)."
                )
        self._attention_axes = axes
        self._dot_product_equation, self._combine_equation, scores_rank = (
            _common.attention_equations(rank, axes)
        )
        self._softmax_axes = tuple(range(scores_rank - len(axes), scores_rank))

    def _check_shapes(self, query_shape, value_shape, key_shape) -> None:
        name = f"{type(self).__name__} {self.name!r}"
        if len(query_shape) < 3 or len(value_shape) < 3:
            raise ValueError(
                f"{name}: query and value need shape (batch, steps, dim); got query shape "
                f"{query_shape} and value shape {value_shape}."
            )
        if len(query_shape) != len(value_shape):
            raise ValueError(
                f"{name}: query and value must have the same rank; got query shape "
                f"{query_shape} and value shape {value_shape}."
            )
        if not _same_steps(value_shape, key_shape):
            raise ValueError(
                f"{name}: value and key must have the same shape but for the last axis; got "
                f"value shape {value_shape} and key shape {key_shape}."
            )
        if self._built_shapes is None:
            return
        for what, shape, built in zip(
            ("query", "value", "key"), (query_shape, value_shape, key_shape), self._built_shapes
        ):
            if len(shape) != len(built) or (
                shape[-1] is not None and built[-1] is not None and shape[-1] != built[-1]
            ):
                raise ValueError(
                    f"{name} was built for a {what} of shape {built} (None = any size), but got "
                    f"a {what} of shape {shape}. Give a {what} of rank {len(built)} whose last "
                    f"dimension is {built[-1]}, or use a new layer for this shape."
                )

    def _ensure_built(self, query_shape, value_shape, key_shape) -> None:
        if self.query_dense is None:
            self.build(query_shape, value_shape, key_shape)
        else:
            key_shape = value_shape if key_shape is None else key_shape
            self._check_shapes(tuple(query_shape), tuple(value_shape), tuple(key_shape))

    # ------------------------------------------------------------------ call
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
        key_shape = None
        if key is not None:
            key = self._convert_input(key)
            key_shape = static_shape(key)
        self._ensure_built(static_shape(query), static_shape(value), key_shape)
        if key is None:
            key = value
        _common.check_attention_mask(self, attention_mask, query, value)
        mask = _common.combined_attention_mask(
            query,
            value,
            query_mask=query_mask,
            value_mask=value_mask,
            key_mask=key_mask,
            attention_mask=attention_mask,
            use_causal_mask=use_causal_mask,
            sliding_window=self._sliding_window,
        )
        with _common.masks_set_aside(query, value, key):
            gate = self._gate_dense(query) if self._gate_dense is not None else None
            query_heads = self.query_dense(query)
            key_heads = self.key_dense(key)
            value_heads = self.value_dense(value)
            outputs, scores = self._compute_attention(
                query_heads, key_heads, value_heads, mask, training
            )
            if gate is not None:
                outputs = ops.multiply(outputs, gate)
            outputs = self.output_dense(outputs)
        if return_attention_scores:
            return outputs, scores
        return outputs

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        """Attention of projected `(batch, T, heads, key_dim)` tensors: `(outputs, scores)`."""
        query = ops.multiply(query, ops.cast(1.0 / math.sqrt(self._key_dim), ops.dtype(query)))
        scores = ops.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        weights = scores
        if training and self._dropout > 0:
            weights = random.dropout(scores, self._dropout, seed=self.seed_generator)
        return ops.einsum(self._combine_equation, weights, value), scores

    def _masked_softmax(self, scores, attention_mask=None):
        if attention_mask is not None:
            # The mask is (batch, T, S)-like: axes for the heads (and other
            # batch-like axes) go in front of the attention axes.
            attention_mask = _common.expand_mask_for_heads(
                attention_mask, len(ops.shape(scores)), -2 * len(self._attention_axes) - 1
            )
        return _common.masked_softmax(self, scores, attention_mask, self._softmax_axes)

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None) -> tuple:
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key = value_shape if key_shape is None else tuple(key_shape)
            if not _same_steps(value_shape, key):
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: value and key must have the same "
                    f"shape but for the last axis; got value shape {value_shape} and key shape "
                    f"{key}."
                )
        if self._output_shape:
            return (*query_shape[:-1], *self._output_shape)
        return query_shape

    def compute_output_spec(
        self, query, value, key=None, return_attention_scores: bool = False, **kwargs
    ):
        query_shape, value_shape = tuple(query.shape), tuple(value.shape)
        key_shape = None if key is None else tuple(key.shape)
        self._ensure_built(query_shape, value_shape, key_shape)
        outputs = TensorSpec(
            self.compute_output_shape(query_shape, value_shape, key_shape), self.compute_dtype
        )
        if not return_attention_scores:
            return outputs
        key_shape = value_shape if key_shape is None else key_shape
        axes = self._attention_axes
        kept = [query_shape[i] for i in range(len(query_shape) - 1) if i not in axes]
        scores_shape = (
            *kept,
            self._num_heads,
            *(query_shape[a] for a in axes),
            *(key_shape[a] for a in axes),
        )
        return outputs, TensorSpec(scores_shape, self.compute_dtype)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "dropout": self._dropout,
                "use_bias": self._use_bias,
                "use_gate": self._use_gate,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "sliding_window": self._sliding_window,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self._bias_regularizer),
                "activity_regularizer": regularizers.serialize(self._activity_regularizer),
                "kernel_constraint": constraints.serialize(self._kernel_constraint),
                "bias_constraint": constraints.serialize(self._bias_constraint),
                "seed": self.seed,
            }
        )
        return config
