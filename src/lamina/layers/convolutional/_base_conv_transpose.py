"""The shared transposed convolution layer behind Conv1DTranspose, Conv2DTranspose
and Conv3DTranspose.

The backend contract has no transposed convolution, so it is built here from
contract ops: spread the inputs `strides` apart with zeros, pad them, and run
an ordinary stride-1 convolution with the kernel flipped in space.
"""

from __future__ import annotations

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.layers.convolutional import _conv_utils as utils
from lamina.layers.convolutional._base_conv import add_channel_bias
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def transpose_pads(kernel: int, stride: int, dilation: int, padding: str, output_padding):
    """Zeros to add (before, after) the stride-spread input along one dimension.

    They give Keras's output sizes: with "valid", `(n - 1) * stride + extent +
    output_padding`; with "same", `n * stride` (or `(n - 1) * stride + extent % 2
    + output_padding` when output_padding is given), where `extent` is the
    dilated kernel size.
    """
    extent = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(extent, stride) - extent if output_padding is None else output_padding
        return extent - 1, extent - 1 + extra
    if output_padding is None:
        total = stride + extent - 2
    else:
        total = extent + extent % 2 - 2 + output_padding
    before = min((total + 1) // 2, extent - 1)
    return before, total - before


def transpose_output_length(size, kernel, stride, dilation, padding, output_padding):
    if size is None:
        return None
    before, after = transpose_pads(kernel, stride, dilation, padding, output_padding)
    extent = (kernel - 1) * dilation + 1
    return (size - 1) * stride + 1 + before + after - extent + 1


def _spread(x, axis: int, stride: int):
    """Insert `stride - 1` zeros after every element along `axis` (length n -> n * stride)."""
    shape = ops.shape(x)
    x = ops.expand_dims(x, axis + 1)
    pad_width = [[0, 0] for _ in range(len(shape) + 1)]
    pad_width[axis + 1] = [0, stride - 1]
    x = ops.pad(x, pad_width)
    new_shape = list(shape)
    new_shape[axis] = shape[axis] * stride
    return ops.reshape(x, new_shape)


def conv_transpose(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate):
    """Transposed convolution; `kernel` is `(*kernel_size, filters, input_channels)`."""
    rank = len(strides)
    first = 1 if data_format == "channels_last" else 2
    pad_width = [[0, 0] for _ in range(rank + 2)]
    crops = {}
    for i in range(rank):
        axis = first + i
        op = None if output_padding is None else output_padding[i]
        before, after = transpose_pads(
            ops.shape(kernel)[i], strides[i], dilation_rate[i], padding, op
        )
        if strides[i] > 1:
            inputs = _spread(inputs, axis, strides[i])
            # _spread leaves stride - 1 zeros after the last element already.
            after -= strides[i] - 1
        pad_width[axis] = [before, max(after, 0)]
        if after < 0:
            crops[axis] = -after
    inputs = ops.pad(inputs, pad_width)
    if crops:
        shape = list(ops.shape(inputs))
        for axis, crop in crops.items():
            shape[axis] = shape[axis] - crop
        inputs = ops.slice(inputs, [0] * (rank + 2), shape)
    # A transposed convolution correlates with the spatially flipped kernel,
    # its two channel axes swapped to (input_channels, filters).
    kernel = ops.flip(kernel, axis=tuple(range(rank)))
    kernel = ops.transpose(kernel, (*range(rank), rank + 1, rank))
    return ops.conv(
        inputs,
        kernel,
        strides=1,
        padding="valid",
        data_format=data_format,
        dilation_rate=dilation_rate,
    )


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
