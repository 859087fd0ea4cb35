"""The shared global pooling layer behind GlobalMaxPooling*D and GlobalAveragePooling*D."""

from __future__ import annotations

from lamina import config
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Reduce all `rank` spatial dimensions, keeping batch and channels.

    Subclasses fix `rank` and implement `call`; see GlobalAveragePooling2D for
    the arguments.
    """

    def __init__(
        self, rank: int, data_format: str | None = None, keepdims: bool = False, **kwargs
    ):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = config.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def spatial_axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects inputs of rank "
                f"{self.rank + 2}; got input shape {input_shape}."
            )
        channels_last = self.data_format == "channels_last"
        channels = input_shape[-1] if channels_last else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * self.rank
        return (
            (input_shape[0], *ones, channels)
            if channels_last
            else (input_shape[0], channels, *ones)
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
