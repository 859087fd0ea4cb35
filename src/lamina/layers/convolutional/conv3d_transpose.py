"""Conv3DTranspose: transposed 3-D convolution over volumes."""

from __future__ import annotations

from lamina.layers.convolutional._base_conv_transpose import BaseConvTranspose


class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3-D convolution (sometimes called deconvolution): maps each
    input position to a window of outputs, e.g. to upsample by `strides`.

    The kernel has shape `(*kernel_size, filters, input_channels)`, as in Keras.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 3 ints, the size of the window.
        strides: an int or a tuple of 3 ints, the upsampling factor; strides > 1 cannot be
            combined with dilation_rate > 1.
        padding: "valid" or "same" ("same" gives `output_size = input_size * stride`).
        output_padding: an int or a tuple of 3 ints, or None: extra output cells added on the
            far side of each dimension; each must be less than its stride.
            None infers the size from `padding`.
        data_format: "channels_last" (inputs `(batch, depth, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, depth, height, width)`); None uses
            the configured `image_data_format`.
        dilation_rate: an int or a tuple of 3 ints, the spacing of the kernel's taps.
        activation: an activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.Conv3DTranspose(8, 3, strides=2, padding="same")
        >>> layer(np.ones((2, 4, 4, 4, 3))).shape
        (2, 8, 8, 8, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1, 1),
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=(1, 1, 1),
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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


Convolution3DTranspose = Conv3DTranspose
