"""Normalization: `(x - mean) / sqrt(variance)`, with the statistics given or adapted to data."""

from __future__ import annotations

import math

import numpy as np

from lamina import config as _config
from lamina import ops
from lamina.layers.layer import Layer


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance, per feature.

    Give `mean` and `variance`, or call `adapt(data)` before training: it
    computes them over the data (an array, a PyDataset, or an iterable of
    batches), one value per position along `axis`.

    Args:
        axis: the axis (or axes) kept: each index along it gets its own mean
            and variance (default -1, per feature). None: one mean and one
            variance over everything.
        mean: the mean to use instead of adapting (with `variance`).
        variance: the variance to use instead of adapting (with `mean`).
        invert: map normalized values back: `x * sqrt(variance) + mean`.

    The adapted statistics are the weights `mean`, `variance` and `count`
    (as Keras stores them), so they are saved with the model.

    Example:
        >>> layer = lamina.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
        >>> layer(np.array([[1.0, 20.0]]))
        array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization needs both mean and variance, or neither (then call adapt()); "
                f"got mean={mean!r} and variance={variance!r}."
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"Normalization's mean and variance must have one shape; got mean of shape "
                    f"{np.shape(mean)} and variance of shape {np.shape(variance)}."
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"Normalization's mean has rank {len(np.shape(mean))}, more than the "
                    f"{len(self.axis)} kept axes {self.axis}: give one value per position "
                    "along axis, or a scalar."
                )

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization's axis {self.axis} is out of range for inputs of shape "
                f"{input_shape} (rank {ndim})."
            )
        self._build_input_shape = input_shape
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(
                    f"Normalization keeps axis {a} of inputs of shape {input_shape}, whose "
                    "size is unknown; it needs one mean per position. Give the input that "
                    "size, or pick another axis."
                )
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(
            input_shape[a] if a in self._keep_axis else 1 for a in range(ndim)
        )
        shape = tuple(input_shape[a] for a in self._keep_axis)
        self._mean_and_var_shape = shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
            )
        else:
            self._given = tuple(
                self._broadcast_given(np.asarray(v, dtype="float32"))
                for v in (self.input_mean, self.input_variance)
            )
        self.built = True

    def _broadcast_given(self, value: np.ndarray) -> np.ndarray:
        if value.ndim:
            expanded = [1] * len(self._broadcast_shape)
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return np.broadcast_to(value, self._broadcast_shape).copy()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data) -> None:
        """Compute the mean and variance over `data`: an array, a PyDataset, or
        an iterable of batches (of arrays, or of `(x, ...)` tuples)."""
        from lamina.training.data_adapter import IterableBatches, to_array

        if hasattr(data, "shape"):
            batches = [to_array(data, "adapt data")]
        elif hasattr(data, "__iter__"):
            batches = (x for x, _, _ in IterableBatches(data).epoch())
        else:
            raise TypeError(
                f"Normalization.adapt takes an array, a PyDataset or an iterable of batches; "
                f"got {type(data).__name__}."
            )
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            batch = batch.astype("float64")
            if not self.built:
                self.build((None, *batch.shape[1:]))
            self._check_adapt_shape(batch.shape)
            count = (
                math.prod(batch.shape[a] for a in self._reduce_axis) if self._reduce_axis else 1
            )
            if count == 0:
                continue
            mean = batch.mean(axis=self._reduce_axis)
            var = batch.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            weight = count / (total_count + count)
            new_mean = total_mean * (1 - weight) + mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + (
                var + (mean - new_mean) ** 2
            ) * weight
            total_mean, total_count = new_mean, total_count + count
        if total_mean is None:
            raise ValueError("Normalization.adapt got no data: the input holds no samples.")
        if self.input_mean is not None:
            raise ValueError(
                "This Normalization layer was given its mean and variance; adapt() would "
                "ignore the data. Build it without mean and variance to adapt it."
            )
        self.adapt_mean.assign(total_mean.astype("float32"))
        self.adapt_variance.assign(total_var.astype("float32"))

    def _check_adapt_shape(self, shape) -> None:
        if len(shape) != len(self._build_input_shape) or any(
            shape[a] != self._build_input_shape[a] for a in self._keep_axis
        ):
            raise ValueError(
                f"Normalization was built for inputs of shape {self._build_input_shape}, but "
                f"adapt() got data of shape {tuple(shape)}."
            )

    # ------------------------------------------------------------------ calling
    def _statistics(self):
        if self.input_mean is not None:
            mean, variance = self._given
            return ops.convert_to_tensor(mean), ops.convert_to_tensor(variance)
        return (
            ops.reshape(self.adapt_mean.value, self._broadcast_shape),
            ops.reshape(self.adapt_variance.value, self._broadcast_shape),
        )

    @property
    def mean(self):
        """The mean in use, broadcast to the input's rank (None before the layer is built)."""
        return self._statistics()[0] if self.built else None

    @property
    def variance(self):
        """The variance in use, broadcast to the input's rank (None before the layer is built)."""
        return self._statistics()[1] if self.built else None

    def call(self, inputs):
        dtype = self.compute_dtype
        inputs = ops.cast(inputs, dtype)
        mean, variance = (ops.cast(v, dtype) for v in self._statistics())
        scale = ops.maximum(ops.sqrt(variance), ops.cast(_config.epsilon(), dtype))
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": None if self.input_mean is None else np.array(self.input_mean).tolist(),
                "variance": (
                    None if self.input_variance is None else np.array(self.input_variance).tolist()
                ),
            }
        )
        return config
