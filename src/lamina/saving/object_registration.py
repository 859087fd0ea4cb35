"""The registry of user classes and functions that configs may name.

`register_keras_serializable` files a class under `"Package>Name"`; configs
written by lamina or Keras name it in their `registered_name` field, and loading
finds it here. `CustomObjectScope` adds objects for the duration of a `with`
block. Nothing here imports code: a name either is in these tables or it is not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# "Package>Name" -> class or function, filled by register_keras_serializable.
_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
# object -> "Package>Name", the reverse of the table above.
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_scopes = threading.local()


def _scope_stack() -> list[dict]:
    stack = getattr(_scopes, "stack", None)
    if stack is None:
        stack = _scopes.stack = []
    return stack


class CustomObjectScope:
    """Make objects visible to deserialization by name inside a `with` block.

    Args:
        custom_objects: dicts of `{name: class_or_function}`.

    Example:
        >>> with lamina.saving.CustomObjectScope({"MyLayer": MyLayer}):
        ...     model = lamina.models.load_model("model.keras")
    """

    def __init__(self, *custom_objects: dict | None):
        merged: dict = {}
        for objects in custom_objects:
            if objects is None:
                continue
            if not isinstance(objects, dict):
                raise TypeError(
                    "CustomObjectScope takes dicts of {name: object}; got "
                    f"{type(objects).__name__}: {objects!r}."
                )
            merged.update(objects)
        self.custom_objects = merged

    def __enter__(self) -> CustomObjectScope:
        _scope_stack().append(self.custom_objects)
        return self

    def __exit__(self, *exc_info) -> None:
        _scope_stack().pop()


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The global table of registered objects (`{"Package>Name": object}`), live."""
    return _GLOBAL_CUSTOM_OBJECTS


def scoped_custom_objects() -> dict:
    """The objects of the active `CustomObjectScope`s, innermost last."""
    merged: dict = {}
    for objects in _scope_stack():
        merged.update(objects)
    return merged


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Register a class or function so that configs can name it.

    The object is filed as `"package>name"` (name defaults to the object's
    `__name__`), the `registered_name` Keras 3 writes, so files move between
    Keras and lamina.

    Example:
        >>> @lamina.saving.register_keras_serializable(package="my_project")
        ... class Scale(lamina.layers.Layer):
        ...     ...
    """
    if not isinstance(package, str) or ">" in package or not package:
        raise ValueError(
            f"register_keras_serializable(package=...) needs a non-empty name without '>'; "
            f"got {package!r}."
        )

    def decorator(obj):
        object_name = name if name is not None else getattr(obj, "__name__", None)
        if not isinstance(object_name, str) or not object_name:
            raise ValueError(f"register_keras_serializable: cannot name {obj!r}; pass name='...'.")
        if isinstance(obj, type) and not callable(getattr(obj, "get_config", None)):
            raise ValueError(
                f"Cannot register class {obj.__name__!r}: it has no get_config() method, so "
                "it could not be saved. Define get_config() returning its constructor arguments."
            )
        registered = f"{package}>{object_name}"
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """The `"Package>Name"` of a registered object, else its `__name__`."""
    try:
        registered = _GLOBAL_CUSTOM_NAMES.get(obj)
    except TypeError:  # unhashable
        registered = None
    if registered is not None:
        return registered
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects=None):
    """The object filed under `name`: in `custom_objects`, an active scope, the
    global registry or `module_objects`, in that order; None when absent."""
    if not isinstance(name, str):
        return None
    for table in (custom_objects or {}, scoped_custom_objects(), _GLOBAL_CUSTOM_OBJECTS):
        if name in table:
            return table[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
