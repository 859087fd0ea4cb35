"""lamina.constraints: projections of weights after updates (Keras's `keras.constraints`)."""

from __future__ import annotations

from lamina.constraints.constraints import Constraint as Constraint
from lamina.constraints.constraints import MaxNorm as MaxNorm
from lamina.constraints.constraints import MinMaxNorm as MinMaxNorm
from lamina.constraints.constraints import NonNeg as NonNeg
from lamina.constraints.constraints import UnitNorm as UnitNorm
from lamina.utils._component_registry import ComponentFamily

# Keras's lower-case aliases name the classes themselves.
max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update(
    {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}
)


_FAMILY = ComponentFamily(
    "constraint", Constraint, _BY_NAME, "keras.constraints", "max_norm", "`fn(weight) -> weight`"
)


def serialize(constraint: Constraint | None) -> dict | None:
    """The Keras-format dict that `deserialize` turns back into `constraint` (None stays None)."""
    return _FAMILY.serialize(constraint)


def deserialize(config, custom_objects: dict | None = None) -> Constraint:
    """A constraint from `{"class_name": ..., "config": {...}}` or a name."""
    return _FAMILY.deserialize(config, custom_objects)


def get(identifier):
    """A constraint from None, a name ("max_norm"), a config dict, an instance, a class or a callable.

    Example:
        >>> lamina.constraints.get("non_neg")
    """
    return _FAMILY.get(identifier)


__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]
