"""Conv1D: 1-D convolution over sequences."""

from __future__ import annotations

from lamina import ops
from lamina.layers.convolutional._base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution over sequences: `activation(conv(inputs, kernel) + bias)`.

    The kernel has shape `(*kernel_size, input_channels // groups, filters)`
    in both data formats, as in Keras.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of one int, the size of the window.
        strides: an int or a tuple of one int; strides > 1 cannot be combined
            with dilation_rate > 1.
        padding: "valid" (no padding), "same" (pad so that
            `output_size = ceil(input_size / stride)`) or "causal" (pad on the
            left only, so output step t sees inputs up to t).
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.
        dilation_rate: an int or a tuple of one int, the spacing of the kernel's taps.
        groups: split the input channels into this many groups, each convolved
            with `filters // groups` filters; outputs are concatenated.
        activation: an activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.Conv1D(8, 3, activation="relu")
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 8, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        groups: int = 1,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=1,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )

    def _conv(self, inputs, kernel):
        if self.padding != "causal":
            return super()._conv(inputs, kernel)
        # Causal: pad the past only, by the kernel's dilated extent minus one,
        # then a "valid" convolution gives one output per input step.
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        pad_width = [[0, 0], [0, 0], [0, 0]]
        pad_width[steps_axis] = [left, 0]
        inputs = ops.pad(inputs, pad_width)
        return ops.conv(
            inputs,
            kernel,
            strides=self.strides,
            padding="valid",
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )


Convolution1D = Conv1D
