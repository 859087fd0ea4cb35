"""Embedding: maps integer indices to dense vectors."""

from __future__ import annotations

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.layer import Layer


class Embedding(Layer):
    """Turns integer indices into dense vectors: `embeddings[inputs]`.

    Args:
        input_dim: the vocabulary size (largest index + 1).
        output_dim: the size of each vector.
        embeddings_initializer: initializer of the `(input_dim, output_dim)` matrix.
        embeddings_regularizer, embeddings_constraint: for the matrix.
        activity_regularizer: a regularizer applied to the output.
        mask_zero: whether index 0 is padding. The output then carries a
            `(batch, timesteps)` mask (`compute_mask`): recurrent layers skip
            the padded steps, and losses and metrics leave them out.

    Example:
        >>> layer = lamina.layers.Embedding(input_dim=10, output_dim=4)
        >>> layer(np.array([[1, 2, 3]])).shape
        (1, 3, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero: bool = False,
        weights=None,
        lora_rank=None,
        **kwargs,
    ):
        if kwargs.pop("quantization_config", None) is not None or lora_rank:
            raise NotImplementedError(
                "Embedding: quantization and LoRA are not supported by lamina."
            )
        kwargs.pop("lora_alpha", None)
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Embedding: {arg} must be a positive integer; got {arg}={value!r}."
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs):
        if "int" not in ops.dtype(inputs):
            inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings.value, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape) -> tuple:
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero,
            }
        )
        return config
