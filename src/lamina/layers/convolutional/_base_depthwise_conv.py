"""The shared depthwise convolution layer behind DepthwiseConv1D and DepthwiseConv2D."""

from __future__ import annotations

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.layers.convolutional import _conv_utils as utils
from lamina.layers.convolutional._base_conv import add_channel_bias
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseDepthwiseConv(Layer):
    """An N-D depthwise convolution: each input channel gets its own filters.

    The kernel has Keras's layout `(*kernel_size, input_channels, depth_multiplier)`;
    output channel `c * depth_multiplier + m` comes from input channel `c`.
    Subclasses fix `rank`; see DepthwiseConv2D for the arguments.
    """

    def __init__(
        self,
        rank: int,
        depth_multiplier: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if (
            not isinstance(depth_multiplier, int)
            or isinstance(depth_multiplier, bool)
            or depth_multiplier <= 0
        ):
            raise ValueError(
                f"{cls}: `depth_multiplier` must be a positive int; "
                f"got depth_multiplier={depth_multiplier!r}."
            )
        self.rank = rank
        self.depth_multiplier = depth_multiplier
        self.kernel_size = utils.standardize_tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = utils.standardize_tuple(strides, rank, "strides", cls)
        self.dilation_rate = utils.standardize_tuple(dilation_rate, rank, "dilation_rate", cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: strides > 1 cannot be combined with dilation_rate > 1; got "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}."
            )
        self.padding = utils.standardize_padding(padding, cls)
        self.data_format = utils.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape) -> None:
        channels = utils.check_build_shape(self, input_shape, self.rank, self.data_format)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = utils.channel_spec(self.rank, self.data_format, channels)
        self.built = True

    def call(self, inputs):
        outputs = ops.depthwise_conv(
            inputs,
            self.kernel.value,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        if self.bias is not None:
            outputs = add_channel_bias(outputs, self.bias.value, self.data_format, self.rank)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        channels = input_shape[utils.channel_axis(self.data_format)] if input_shape else None
        return utils.window_output_shape(
            self,
            input_shape,
            self.rank,
            None if channels is None else channels * self.depth_multiplier,
            self.kernel_size,
            self.strides,
            self.padding,
            self.data_format,
            self.dilation_rate,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "depth_multiplier": self.depth_multiplier,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        return config
