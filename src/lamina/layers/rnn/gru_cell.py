"""GRUCell: one time step of a gated recurrent unit layer."""

from __future__ import annotations

from lamina import activations, ops
from lamina.layers.rnn._base_cell import BaseCell


class GRUCell(BaseCell):
    """The cell behind `GRU`, for use in `RNN`: one step of Cho et al.'s gated recurrent unit.

    Weights, as in Keras 3: `kernel` `(input_dim, 3 * units)`,
    `recurrent_kernel` `(units, 3 * units)`, gates in the order update (z),
    reset (r), candidate (h). `bias` is `(2, 3 * units)` with
    `reset_after=True` (row 0 for the input, row 1 for the recurrent
    projection, the cuDNN-compatible form) and `(3 * units,)` otherwise.

    Args:
        units: the size of the output and of the state.
        activation: for the candidate state (default "tanh").
        recurrent_activation: for the gates (default "sigmoid").
        use_bias: whether to add `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: optional.
        dropout: fraction of the inputs dropped in training (one mask per call).
        recurrent_dropout: fraction of the recurrent state dropped in training.
        reset_after: apply the reset gate after the recurrent matmul (True,
            Keras 3's default) or before it.
        seed: seed of the dropout masks.

    Example:
        >>> cell = lamina.layers.GRUCell(4)
        >>> h, [h] = cell(np.zeros((2, 3), "float32"), cell.get_initial_state(batch_size=2))
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
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        seed: int | None = None,
        **kwargs,
    ):
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
        self.reset_after = bool(reset_after)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels(input_shape[-1], gates=3)
        self.bias = None
        if self.use_bias:
            self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        inputs, h_rec = self._dropped(inputs, h_tm1, training)
        units = self.units
        kernel = self.recurrent_kernel.value
        input_bias = recurrent_bias = None
        if self.use_bias:
            bias = self.bias.value
            input_bias, recurrent_bias = (bias[0], bias[1]) if self.reset_after else (bias, None)

        x = ops.matmul(inputs, self.kernel.value)
        if input_bias is not None:
            x = ops.add(x, input_bias)
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)

        if self.reset_after:
            inner = ops.matmul(h_rec, kernel)
            if recurrent_bias is not None:
                inner = ops.add(inner, recurrent_bias)
        else:
            inner = ops.matmul(h_rec, kernel[:, : 2 * units])
        r_z, r_r = inner[:, :units], inner[:, units : 2 * units]
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        if self.reset_after:
            r_h = r * inner[:, 2 * units :]
        else:
            r_h = ops.matmul(r * h_rec, kernel[:, 2 * units :])
        hh = self.activation(x_h + r_h)
        h = z * h_tm1 + (1.0 - z) * hh
        return h, ([h] if nested else h)

    def get_config(self) -> dict:
        config = {
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }
        return {**super().get_config(), **config}
