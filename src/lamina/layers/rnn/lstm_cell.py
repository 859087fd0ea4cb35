"""LSTMCell: one time step of a long short-term memory layer."""

from __future__ import annotations

import numpy as np

from lamina import activations, initializers, ops
from lamina.layers.rnn._base_cell import BaseCell


class LSTMCell(BaseCell):
    """The cell behind `LSTM`, for use in `RNN`: one step of Hochreiter & Schmidhuber's LSTM.

    Weights, as in Keras 3: `kernel` `(input_dim, 4 * units)`,
    `recurrent_kernel` `(units, 4 * units)` and `bias` `(4 * units,)`, with the
    gates in the order input, forget, cell, output. States: `[h, c]`.

    Args:
        units: the size of the output and of each state.
        activation: for the cell candidate and the output (default "tanh").
        recurrent_activation: for the gates (default "sigmoid").
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        unit_forget_bias: start the forget-gate bias at 1 (Jozefowicz et al.).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout: fraction of the inputs dropped in training (one mask per call).
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = lamina.layers.LSTMCell(4)
        >>> x = np.zeros((2, 3), "float32")
        >>> h, (h, c) = cell(x, cell.get_initial_state(batch_size=2))
    """

    def __init__(
        self,
        units: int,
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
        # Keras's choice between fused and per-gate kernels: the same numbers here.
        kwargs.pop("implementation", None)
        super().__init__(
            units,
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
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], gates=4)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base, units = self.bias_initializer, self.units

                def initializer(shape, dtype=None):
                    ones = initializers.get("ones")((units,), dtype=dtype)
                    parts = [base((units,), dtype=dtype), ones, base((2 * units,), dtype=dtype)]
                    return np.concatenate([np.asarray(p) for p in parts])

            self._add_bias((4 * self.units,), initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        inputs, h_rec = self._dropped(inputs, h_tm1, training)
        z = ops.matmul(inputs, self.kernel.value)
        z = ops.add(z, ops.matmul(h_rec, self.recurrent_kernel.value))
        if self.use_bias:
            z = ops.add(z, self.bias.value)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = {
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
        return {**super().get_config(), **config}
