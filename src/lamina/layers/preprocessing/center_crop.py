"""CenterCrop: the central window of each image."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.preprocessing._image_layer import ImagePreprocessingLayer, check_size


class CenterCrop(ImagePreprocessingLayer):
    """Crops the central `(height, width)` window of each image, in training and
    inference alike.

    An image smaller than the window in either direction is first cropped to
    the window's aspect ratio (the largest centered such window) and then
    resized to `(height, width)`, as Keras does.

    Args:
        height: the output height, a positive int.
        width: the output width, a positive int.
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> lamina.layers.CenterCrop(2, 2)(np.arange(16.0).reshape(4, 4, 1))[..., 0]
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        name = type(self).__name__
        self.height = check_size(name, "height", height)
        self.width = check_size(name, "width", width)

    def call(self, inputs):
        images = self._images(inputs)
        height, width = self._static_height_width(images)
        if height < self.height or width < self.width:
            return ops.image.resize(
                images,
                (self.height, self.width),
                crop_to_aspect_ratio=True,
                data_format=self.data_format,
            )
        rank = len(ops.shape(images))
        height_axis, width_axis = (rank + a for a in self._height_width_axes())
        top, left = (height - self.height) // 2, (width - self.width) // 2
        images = ops.take(
            images, np.arange(top, top + self.height, dtype="int32"), axis=height_axis
        )
        return ops.take(images, np.arange(left, left + self.width, dtype="int32"), axis=width_axis)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        height_axis, width_axis = self._height_width_axes()
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config
