"""The shared N-D convolution layer behind Conv1D, Conv2D and Conv3D."""

from __future__ import annotations

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.layers.convolutional import _conv_utils as utils
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def add_channel_bias(outputs, bias, data_format: str, rank: int):
    """Add a per-channel `bias` to `outputs`, whichever axis holds the channels."""
    if data_format == "channels_first":
        bias = ops.reshape(bias, (1, -1) + (1,) * rank)
    return ops.add(outputs, bias)


class BaseConv(Layer):
    """An N-D convolution: `activation(conv(inputs, kernel) + bias)`.

    The kernel has Keras's layout `(*kernel_size, input_channels // groups, filters)`
    in both data formats. Subclasses fix `rank`; see Conv2D for the arguments.
    """

    def __init__(
        self,
        rank: int,
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
        # Keras 3 configs may carry LoRA settings; lamina has no LoRA convolution.
        if kwargs.pop("lora_rank", None):
            raise NotImplementedError(f"{type(self).__name__}: LoRA is not supported by lamina.")
        kwargs.pop("lora_alpha", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{cls}: `filters` must be a positive int; got filters={filters!r}.")
        if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
            raise ValueError(f"{cls}: `groups` must be a positive int; got groups={groups!r}.")
        if filters % groups:
            raise ValueError(
                f"{cls}: `filters` must be divisible by `groups`; got filters={filters}, "
                f"groups={groups}."
            )
        self.filters = filters
        self.groups = groups
        self.kernel_size = utils.standardize_tuple(kernel_size, rank, "kernel_size", cls)
        self.strides = utils.standardize_tuple(strides, rank, "strides", cls)
        self.dilation_rate = utils.standardize_tuple(dilation_rate, rank, "dilation_rate", cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: strides > 1 cannot be combined with dilation_rate > 1; got "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}."
            )
        self.padding = utils.standardize_padding(padding, cls, allow_causal=rank == 1)
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
        if channels % self.groups:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}): the input's {channels} channels "
                f"are not divisible by groups={self.groups} (input shape {tuple(input_shape)})."
            )
        # Fails early, naming the layer, when the input is too small for the kernel.
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
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

    def convolution_op(self, inputs, kernel):
        if self.groups == 1:
            return self._conv(inputs, kernel)
        # The contract's conv has no groups argument; a grouped convolution is
        # the concatenation of independent convolutions over channel slices.
        axis = utils.channel_axis(self.data_format)
        input_groups = ops.split(inputs, self.groups, axis=axis)
        kernel_groups = ops.split(kernel, self.groups, axis=-1)
        outputs = [self._conv(x, k) for x, k in zip(input_groups, kernel_groups, strict=True)]
        return ops.concatenate(outputs, axis=axis)

    def _conv(self, inputs, kernel):
        return ops.conv(
            inputs,
            kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def call(self, inputs):
        outputs = self.convolution_op(inputs, self.kernel.value)
        if self.bias is not None:
            outputs = add_channel_bias(outputs, self.bias.value, self.data_format, self.rank)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape) -> tuple:
        return utils.window_output_shape(
            self,
            input_shape,
            self.rank,
            self.filters,
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
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
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
