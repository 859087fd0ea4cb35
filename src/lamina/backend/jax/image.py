"""image functions of the backend contract on jax: `jax.image.resize` and
`jax.scipy.ndimage.map_coordinates`."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from lamina.backend import _image
from lamina.backend.jax import core as _core
from lamina.backend.jax import numpy as _np


def resize(images, size, interpolation="bilinear", antialias=False, data_format="channels_last"):
    if interpolation == "area":
        raise NotImplementedError(
            "The JAX backend has no 'area' resize (only TensorFlow has it); use "
            "interpolation='bilinear' with antialias=True, which also averages every "
            "input pixel when downscaling."
        )
    images = _core.convert_to_tensor(images)
    batch, *rest = images.shape
    if data_format == "channels_last":
        shape = (batch, *size, rest[-1])
    else:
        shape = (batch, rest[0], *size)
    return jax.image.resize(images, shape, method=interpolation, antialias=antialias)


def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0.0,
    data_format="channels_last",
):
    images = _core.convert_to_tensor(images)
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    batch, height, width, _ = images.shape
    x, y = _image.source_coordinates(_core, _np, transform, height, width, str(images.dtype))
    x, y = jnp.broadcast_to(x, (batch, height, width)), jnp.broadcast_to(y, (batch, height, width))
    sample = functools.partial(
        jax.scipy.ndimage.map_coordinates,
        order=0 if interpolation == "nearest" else 1,
        mode=fill_mode,
        cval=fill_value,
    )

    def one_image(image, x, y):
        # Channels last: one map per channel, the same coordinates for all.
        return jax.vmap(lambda plane: sample(plane, [y, x]), in_axes=-1, out_axes=-1)(image)

    result = jax.vmap(one_image)(images, x, y)
    if data_format == "channels_first":
        result = jnp.transpose(result, (0, 3, 1, 2))
    return result
