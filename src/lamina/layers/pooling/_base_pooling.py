"""The shared windowed pooling layer behind MaxPooling*D and AveragePooling*D."""

from __future__ import annotations

from lamina import ops
from lamina.layers.convolutional import _conv_utils as utils
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BasePooling(Layer):
    """Max or average pooling over `rank` spatial dimensions.

    Subclasses fix `rank` and `pool_mode` ("max" or "average"); see
    MaxPooling2D for the arguments.
    """

    pool_mode = "max"

    def __init__(
        self,
        rank: int,
        pool_size,
        strides=None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.rank = rank
        self.pool_size = utils.standardize_tuple(pool_size, rank, "pool_size", cls)
        # Keras: strides default to the pool size, so windows do not overlap.
        self.strides = utils.standardize_tuple(
            pool_size if strides is None else strides, rank, "strides", cls
        )
        self.padding = utils.standardize_padding(padding, cls)
        self.data_format = utils.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape) -> None:
        utils.check_spec(self, input_shape)
        # Fails early, naming the layer, when the input is smaller than the window.
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(
            inputs,
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        channels = input_shape[utils.channel_axis(self.data_format)] if input_shape else None
        return utils.window_output_shape(
            self,
            input_shape,
            self.rank,
            channels,
            self.pool_size,
            self.strides,
            self.padding,
            self.data_format,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "padding": self.padding,
                "strides": self.strides,
                "data_format": self.data_format,
            }
        )
        return config
