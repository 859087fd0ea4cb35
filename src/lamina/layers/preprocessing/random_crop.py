"""RandomCrop: a random window of each batch while training."""

from __future__ import annotations

from lamina import ops, random
from lamina.layers.preprocessing._image_layer import ImagePreprocessingLayer, check_size
from lamina.random._global import draw_seed


class RandomCrop(ImagePreprocessingLayer):
    """Crops a random `(height, width)` window while training.

    In training, when the images are larger than the window in both
    directions, one random window is cut from the whole batch. Otherwise (in
    inference, or for an image not larger than the window) the image is
    cropped to the window's aspect ratio, the largest centered such window,
    and resized to `(height, width)`. The output is always `(height, width)`.

    Args:
        height: the output height, a positive int.
        width: the output width, a positive int.
        seed: an int for reproducible crops; None draws one (kept in the
            config).
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> layer = lamina.layers.RandomCrop(24, 24, seed=0)
        >>> layer(np.zeros((8, 32, 32, 3)), training=True).shape
        (8, 24, 24, 3)
    """

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, name=name, **kwargs)
        layer = type(self).__name__
        self.height = check_size(layer, "height", height)
        self.width = check_size(layer, "width", width)
        self.seed = seed if seed is not None else draw_seed()
        self.generator = random.SeedGenerator(self.seed)

    def _offset(self, room: int):
        """A random start in [0, room]."""
        start = random.uniform((), 0.0, float(room + 1), seed=self.generator)
        return ops.minimum(ops.cast(start, "int32"), room)

    def call(self, inputs, training=True):
        images = self._images(inputs)
        height, width = self._static_height_width(images)
        if not (training and height > self.height and width > self.width):
            return ops.image.resize(
                images,
                (self.height, self.width),
                crop_to_aspect_ratio=True,
                data_format=self.data_format,
            )
        rank = len(ops.shape(images))
        height_axis, width_axis = (rank + a for a in self._height_width_axes())
        top = self._offset(height - self.height)
        left = self._offset(width - self.width)
        rows = ops.add(ops.arange(self.height, dtype="int32"), top)
        columns = ops.add(ops.arange(self.width, dtype="int32"), left)
        return ops.take(ops.take(images, rows, axis=height_axis), columns, axis=width_axis)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        height_axis, width_axis = self._height_width_axes()
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
