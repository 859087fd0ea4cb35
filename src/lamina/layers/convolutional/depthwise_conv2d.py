"""DepthwiseConv2D: depthwise 2-D convolution over images."""

from __future__ import annotations

from lamina.layers.convolutional._base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    `depth_multiplier` filters, giving `channels * depth_multiplier` outputs.

    The kernel has shape `(*kernel_size, input_channels, depth_multiplier)`; output
    channel `c * depth_multiplier + m` comes from input channel `c`, as in Keras.

    Args:
        kernel_size: an int or a tuple of 2 ints, the size of the window.
        strides: an int or a tuple of 2 ints; strides > 1 cannot be combined with
            dilation_rate > 1.
        padding: "valid" (no padding) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
        depth_multiplier: the number of output channels per input channel.
        data_format: "channels_last" (inputs `(batch, height, width, channels)`) or
            "channels_first" (inputs `(batch, channels, height, width)`); None uses
            the configured `image_data_format`.
        dilation_rate: an int or a tuple of 2 ints, the spacing of the kernel's taps.
        activation: an activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        depthwise_initializer, bias_initializer: initializers of the weights.
        depthwise_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(np.ones((4, 28, 28, 3))).shape
        (4, 26, 26, 6)
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=2,
            depth_multiplier=depth_multiplier,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
