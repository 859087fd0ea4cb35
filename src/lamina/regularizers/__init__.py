"""lamina.regularizers: weight penalties (Keras's `keras.regularizers`)."""

from __future__ import annotations

import difflib
import inspect

from lamina.regularizers.regularizers import L1 as L1
from lamina.regularizers.regularizers import L1L2 as L1L2
from lamina.regularizers.regularizers import L2 as L2
from lamina.regularizers.regularizers import OrthogonalRegularizer as OrthogonalRegularizer
from lamina.regularizers.regularizers import Regularizer as Regularizer

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


def _lookup(name: str) -> type:
    cls = _BY_NAME.get(name)
    if cls is None:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown regularizer {name!r}.{hint} Known regularizers: "
            f"{', '.join(sorted(_BY_NAME))}."
        )
    return cls


def serialize(regularizer: Regularizer | None) -> dict | None:
    """The Keras-format dict that `deserialize` turns back into `regularizer` (None stays None)."""
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        raise ValueError(f"serialize() expects a Regularizer instance; got {regularizer!r}.")
    return {
        "module": "keras.regularizers",
        "class_name": type(regularizer).__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects: dict | None = None) -> Regularizer:
    """A regularizer from `{"class_name": ..., "config": {...}}` or a name."""
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
    """A regularizer from None, a name ("l2"), a config dict, an instance, a class or a callable.

    Example:
        >>> lamina.regularizers.get("l2")
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
        f"Could not interpret regularizer identifier {identifier!r}: expected None, a name "
        "such as 'l2', a config dict, a Regularizer or a callable `fn(weight) -> scalar`."
    )


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
