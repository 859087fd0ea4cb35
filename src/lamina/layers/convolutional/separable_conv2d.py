"""SeparableConv2D: depthwise-separable 2-D convolution over images."""

from __future__ import annotations

from lamina.layers.convolutional._base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """Depthwise-separable 2-D convolution: a depthwise convolution (each input
    channel with its own filters) followed by a pointwise convolution that mixes
    channels, plus bias and activation.

    Weights, in Keras's order: `depthwise_kernel`
    `(*kernel_size, input_channels, depth_multiplier)`, `pointwise_kernel`
    `(1, 1, input_channels * depth_multiplier, filters)`, `bias` `(filters,)`.

    Args:
        filters: the number of output channels.
        kernel_size: an int or a tuple of 2 ints, the size of the depthwise window.
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
        depthwise_initializer, pointwise_initializer, bias_initializer:
            initializers of the weights.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer:
            regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        depthwise_constraint, pointwise_constraint, bias_constraint: constraints
            of the weights.

    Example:
        >>> layer = lamina.layers.SeparableConv2D(8, 3)
        >>> layer(np.ones((4, 28, 28, 3))).shape
        (4, 26, 26, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=(1, 1),
        depth_multiplier: int = 1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=2,
            depth_multiplier=depth_multiplier,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


SeparableConvolution2D = SeparableConv2D
