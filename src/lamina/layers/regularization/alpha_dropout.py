"""AlphaDropout: dropout that keeps the mean and variance of SELU activations."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers._shapes import static_shape
from lamina.layers.layer import Layer
from lamina.layers.regularization.dropout import check_rate

# The constants of the SELU activation (Klambauer et al., 2017).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for self-normalizing networks: while training, each input is set
    with probability `rate` to SELU's negative saturation value
    `-alpha * scale`, then the result is transformed affinely so that inputs
    of zero mean and unit variance keep that mean and variance. Identity at
    inference.

    Args:
        rate: the fraction of inputs to drop, in [0, 1].
        noise_shape: the shape of the mask, broadcast against the input; None
            entries take the input's size.
        seed: an int for reproducible masks.

    Example:
        >>> layer = lamina.layers.AlphaDropout(0.2, seed=0)
        >>> layer(np.random.randn(4, 8), training=True).shape
        (4, 8)
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate("AlphaDropout", rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        if self.rate > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def _mask_shape(self, inputs):
        shape = static_shape(inputs)
        dynamic = ops.shape(inputs)
        sizes = tuple(s if s is not None else dynamic[i] for i, s in enumerate(shape))
        if self.noise_shape is None:
            return sizes
        if len(self.noise_shape) != len(shape):
            raise ValueError(
                f"AlphaDropout {self.name!r}: noise_shape {self.noise_shape} has "
                f"{len(self.noise_shape)} axes, but the input has shape {shape}."
            )
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, sizes, strict=True))

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        dtype = ops.dtype(inputs)
        saturation = -_SELU_ALPHA * _SELU_SCALE
        draw = random.uniform(self._mask_shape(inputs), seed=self.seed_generator)
        kept = ops.cast(ops.greater_equal(draw, self.rate), dtype)
        # a and b restore zero mean and unit variance after the replacement.
        a = ((1 - self.rate) * (1 + self.rate * saturation**2)) ** -0.5
        b = -a * saturation * self.rate
        dropped = ops.add(
            ops.multiply(inputs, kept), ops.multiply(saturation, ops.subtract(1, kept))
        )
        return ops.add(ops.multiply(dropped, a), b)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
