"""Resizing: images to a fixed height and width."""

from __future__ import annotations

from lamina import ops
from lamina.backend._keras_tensor import KerasTensor
from lamina.backend._spec import TensorSpec
from lamina.layers.preprocessing._image_layer import (
    ImagePreprocessingLayer,
    check_choice,
    check_size,
)
from lamina.ops.image import RESIZE_INTERPOLATIONS


class Resizing(ImagePreprocessingLayer):
    """Resizes images to `(height, width)`, in training and inference alike.

    Integer images keep their dtype (rounded, saturating); others come out in
    the layer's dtype.

    Args:
        height: the output height, a positive int.
        width: the output width, a positive int.
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3",
            "lanczos5" or "area" (TensorFlow only).
        crop_to_aspect_ratio: first crop the largest centered window with the
            target aspect ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad the short side evenly with `fill_value`
            to the target aspect ratio, so the image is not distorted.
        fill_mode: how padding is filled; only "constant".
        fill_value: the value of the padding.
        antialias: widen the kernel when downscaling (no aliasing).
        data_format: "channels_last", "channels_first" or None
            (`image_data_format`).

    Example:
        >>> lamina.layers.Resizing(2, 3)(np.zeros((4, 8, 8, 3))).shape
        (4, 2, 3, 3)
    """

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        name = type(self).__name__
        self.height = check_size(name, "height", height)
        self.width = check_size(name, "width", width)
        check_choice(name, "interpolation", interpolation, RESIZE_INTERPOLATIONS)
        check_choice(name, "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"{name}: crop_to_aspect_ratio and pad_to_aspect_ratio are both True; choose one."
            )
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _resize(self, images):
        return ops.image.resize(
            images,
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )

    def call(self, inputs):
        dtype = ops.dtype(inputs)
        if "int" in dtype:
            return self._resize(inputs)  # resize rounds back to the integer dtype
        return self._resize(self._images(inputs))

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        height_axis, width_axis = self._height_width_axes()
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def compute_output_spec(self, inputs, *args, **kwargs):
        spec = super().compute_output_spec(inputs, *args, **kwargs)
        if isinstance(inputs, KerasTensor) and "int" in str(inputs.dtype):
            return TensorSpec(spec.shape, inputs.dtype)
        return spec

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "height": self.height,
                "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "antialias": self.antialias,
            }
        )
        return config
