"""Normalization layers."""

from lamina.layers.normalization.batch_normalization import (
    BatchNormalization as BatchNormalization,
)
from lamina.layers.normalization.layer_normalization import (
    LayerNormalization as LayerNormalization,
)
from lamina.layers.normalization.unit_normalization import (
    UnitNormalization as UnitNormalization,
)

__all__ = ["BatchNormalization", "LayerNormalization", "UnitNormalization"]
