"""Preprocessing layers: Normalization, Rescaling."""

from lamina.layers.preprocessing.normalization import Normalization as Normalization
from lamina.layers.preprocessing.rescaling import Rescaling as Rescaling

__all__ = ["Normalization", "Rescaling"]
