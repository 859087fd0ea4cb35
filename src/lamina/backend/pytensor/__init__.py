"""lamina's pytensor backend: the backend contract implemented with PyTensor,
the maintained successor of Theano.

Eager tensors are NumPy arrays (`core.EagerTensor`); functions traced by
`functional.compile`, `value_and_grad` and `eval_shape` see PyTensor symbolic
variables instead, and every backend function accepts both.
"""

import os as _os

import pytensor as _pytensor

from lamina import config as _config

# PyTensor's default float is float64; lamina's floatx decides instead.
_pytensor.config.floatX = (
    "float16"
    if _config.floatx() == "float16"
    else ("float64" if _config.floatx() == "float64" else "float32")
)
# Without a BLAS to link, PyTensor warns on every first compile and calls NumPy's dot
# (which has its own BLAS). Say so explicitly unless the user configured a BLAS.
_flags = _os.environ.get("PYTENSOR_FLAGS", "")
if "blas__ldflags" not in _flags:
    _pytensor.config.blas__ldflags = ""
# The C linker, as Theano had: its compiled ops are cached on disk across runs, so a
# new graph of known ops compiles quickly. PyTensor 3's default links with Numba,
# which compiles each new graph whole. PYTENSOR_FLAGS=linker=... overrides this.
if "linker" not in _flags and "mode" not in _flags:
    _pytensor.config.linker = "cvm"

from lamina.backend.pytensor import core as core  # noqa: E402
from lamina.backend.pytensor import functional as functional  # noqa: E402
from lamina.backend.pytensor import image as image  # noqa: E402
from lamina.backend.pytensor import linalg as linalg  # noqa: E402
from lamina.backend.pytensor import math as math  # noqa: E402
from lamina.backend.pytensor import nn as nn  # noqa: E402
from lamina.backend.pytensor import numpy as numpy  # noqa: E402
from lamina.backend.pytensor import random as random  # noqa: E402

# Contract functions this engine cannot provide, with the reason.
SKIPS: dict[str, str] = {
    "core.convert_to_tensor": (
        "PyTensor has no conversion protocol for other libraries' tensor objects (like "
        "__tf_tensor__ or __jax_array__): they convert through NumPy's __array__. Graphs "
        "have no bfloat16 either; eager bfloat16 needs the ml_dtypes package."
    ),
    "image.resize": (
        "PyTensor has no 'area' interpolation (TensorFlow's image library alone has it); "
        "interpolation='bilinear' with antialias=True averages every input pixel instead."
    ),
    "numpy.nextafter": (
        "PyTensor has no nextafter op: it runs eagerly (on NumPy), and raises "
        "NotImplementedError on symbolic tensors inside compiled functions."
    ),
    "numpy.view": (
        "PyTensor has no op that reinterprets bits: view runs eagerly (on NumPy), and "
        "raises NotImplementedError on symbolic tensors inside compiled functions."
    ),
}
