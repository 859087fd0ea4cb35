"""lamina.constraints: projections of weights after updates (Keras's `keras.constraints`)."""

from __future__ import annotations

import difflib
import inspect

from lamina.constraints.constraints import Constraint as Constraint
from lamina.constraints.constraints import MaxNorm as MaxNorm
from lamina.constraints.constraints import MinMaxNorm as MinMaxNorm
from lamina.constraints.constraints import NonNeg as NonNeg
from lamina.constraints.constraints import UnitNorm as UnitNorm

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


def _lookup(name: str) -> type:
    cls = _BY_NAME.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown constraint {name!r}.{hint} Known constraints: {', '.join(sorted(_BY_NAME))}."
        )
    return cls


def serialize(constraint: Constraint | None) -> dict | None:
    """The Keras-format dict that `deserialize` turns back into `constraint` (None stays None)."""
    if constraint is None:
        return None
    if not isinstance(constraint, Constraint):
        raise ValueError(f"serialize() expects a Constraint instance; got {constraint!r}.")
    return {
        "module": "keras.constraints",
        "class_name": type(constraint).__name__,
        "config": constraint.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects: dict | None = None) -> Constraint:
    """A constraint from `{"class_name": ..., "config": {...}}` or a name."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize() expects a dict with 'class_name' and 'config' keys; got {config!r}."
        )
    name = config["class_name"]
    cls = custom_objects.get(name) or _lookup(name)
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A constraint from None, a name ("max_norm"), a config dict, an instance, a class or a callable.

    Example:
        >>> lamina.constraints.get("non_neg")
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret constraint identifier {identifier!r}: expected None, a name "
        "such as 'max_norm', a config dict, a Constraint or a callable `fn(weight) -> weight`."
    )


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
