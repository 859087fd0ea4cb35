"""Engine selection, and the Keras-style `backend` module.

The engine is chosen once per process from lamina's configuration. Only the
selected engine is imported. Its lamina package (`lamina/backend/<engine>/`)
implements the backend contract: the modules core, numpy, nn, random, linalg
and functional, with the same function names on every engine. The rest of
lamina reaches it through `lamina.backend.engine` and the public `lamina.ops`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from lamina import config as _config
from lamina.backend._engines import (
    ENGINES,
    IMPLEMENTED,
    EngineNotAvailableError,
    EngineNotInstalledError,
)
from lamina.config import backend as backend
from lamina.config import epsilon as epsilon
from lamina.config import floatx as floatx
from lamina.config import image_data_format as image_data_format
from lamina.config import set_epsilon as set_epsilon
from lamina.config import set_floatx as set_floatx
from lamina.config import set_image_data_format as set_image_data_format

__all__ = [
    "backend",
    "clear_session",
    "engine",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]


def _select():
    name = _config.backend()
    if _config.raw_backend_name() == "theano":
        _config._notice(
            "lamina: backend 'theano' means PyTensor, Theano's maintained successor; using 'pytensor'."
        )
    info = ENGINES[name]
    if name not in IMPLEMENTED:
        raise EngineNotAvailableError(
            f"lamina's {info.display} backend ('{name}') is not available in this version; "
            f"available: {', '.join(IMPLEMENTED)}. Choose one with LAMINA_BACKEND=... or "
            "`lamina config set backend NAME`."
        )
    if not info.installed():
        source = _config.settings()["backend"].source
        raise EngineNotInstalledError(
            f"The configured backend {name!r} (from {source}) needs {info.display}, which is not "
            f"installed in this Python ({sys.executable}). Install it with:\n    {info.pip_command}\n"
            "or choose another backend with LAMINA_BACKEND or `lamina config set backend NAME`."
        )
    if name == "tensorflow":
        from lamina.backend import tensorflow as module
    elif name == "jax":
        from lamina.backend import jax as module
    elif name == "torch":
        from lamina.backend import torch as module
    elif name == "pytensor":
        from lamina.backend import pytensor as module
    else:
        from lamina.backend import numpy as module
    _announce(info.display)
    return module


def _announce(display: str) -> None:
    if os.environ.get("LAMINA_QUIET", "") not in ("", "0"):
        return
    if multiprocessing.parent_process() is not None:
        return
    print(f"Using {display} backend.", file=sys.stderr)


engine = _select()


def clear_session(free_memory: bool = True) -> None:
    """Resets lamina's global state (automatic names, the global dtype policy), as
    `keras.backend.clear_session()` does; the same as `lamina.utils.clear_session`."""
    from lamina.utils.global_state import clear_session as reset

    reset(free_memory=free_memory)
