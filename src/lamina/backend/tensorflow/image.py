"""image functions of the backend contract on tensorflow: `tf.image.resize`
and the projective-transform kernel behind Keras's image layers. The "mirror"
fill, which that kernel lacks, gathers pixels at computed indices
(`lamina.backend._image`)."""

from __future__ import annotations

import tensorflow as tf

from lamina.backend import _image
from lamina.backend.tensorflow import core as _core
from lamina.backend.tensorflow import numpy as _np


def resize(images, size, interpolation="bilinear", antialias=False, data_format="channels_last"):
    images = _core.convert_to_tensor(images)
    if data_format == "channels_first":
        images = tf.transpose(images, (0, 2, 3, 1))
    resized = tf.image.resize(images, tuple(size), method=interpolation, antialias=antialias)
    resized = tf.cast(resized, images.dtype)
    if data_format == "channels_first":
        resized = tf.transpose(resized, (0, 3, 1, 2))
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
    if fill_mode == "mirror":
        return _image.affine_transform(
            _core, _np, images, transform, interpolation, fill_mode, fill_value, data_format
        )
    if data_format == "channels_first":
        images = tf.transpose(images, (0, 2, 3, 1))
    transformed = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=tf.cast(_core.convert_to_tensor(transform), tf.float32),
        output_shape=tf.shape(images)[1:3],
        fill_value=tf.cast(fill_value, tf.float32),
        interpolation=interpolation.upper(),
        fill_mode=fill_mode.upper(),
    )
    transformed = tf.ensure_shape(transformed, images.shape)
    if data_format == "channels_first":
        transformed = tf.transpose(transformed, (0, 3, 1, 2))
    return transformed
