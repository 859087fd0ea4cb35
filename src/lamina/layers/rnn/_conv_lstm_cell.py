"""The convolutional LSTM cell behind ConvLSTM1D, ConvLSTM2D and ConvLSTM3D."""

from __future__ import annotations

import numpy as np

from lamina import activations, initializers, ops
from lamina import random as lamina_random
from lamina.config import standardize_data_format
from lamina.layers.convolutional._conv_utils import (
    standardize_padding,
    standardize_tuple,
    window_output_shape,
)
from lamina.layers.rnn._base_cell import BaseCell

_GATES = 4  # input, forget, cell, output


class ConvLSTMCell(BaseCell):
    """One step of a convolutional LSTM (Shi et al., 2015): the LSTM's matrix
    products are convolutions, so the states `[h, c]` are feature maps.

    Weights, as in Keras 3: `kernel` `(*kernel_size, input_channels, 4 * filters)`,
    `recurrent_kernel` `(*kernel_size, filters, 4 * filters)` and `bias`
    `(4 * filters,)`, gates in the order input, forget, cell, output. The input
    convolution uses `strides`, `padding` and `dilation_rate`; the recurrent
    one strides 1 and "same" padding, so the states keep the output's size.
    Dropout draws one mask per gate, as Keras does.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        layer = f"ConvLSTM{rank}D"
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{layer}: filters must be a positive int; got filters={filters!r}.")
        super().__init__(
            filters,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", layer)
        self.strides = standardize_tuple(strides, rank, "strides", layer)
        self.padding = standardize_padding(padding, layer)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", layer)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{layer}: strides > 1 cannot be combined with dilation_rate > 1; got "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of "
                "them to 1."
            )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [filters, filters]
        self.output_size = filters
        self.spatial_dims = self.input_dim = None

    # ------------------------------------------------------------------ shapes
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"ConvLSTM{self.rank}D: each time step must have rank {self.rank + 2} "
                f"(batch, {self.rank} spatial dims, channels); got step shape {input_shape}."
            )
        if self.data_format == "channels_last":
            spatial = input_shape[1:-1]
        else:
            spatial = input_shape[2:]
        channels = input_shape[self._channel_axis()]
        if None in spatial or channels is None:
            raise ValueError(
                f"ConvLSTM{self.rank}D needs known spatial and channel sizes; got step shape "
                f"{input_shape} ({self.data_format}). Give the Input its full shape."
            )
        self.spatial_dims, self.input_dim = tuple(spatial), int(channels)
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, self.input_dim, _GATES * self.filters),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, _GATES * self.filters),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base, filters = self.bias_initializer, self.filters

                def initializer(shape, dtype=None):
                    ones = initializers.get("ones")((filters,), dtype=dtype)
                    parts = [
                        base((filters,), dtype=dtype),
                        ones,
                        base((2 * filters,), dtype=dtype),
                    ]
                    return np.concatenate([np.asarray(p) for p in parts])

            self._add_bias((_GATES * self.filters,), initializer)
        self.built = True

    def compute_output_shape(self, input_shape) -> tuple:
        """The shape of `h` (and of `c`) for a step input of `input_shape`."""
        return window_output_shape(
            self,
            input_shape,
            self.rank,
            self.filters,
            self.kernel_size,
            self.strides,
            self.padding,
            self.data_format,
            self.dilation_rate,
        )

    def get_initial_state(self, batch_size=None) -> list:
        if self.data_format == "channels_last":
            step_shape = (None, *self.spatial_dims, self.input_dim)
        else:
            step_shape = (None, self.input_dim, *self.spatial_dims)
        shape = (batch_size, *self.compute_output_shape(step_shape)[1:])
        return [ops.zeros(shape, dtype=self.compute_dtype) for _ in range(2)]

    # ------------------------------------------------------------------ dropout
    def _draw_mask(self, like, rate: float):
        # One mask per gate, stacked on a new leading axis.
        ones = ops.ones_like(ops.stack([like] * _GATES))
        return lamina_random.dropout(ones, rate=rate, seed=self.seed_generator)

    def _per_gate(self, tensor, mask) -> list:
        if mask is None:
            return [tensor] * _GATES
        return [ops.multiply(tensor, mask[k]) for k in range(_GATES)]

    # ------------------------------------------------------------------ step
    def _conv(self, inputs: list, kernel, strides, padding, dilation):
        """The gates' convolutions: one convolution with all four kernels when
        the gates share their input, else one per gate."""
        kwargs = {
            "strides": strides,
            "padding": padding,
            "data_format": self.data_format,
            "dilation_rate": dilation,
        }
        if all(x is inputs[0] for x in inputs):
            return ops.split(
                ops.conv(inputs[0], kernel, **kwargs), _GATES, axis=self._channel_axis()
            )
        kernels = ops.split(kernel, _GATES, axis=-1)
        return [ops.conv(x, k, **kwargs) for x, k in zip(inputs, kernels, strict=True)]

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        dropout = training and 0.0 < self.dropout < 1.0
        recurrent = training and 0.0 < self.recurrent_dropout < 1.0
        x_gates = self._per_gate(inputs, self.get_dropout_mask(inputs) if dropout else None)
        h_gates = self._per_gate(
            h_tm1, self.get_recurrent_dropout_mask(h_tm1) if recurrent else None
        )
        x = self._conv(x_gates, self.kernel.value, self.strides, self.padding, self.dilation_rate)
        ones = (1,) * self.rank
        h = self._conv(h_gates, self.recurrent_kernel.value, ones, "same", ones)
        z = [ops.add(a, b) for a, b in zip(x, h, strict=True)]
        if self.use_bias:
            shape = [1] * (self.rank + 2)
            shape[self._channel_axis()] = self.filters
            biases = ops.split(self.bias.value, _GATES)
            z = [ops.add(g, ops.reshape(b, shape)) for g, b in zip(z, biases, strict=True)]
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_tm1 + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = super().get_config()
        del config["units"]  # the cell counts filters
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias,
            }
        )
        return config
