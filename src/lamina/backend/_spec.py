"""The engine-free description of a tensor: shape and dtype."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorSpec:
    """A tensor's static shape (None for unknown dims) and dtype name."""

    shape: tuple
    dtype: str = "float32"
