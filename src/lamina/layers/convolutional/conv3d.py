"""Conv3D: 3-D convolution over volumes."""

from __future__ import annotations

from lamina.layers.convolutional._base_conv import BaseConv


class Conv3D(BaseConv):
    """3-D convolution over volumes: `activation(conv(inputs, kernel) + bias)`.

    The kernel has shape `(*kernel_size, input_channels // groups, filters)`
    in both data formats, as in Keras.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 3 ints, the size of the window.
        strides: an int or a tuple of 3 ints; strides > 1 cannot be combined
            with dilation_rate > 1.
        padding: "valid" (no padding) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
        data_format: "channels_last" (inputs `(batch, depth, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, depth, height, width)`); None uses
            the configured `image_data_format`.
        dilation_rate: an int or a tuple of 3 ints, the spacing of the kernel's taps.
        groups: split the input channels into this many groups, each convolved
            with `filters // groups` filters; outputs are concatenated.
        activation: an activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.Conv3D(8, 3, activation="relu")
        >>> layer(np.ones((2, 8, 8, 8, 3))).shape
        (2, 6, 6, 6, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=(1, 1, 1),
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
            rank=3,
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


Convolution3D = Conv3D
