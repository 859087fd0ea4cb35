"""image functions of the backend contract on NumPy.

NumPy has no image library: resizing contracts each spatial axis with a
matrix of interpolation weights, and the affine transform gathers pixels at
computed indices and blends them (`lamina.backend._image`). autograd
differentiates both.
"""

from __future__ import annotations

from lamina.backend import _image
from lamina.backend.numpy import core as _core
from lamina.backend.numpy import numpy as _np


def resize(images, size, interpolation="bilinear", antialias=False, data_format="channels_last"):
    if interpolation == "area":
        raise NotImplementedError(
            "The NumPy backend has no 'area' resize (only TensorFlow has it); use "
            "interpolation='bilinear' with antialias=True, which also averages every "
            "input pixel when downscaling."
        )
    images = _core.convert_to_tensor(images)
    return _image.resize(_core, _np, images, size, interpolation, antialias, data_format)


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
