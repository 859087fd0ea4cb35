"""Preprocessing layers: Rescaling."""

from lamina.layers.preprocessing.rescaling import Rescaling as Rescaling

__all__ = ["Rescaling"]
