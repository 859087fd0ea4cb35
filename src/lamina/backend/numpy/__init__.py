"""lamina's numpy backend: the backend contract implemented with NumPy and autograd.

The reference engine: slow, simple and exact, against which the others are
checked. It trains: gradients come from autograd.
"""

from lamina.backend.numpy import core as core
from lamina.backend.numpy import functional as functional
from lamina.backend.numpy import image as image
from lamina.backend.numpy import linalg as linalg
from lamina.backend.numpy import math as math
from lamina.backend.numpy import nn as nn
from lamina.backend.numpy import numpy as numpy
from lamina.backend.numpy import random as random

# Contract functions this engine cannot provide in full, with the reason; the
# tests of the missing part are skipped with it.
SKIPS: dict[str, str] = {
    "core.is_tensor": (
        "NumPy arrays are this engine's tensors, so is_tensor is true for NumPy data too."
    ),
    "core.convert_to_tensor": (
        "NumPy arrays are this engine's tensors and host data at once: float64 arrays "
        "become floatx even when an op made them (float64 values need floatx float64), "
        "and objects convert through NumPy's own protocol, __array__."
    ),
    "functional.eval_shape": (
        "NumPy has no shape-only evaluation: eval_shape runs the function on zero arrays "
        "of the stand-in sizes, so it computes, and needs their memory."
    ),
    "image.resize": (
        "NumPy has no 'area' interpolation (TensorFlow's image library alone has it); "
        "interpolation='bilinear' with antialias=True averages every input pixel instead."
    ),
}
