"""What ConvLSTM1D, ConvLSTM2D and ConvLSTM3D share: an RNN over a ConvLSTMCell
whose states are feature maps."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend._variable import Variable
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn._cell_rnn import CellRNN, _forward_to_cell
from lamina.layers.rnn._conv_lstm_cell import ConvLSTMCell


class ConvLSTM(CellRNN):
    """A convolutional LSTM over sequences of `rank`-D feature maps, configured
    by its cell's arguments (a flat config, as Keras 3 writes it)."""

    _rank = 0  # set by each public subclass

    def __init__(
        self,
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs,
    ):
        cell = ConvLSTMCell(
            self._rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **self._cell_base_kwargs(kwargs, "conv_lstm_cell"),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=self._rank + 3)

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        state_shape = self.cell.compute_output_shape((batch, *sequences_shape[2:]))
        output_shape = (batch, steps, *state_shape[1:]) if self.return_sequences else state_shape
        if self.return_state:
            return (output_shape, state_shape, state_shape)
        return output_shape

    def _create_states(self, sequences_shape) -> None:
        batch = sequences_shape[0]
        if batch is None:
            super()._create_states(sequences_shape)  # raises: no fixed batch size
        shape = self.cell.compute_output_shape((batch, *tuple(sequences_shape)[2:]))
        states = [
            Variable(
                np.zeros(shape, dtype=self.cell.compute_dtype),
                trainable=False,
                name=f"{self.name}_state",
            )
            for _ in range(2)
        ]
        # Call state, not weights (see RNN._create_states).
        object.__setattr__(self, "_states", states)
        self._call_state_variables.extend(states)

    # ------------------------------------------------------------------ masks
    def _masked_loop(self, xs, masks, states, cell_kwargs):
        """As RNN's, with the `(batch,)` step mask broadcast over the feature maps."""
        count = len(states)
        keep_shape = (-1,) + (1,) * (self._rank + 1)

        def step(carry, inputs):
            x, keep = inputs
            old_states, old_output = list(carry[:count]), carry[count]
            output, new_states = self.cell.call(x, old_states, **cell_kwargs)
            keep = ops.reshape(keep, keep_shape)
            new_states = [ops.where(keep, n, o) for n, o in zip(new_states, old_states)]
            output = ops.where(keep, output, old_output)
            y = (
                ops.where(keep, output, ops.zeros_like(output))
                if self.zero_output_for_mask
                else output
            )
            return [*new_states, output], y

        carry, ys = ops.scan(step, [*states, ops.zeros_like(states[0])], (xs, masks))
        outputs = ops.transpose(ys, (1, 0, *range(2, len(ops.shape(ys)))))
        return ys[-1], outputs, list(carry[:count])

    filters = _forward_to_cell("filters")
    kernel_size = _forward_to_cell("kernel_size")
    strides = _forward_to_cell("strides")
    padding = _forward_to_cell("padding")
    data_format = _forward_to_cell("data_format")
    dilation_rate = _forward_to_cell("dilation_rate")
    recurrent_activation = _forward_to_cell("recurrent_activation")
    unit_forget_bias = _forward_to_cell("unit_forget_bias")
