"""What lamina knows about each engine, without importing any of them.

Also importable as `lamina.backend._engines`; it lives here so that the CLI can
read it without importing `lamina.backend` (which selects and imports an engine).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Engine:
    name: str  # the config value
    display: str  # as in "Using TensorFlow backend."
    module: str  # the engine's top-level module
    distributions: tuple[str, ...]  # pip distributions that provide it
    extra: str  # lamina's extra that installs it

    @property
    def pip_command(self) -> str:
        return f'pip install "lamina[{self.extra}]"'

    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def version(self) -> str | None:
        for dist in self.distributions:
            try:
                return importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                continue
        return None


ENGINES = {
    e.name: e
    for e in (
        Engine(
            "tensorflow",
            "TensorFlow",
            "tensorflow",
            ("tensorflow", "tensorflow-cpu"),
            "tensorflow",
        ),
        Engine("jax", "JAX", "jax", ("jax",), "jax"),
        Engine("torch", "PyTorch", "torch", ("torch",), "torch"),
        Engine("pytensor", "PyTensor", "pytensor", ("pytensor",), "pytensor"),
        Engine("numpy", "NumPy", "autograd", ("autograd",), "numpy"),
    )
}

# Engines whose lamina backend package exists in this version of lamina.
IMPLEMENTED = ("tensorflow", "jax", "torch", "pytensor", "numpy")

# The modules every backend package provides, with the same function names.
CONTRACT_MODULES = ("core", "numpy", "nn", "random", "linalg", "math", "functional", "image")

# Modules a backend package may provide to do faster what lamina otherwise does
# with the contract's functions (docs/backend-contract.md).
OPTIONAL_MODULES = ("optimizers",)


class EngineNotInstalledError(ImportError):
    """The configured engine cannot be imported."""


class EngineNotAvailableError(NotImplementedError):
    """The configured engine has no lamina backend in this version."""
