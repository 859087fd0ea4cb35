"""SimpleRNN: a fully connected recurrent layer."""

from __future__ import annotations

from lamina.layers.rnn._cell_rnn import CellRNN
from lamina.layers.rnn.simple_rnn_cell import SimpleRNNCell


class SimpleRNN(CellRNN):
    """Fully connected RNN whose output is fed back as the next step's state, as Keras 3's.

    Computes `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Args:
        units: the size of the output and of the state.
        activation: default "tanh"; None for linear.
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint: optional.
        dropout: fraction of the inputs dropped in training.
        recurrent_dropout: fraction of the recurrent state dropped in training.
        return_sequences: return every step's output, not only the last.
        return_state: also return the final state.
        go_backwards: process the sequence from its end (the returned
            sequence is in reversed order).
        stateful: carry each batch's final states into the next call (see `RNN`).
        unroll: accepted and ignored (the loop is always a scan).
        seed: seed of the dropout masks.

    Example:
        >>> inputs = lamina.Input(shape=(10, 8))
        >>> outputs = lamina.layers.SimpleRNN(16, return_sequences=True)(inputs)  # (None, 10, 16)
    """

    # Keras 3 leaves the seed out of SimpleRNN's config.
    _config_skips = ("seed",)

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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        cell = SimpleRNNCell(
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
            **self._cell_base_kwargs(kwargs, "simple_rnn_cell"),
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
