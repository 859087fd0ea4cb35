"""SimpleRNNCell: one time step of a fully connected recurrent layer."""

from __future__ import annotations

from lamina import ops
from lamina.layers.rnn._base_cell import BaseCell


class SimpleRNNCell(BaseCell):
    """The cell behind `SimpleRNN`, for use in `RNN`: `h = activation(x @ W + h @ U + b)`.

    Weights, as in Keras 3: `kernel` `(input_dim, units)`, `recurrent_kernel`
    `(units, units)`, `bias` `(units,)`.

    Args:
        units: the size of the output and of the state.
        activation: default "tanh"; None for linear.
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout: fraction of the inputs dropped in training (one mask per call).
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = lamina.layers.SimpleRNNCell(4)
        >>> h, [h] = cell(np.zeros((2, 3), "float32"), cell.get_initial_state(batch_size=2))
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
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
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], gates=1)
        self.bias = None
        if self.use_bias:
            self._add_bias((self.units,))
        self.built = True

    def call(self, sequence, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        sequence, h_tm1 = self._dropped(sequence, h_tm1, training)
        h = ops.matmul(sequence, self.kernel.value)
        if self.use_bias:
            h = ops.add(h, self.bias.value)
        output = h + ops.matmul(h_tm1, self.recurrent_kernel.value)
        if self.activation is not None:
            output = self.activation(output)
        return output, ([output] if nested else output)
