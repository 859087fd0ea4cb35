"""The shared transposed convolution layer behind Conv1DTranspose, Conv2DTranspose
and Conv3DTranspose (the computation is in lamina/ops/_conv_transpose.py)."""

from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional import _conv_utils as utils
from lamina.layers.convolutional._base_conv import add_channel_bias
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.ops._conv_transpose import conv_transpose, transpose_output_length


class BaseConvTranspose(Layer):
    """An N-D transposed convolution: the gradient of a convolution with respect to
    its input, used to upsample.

    The kernel has Keras's layout `(*kernel_size, filters, input_channels)`.
    Subclasses fix `rank`; see Conv2DTranspose for the arguments.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=1,
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{cls}: `filters` must be a positive int; got filters={filters!r}.")
        self.rank = rank
        self.filters = filters
        self.kernel_size = utils.standardize_tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = utils.standardize_tuple(strides, rank, "strides", cls)
        self.dilation_rate = utils.standardize_tuple(dilation_rate, rank, "dilation_rate", cls)
        self.padding = utils.standardize_padding(padding, cls)
        if output_padding is None:
            self.output_padding = None
        else:
            padded = (
                (output_padding,) * rank if isinstance(output_padding, int) else output_padding
            )
            self.output_padding = tuple(int(v) for v in padded)
            if len(self.output_padding) != rank or any(
                not 0 <= p < s for p, s in zip(self.output_padding, self.strides, strict=False)
            ):
                raise ValueError(
                    f"{cls}: `output_padding` needs {rank} values, each >= 0 and less than "
                    f"the stride; got output_padding={output_padding!r}, "
                    f"strides={self.strides}."
                )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: strides > 1 cannot be combined with dilation_rate > 1; got "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}."
            )
        self.data_format = utils.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape) -> None:
        channels = utils.check_build_shape(self, input_shape, self.rank, self.data_format)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = utils.channel_spec(self.rank, self.data_format, channels)
        self.built = True

    def call(self, inputs):
        outputs = conv_transpose(
            inputs,
            self.kernel.value,
            self.strides,
            self.padding,
            self.output_padding,
            self.data_format,
            self.dilation_rate,
        )
        if self.bias is not None:
            outputs = add_channel_bias(outputs, self.bias.value, self.data_format, self.rank)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects inputs of rank "
                f"{self.rank + 2}; got input shape {input_shape}."
            )
        sizes = utils.spatial_dims(input_shape, self.data_format)
        paddings = self.output_padding or (None,) * self.rank
        out = tuple(
            transpose_output_length(n, k, s, d, self.padding, p)
            for n, k, s, d, p in zip(
                sizes, self.kernel_size, self.strides, self.dilation_rate, paddings, strict=True
            )
        )
        return utils.with_spatial(input_shape, out, self.filters, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "output_padding": self.output_padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        return config
