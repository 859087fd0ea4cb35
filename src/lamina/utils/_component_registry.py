"""Name lookup, serialize, deserialize and get() for a family of Keras components
(regularizers, constraints): the same rules for each, one implementation."""

from __future__ import annotations

import difflib
import inspect


class ComponentFamily:
    """The public helpers of one component family.

    Args:
        kind: the family's singular name, as error messages say it ("regularizer").
        base: the family's base class.
        by_name: `{name: class}` for class names and Keras's lower-case aliases.
        module: the Keras module a serialized config names ("keras.regularizers").
        example: a name for the messages' examples ("l2").
        callable_form: how a plain callable is shaped, for the error message.
    """

    def __init__(
        self, kind: str, base: type, by_name: dict, module: str, example: str, callable_form: str
    ):
        self.kind = kind
        self.base = base
        self.by_name = by_name
        self.module = module
        self.example = example
        self.callable_form = callable_form

    def lookup(self, name: str) -> type:
        cls = self.by_name.get(name)
        if cls is None:
            close = difflib.get_close_matches(name, self.by_name, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"Unknown {self.kind} {name!r}.{hint} Known {self.kind}s: "
                f"{', '.join(sorted(self.by_name))}."
            )
        return cls

    def serialize(self, obj) -> dict | None:
        if obj is None:
            return None
        if not isinstance(obj, self.base):
            raise ValueError(f"serialize() expects a {self.base.__name__} instance; got {obj!r}.")
        return {
            "module": self.module,
            "class_name": type(obj).__name__,
            "config": obj.get_config(),
            "registered_name": None,
        }

    def deserialize(self, config, custom_objects: dict | None = None):
        custom_objects = custom_objects or {}
        if isinstance(config, str):
            config = {"class_name": config, "config": {}}
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"deserialize() expects a dict with 'class_name' and 'config' keys; got {config!r}."
            )
        name = config["class_name"]
        cls = custom_objects.get(name) or self.lookup(name)
        return cls.from_config(dict(config.get("config") or {}))

    def get(self, identifier):
        if identifier is None:
            return None
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, str):
            return self.lookup(identifier)()
        if inspect.isclass(identifier):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(
            f"Could not interpret {self.kind} identifier {identifier!r}: expected None, a name "
            f"such as {self.example!r}, a config dict, a {self.base.__name__} or a callable "
            f"{self.callable_form}."
        )
