"""Config helpers shared by the layers: Keras stores an unset regularizer,
constraint or initializer as None."""

from __future__ import annotations


def serialize_or_none(module, obj):
    """`module.serialize(obj)`, or None for an unset (None) argument."""
    return None if obj is None else module.serialize(obj)
