"""image functions of the backend contract on torch.

Resizing uses torch's `interpolate` (channels-first), with Lanczos kernels
from lamina's weight matrices, which torch lacks. The affine transform
gathers pixels at computed indices and blends them (`lamina.backend._image`).
"""

from __future__ import annotations

import torch.nn.functional as F

from lamina.backend import _image
from lamina.backend.torch import core as _core
from lamina.backend.torch import numpy as _np

_TORCH_MODES = {"bilinear": "bilinear", "bicubic": "bicubic", "nearest": "nearest-exact"}


def resize(images, size, interpolation="bilinear", antialias=False, data_format="channels_last"):
    images = _core.convert_to_tensor(images)
    if interpolation == "area":
        raise NotImplementedError(
            "The torch backend has no 'area' resize (only TensorFlow has it); use "
            "interpolation='bilinear' with antialias=True, which also averages every "
            "input pixel when downscaling."
        )
    if interpolation not in _TORCH_MODES:
        return _image.resize(_core, _np, images, size, interpolation, antialias, data_format)
    if data_format == "channels_last":
        images = images.permute(0, 3, 1, 2)
    resized = F.interpolate(
        images,
        size=tuple(size),
        mode=_TORCH_MODES[interpolation],
        align_corners=None if interpolation == "nearest" else False,
        antialias=bool(antialias) and interpolation != "nearest",
    )
    if data_format == "channels_last":
        resized = resized.permute(0, 2, 3, 1)
    return resized


def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0.0,
    data_format="channels_last",
):
    images = _core.convert_to_tensor(images)
    return _image.affine_transform(
        _core, _np, images, transform, interpolation, fill_mode, fill_value, data_format
    )
