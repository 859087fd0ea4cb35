"""lamina's jax backend: the backend contract implemented with jax."""

from lamina.backend.jax import core as core
from lamina.backend.jax import functional as functional
from lamina.backend.jax import image as image
from lamina.backend.jax import linalg as linalg
from lamina.backend.jax import math as math
from lamina.backend.jax import nn as nn
from lamina.backend.jax import numpy as numpy
from lamina.backend.jax import random as random

# Contract functions this engine cannot provide, with the reason.
SKIPS: dict[str, str] = {
    "image.resize": (
        "JAX has no 'area' interpolation (TensorFlow's image library alone has it); "
        "interpolation='bilinear' with antialias=True averages every input pixel instead."
    ),
}
