"""lamina's tensorflow backend: the backend contract implemented with tensorflow."""

from lamina.backend.tensorflow import core as core
from lamina.backend.tensorflow import functional as functional
from lamina.backend.tensorflow import image as image
from lamina.backend.tensorflow import linalg as linalg
from lamina.backend.tensorflow import math as math
from lamina.backend.tensorflow import nn as nn
from lamina.backend.tensorflow import numpy as numpy
from lamina.backend.tensorflow import optimizers as optimizers
from lamina.backend.tensorflow import random as random

# Contract functions this engine cannot provide, with the reason.
SKIPS: dict[str, str] = {}
