"""GRU: the gated recurrent unit layer."""

from __future__ import annotations

from lamina.layers.rnn._cell_rnn import CellRNN, _forward_to_cell
from lamina.layers.rnn.gru_cell import GRUCell


class GRU(CellRNN):
    """Gated recurrent unit layer (Cho et al., 2014), as Keras 3's `GRU`.

    Weights (in the cell): `kernel` `(features, 3 * units)`, `recurrent_kernel`
    `(units, 3 * units)`, `bias` `(2, 3 * units)` with `reset_after=True`
    (Keras 3's default) or `(3 * units,)`; gate order update, reset,
    candidate.

    Args:
        units: the size of the output and of the state.
        activation: for the candidate state (default "tanh").
        recurrent_activation: for the gates (default "sigmoid").
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint: optional.
        dropout: fraction of the inputs dropped in training.
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: seed of the dropout masks.
        return_sequences: return every step's output, not only the last.
        return_state: also return the final state.
        go_backwards: process the sequence from its end (the returned
            sequence is in reversed order).
        stateful: carry each batch's final states into the next call (see `RNN`).
        unroll: accepted and ignored (the loop is always a scan).
        reset_after: apply the reset gate after the recurrent matmul.
        use_cudnn: accepted for compatibility: "auto", True or False.

    Example:
        >>> inputs = lamina.Input(shape=(10, 8))
        >>> outputs = lamina.layers.GRU(16)(inputs)  # (None, 16)
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
        reset_after: bool = True,
        use_cudnn="auto",
        **kwargs,
    ):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"GRU: use_cudnn must be 'auto', True or False; got {use_cudnn!r}.")
        kwargs.pop("implementation", None)
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
            reset_after=reset_after,
            seed=seed,
            **self._cell_base_kwargs(kwargs, "gru_cell"),
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
    reset_after = _forward_to_cell("reset_after")
