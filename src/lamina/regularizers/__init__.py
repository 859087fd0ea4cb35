"""lamina.regularizers: weight penalties (Keras's `keras.regularizers`)."""

from __future__ import annotations

from lamina.regularizers.regularizers import L1 as L1
from lamina.regularizers.regularizers import L1L2 as L1L2
from lamina.regularizers.regularizers import L2 as L2
from lamina.regularizers.regularizers import OrthogonalRegularizer as OrthogonalRegularizer
from lamina.regularizers.regularizers import Regularizer as Regularizer
from lamina.utils._component_registry import ComponentFamily

# Keras's lower-case aliases name the classes themselves.
l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update(
    {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
)


_FAMILY = ComponentFamily(
    "regularizer", Regularizer, _BY_NAME, "keras.regularizers", "l2", "`fn(weight) -> scalar`"
)


def serialize(regularizer: Regularizer | None) -> dict | None:
    """The Keras-format dict that `deserialize` turns back into `regularizer` (None stays None)."""
    return _FAMILY.serialize(regularizer)


def deserialize(config, custom_objects: dict | None = None) -> Regularizer:
    """A regularizer from `{"class_name": ..., "config": {...}}` or a name."""
    return _FAMILY.deserialize(config, custom_objects)


def get(identifier):
    """A regularizer from None, a name ("l2"), a config dict, an instance, a class or a callable.

    Example:
        >>> lamina.regularizers.get("l2")
    """
    return _FAMILY.get(identifier)


__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]
