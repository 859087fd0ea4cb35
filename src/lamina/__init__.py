"""lamina: a Keras-compatible deep-learning library over interchangeable engines.

    import lamina as keras

runs ordinary Keras 3 code on TensorFlow (the default), JAX, PyTorch, PyTensor
or NumPy, chosen in `lamina.json` or with `LAMINA_BACKEND`.
"""

from lamina import _cli_mode
from lamina._version import __version__ as __version__

if not _cli_mode.active():
    from lamina import activations as activations
    from lamina import backend as backend
    from lamina import callbacks as callbacks
    from lamina import config as config
    from lamina import constraints as constraints
    from lamina import datasets as datasets
    from lamina import dtype_policies as dtype_policies
    from lamina import initializers as initializers
    from lamina import layers as layers
    from lamina import losses as losses
    from lamina import metrics as metrics
    from lamina import mixed_precision as mixed_precision
    from lamina import models as models
    from lamina import ops as ops
    from lamina import optimizers as optimizers
    from lamina import random as random
    from lamina import regularizers as regularizers
    from lamina import saving as saving
    from lamina import tree as tree
    from lamina import utils as utils
    from lamina.backend._keras_tensor import KerasTensor as KerasTensor
    from lamina.backend._variable import Variable as Variable
    from lamina.dtype_policies import DTypePolicy as DTypePolicy
    from lamina.dtype_policies import FloatDTypePolicy as FloatDTypePolicy
    from lamina.layers import Input as Input
    from lamina.layers import InputSpec as InputSpec
    from lamina.layers import Layer as Layer
    from lamina.models import Model as Model
    from lamina.models import Sequential as Sequential


def __getattr__(name: str):
    # The application models load on first use (`lamina.applications.VGG16`),
    # which keeps `import lamina` as quick as it is without them.
    if name == "applications" and not _cli_mode.active():
        import importlib

        return importlib.import_module("lamina.applications")
    raise AttributeError(f"module 'lamina' has no attribute {name!r}")
