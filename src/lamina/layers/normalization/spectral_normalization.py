"""SpectralNormalization: divides a layer's kernel by its largest singular value."""

from __future__ import annotations

from lamina import initializers, ops
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputSpec


class SpectralNormalization(Wrapper):
    """Keeps the spectral norm of a layer's kernel at 1 (Miyato et al., 2018).

    The kernel, seen as a matrix `(-1, kernel.shape[-1])`, is divided by an
    estimate of its largest singular value `sigma`, found by
    `power_iterations` steps of power iteration from the persistent vector
    `vector_u` (a non-trainable weight of shape `(1, kernel.shape[-1])`).

    In a training call (`training=True`, as in `fit`) the estimate is updated:
    `vector_u` takes its new value and the wrapped layer's kernel is replaced
    by `kernel / sigma` before the layer runs (left alone when the kernel is
    all zeros). Inside `fit` the replaced kernel is used for that step's
    forward pass and its gradient flows through the division to the kernel
    the optimizer updates, as Keras 3 does on JAX. An inference call
    (`training=False`, the default) only runs the wrapped layer.

    The wrapper holds the layer's kernel as its own `kernel` weight as well,
    so its saved weights are `vars/0` the kernel and `vars/1` `vector_u`,
    then the layer's under `layer/`, as in Keras 3 files.

    Args:
        layer: the layer to wrap: one with a `kernel` weight (`Dense`,
            `Conv2D`, ...) or an `embeddings` weight (`Embedding`).
        power_iterations: the power-iteration steps per training call, >= 1.
        **kwargs: base layer arguments (`name`, `trainable`, `dtype`).

    Example:
        >>> layer = lamina.layers.SpectralNormalization(lamina.layers.Dense(4))
        >>> y = layer(np.ones((2, 3), "float32"), training=True)  # kernel / estimated sigma
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(
                "`power_iterations` must be an integer >= 1 (power-iteration steps per "
                f"training call); got power_iterations={power_iterations!r}."
            )
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"SpectralNormalization normalizes a layer's `kernel` or `embeddings` weight, "
                f"but the wrapped {type(self.layer).__name__} layer {self.layer.name!r} has "
                "neither. Wrap a layer such as Dense, Conv2D or Embedding."
            )
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=self.kernel.dtype,
        )

    def call(self, inputs, training=False):
        if training:
            new_vector_u, new_kernel = self.normalized_weights()
            self.vector_u.assign(new_vector_u)
            self.kernel.assign(new_kernel)
        outputs = self.layer(inputs)
        return ops.cast(outputs, ops.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def normalized_weights(self):
        """The new `(vector_u, kernel / sigma)` from power iteration on the current kernel.

        An all-zero kernel has no direction to find: both come back unchanged.
        """
        kernel = self.kernel.value
        matrix = ops.reshape(kernel, (-1, self.kernel_shape[-1]))
        old_vector_u = self.vector_u.value
        vector_u, vector_v = old_vector_u, None
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(matrix)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, matrix), axis=None)
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, matrix), ops.transpose(vector_u))
        # A select rather than `cond` (Keras's): gradients stay finite on every
        # engine, and dividing an all-zero kernel by 1 leaves it as it is.
        all_zero = ops.all(ops.equal(kernel, 0))
        sigma = ops.where(all_zero, ops.ones_like(sigma), sigma)
        vector_u = ops.where(all_zero, old_vector_u, vector_u)
        normalized = ops.reshape(ops.divide(kernel, sigma), self.kernel_shape)
        return ops.cast(vector_u, self.vector_u.dtype), ops.cast(normalized, self.kernel.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
