"""ConvLSTM1D: a convolutional LSTM over sequences of 1-D feature maps."""

from __future__ import annotations

from lamina.layers.rnn._conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """An LSTM whose input and recurrent transformations are 1-D convolutions
    (Shi et al., 2015), as Keras 3's `ConvLSTM1D`. Inputs are
    `(batch, time, steps, channels)` ("channels_last") or
    `(batch, time, channels, steps)` ("channels_first"); the
    states `h` and `c` and the output are feature maps with `filters` channels.

    Weights (in the cell, named as Keras names them): `kernel`
    `(*kernel_size, channels, 4 * filters)`, `recurrent_kernel`
    `(*kernel_size, filters, 4 * filters)` and `bias` `(4 * filters,)`;
    gate order input, forget, cell, output.

    Args:
        filters: the number of output channels of each convolution.
        kernel_size: an int or 1 ints, the convolution window.
        strides: an int or 1 ints, the input convolution's strides.
        padding: "valid" or "same", for the input convolution; the recurrent
            one always pads "same".
        data_format: "channels_last" or "channels_first"; default the
            configured `image_data_format`.
        dilation_rate: an int or 1 ints (not with strides > 1).
        activation: for the cell candidate and the output (default "tanh").
        recurrent_activation: for the gates (default "sigmoid").
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: the
            initializers (defaults "glorot_uniform", "orthogonal", "zeros").
        unit_forget_bias: start the forget-gate bias at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint: optional.
        dropout: fraction of the inputs dropped in training (one mask per gate).
        recurrent_dropout: fraction of the recurrent state dropped in training.
        seed: seed of the dropout masks.
        return_sequences: return every step's output, not only the last.
        return_state: also return the final `h` and `c`.
        go_backwards: process the sequence from its end (the returned
            sequence is in reversed order).
        stateful: carry each batch's final states into the next call (see `RNN`).

    Example:
        >>> layer = lamina.layers.ConvLSTM1D(4, 3, data_format="channels_last")
        >>> layer(np.zeros((2, 5, 8, 3), "float32")).shape
        (2, 6, 4)
    """

    _rank = 1
