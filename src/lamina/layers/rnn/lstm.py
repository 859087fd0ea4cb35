"""LSTM: the long short-term memory layer."""

from __future__ import annotations

from lamina.layers.rnn._cell_rnn import CellRNN, _forward_to_cell
from lamina.layers.rnn.lstm_cell import LSTMCell


class LSTM(CellRNN):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as Keras 3's `LSTM`.

    Weights (in the cell, named as Keras names them): `kernel`
    `(features, 4 * units)`, `recurrent_kernel` `(units, 4 * units)`, `bias`
    `(4 * units,)`; gate order input, forget, cell, output.

    Args:
        units: the size of the output and of the states.
        activation: for the cell candidate and the output (default "tanh").
        recurrent_activation: for the gates (default "sigmoid").
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        unit_forget_bias: start the forget-gate bias at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint: optional.
        dropout: fraction of the inputs dropped in training.
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: seed of the dropout masks.
        return_sequences: return every step's output, not only the last.
        return_state: also return the final `h` and `c`.
        go_backwards: process the sequence from its end (the returned
            sequence is in reversed order).
        stateful: carry each batch's final states into the next call (see `RNN`).
        unroll: accepted and ignored (the loop is always a scan).
        use_cudnn: accepted for compatibility: "auto", True or False.

    Example:
        >>> inputs = lamina.Input(shape=(10, 8))
        >>> outputs = lamina.layers.LSTM(16)(inputs)  # (None, 16)
        >>> seq, h, c = lamina.layers.LSTM(16, return_sequences=True, return_state=True)(inputs)
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
        unroll: bool = False,
        use_cudnn="auto",
        **kwargs,
    ):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"LSTM: use_cudnn must be 'auto', True or False; got {use_cudnn!r}.")
        kwargs.pop("implementation", None)
        cell = LSTMCell(
            units,
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
            **self._cell_base_kwargs(kwargs, "lstm_cell"),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.use_cudnn = use_cudnn

    recurrent_activation = _forward_to_cell("recurrent_activation")
    unit_forget_bias = _forward_to_cell("unit_forget_bias")
