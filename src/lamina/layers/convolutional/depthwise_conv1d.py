"""DepthwiseConv1D: depthwise 1-D convolution over sequences."""

from __future__ import annotations

from lamina.layers.convolutional._base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution: each input channel is convolved with its own
    `depth_multiplier` filters, giving `channels * depth_multiplier` outputs.

    The kernel has shape `(*kernel_size, input_channels, depth_multiplier)`; output
    channel `c * depth_multiplier + m` comes from input channel `c`, as in Keras.

    Args:
        kernel_size: an int or a tuple of one int, the size of the window.
        strides: an int or a tuple of one int; strides > 1 cannot be combined with
            dilation_rate > 1.
        padding: "valid" (no padding) or "same" (pad so that
            `output_size = ceil(input_size / stride)`).
        depth_multiplier: the number of output channels per input channel.
        data_format: "channels_last" (inputs `(batch, steps, channels)`) or
            "channels_first" (inputs `(batch, channels, steps)`); None uses
            the configured `image_data_format`.
        dilation_rate: an int or a tuple of one int, the spacing of the kernel's taps.
        activation: an activation name or callable; None means linear.
        use_bias: whether to add a bias vector.
        depthwise_initializer, bias_initializer: initializers of the weights.
        depthwise_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.DepthwiseConv1D(3, depth_multiplier=2)
        >>> layer(np.ones((4, 10, 3))).shape
        (4, 8, 6)
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate=1,
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
            rank=1,
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
