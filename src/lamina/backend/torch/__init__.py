"""lamina's torch backend: the backend contract implemented with PyTorch."""

from lamina.backend.torch import core as core
from lamina.backend.torch import functional as functional
from lamina.backend.torch import image as image
from lamina.backend.torch import linalg as linalg
from lamina.backend.torch import math as math
from lamina.backend.torch import nn as nn
from lamina.backend.torch import numpy as numpy
from lamina.backend.torch import optimizers as optimizers
from lamina.backend.torch import random as random

# Contract functions this engine cannot provide, with the reason.
SKIPS: dict[str, str] = {
    "image.resize": (
        "torch has no 'area' interpolation (TensorFlow's image library alone has it); "
        "interpolation='bilinear' with antialias=True averages every input pixel instead."
    ),
}
