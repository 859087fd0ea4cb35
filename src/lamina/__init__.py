"""lamina: a Keras-compatible deep-learning library over interchangeable engines.

    import lamina as keras

runs ordinary Keras 3 code on TensorFlow (the default), JAX, PyTorch, PyTensor
or NumPy, chosen in `lamina.json` or with `LAMINA_BACKEND`.
"""

from lamina import _cli_mode
from lamina._version import __version__ as __version__

if not _cli_mode.active():
    from lamina import backend as backend
    from lamina import config as config
    from lamina import ops as ops
