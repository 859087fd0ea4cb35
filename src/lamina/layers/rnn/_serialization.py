"""Nested layer configs for RNN cells and wrapper layers.

A nested layer is stored as Keras 3 stores it (`module`, `class_name`,
`config`, `registered_name`) so configs move between Keras and lamina. When
`lamina.saving` provides the general serializer it is used; otherwise the
class is looked up by name among `lamina.layers`, never imported from a path.
"""

from __future__ import annotations


def serialize_layer(layer) -> dict:
    try:
        from lamina.saving import serialize_keras_object
    except ImportError:
        serialize_keras_object = None
    if serialize_keras_object is not None:
        return serialize_keras_object(layer)
    return {
        "module": "keras.layers",
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "registered_name": None,
    }


def deserialize_layer(config, custom_objects=None):
    from lamina.layers.layer import Layer

    if isinstance(config, Layer):
        return config
    try:
        from lamina.saving import deserialize_keras_object
    except ImportError:
        deserialize_keras_object = None
    if deserialize_keras_object is not None:
        return deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Expected a layer or a serialized layer (a dict with 'class_name' and 'config'); "
            f"got {config!r}."
        )
    import lamina.layers

    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or getattr(lamina.layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(
            f"Unknown layer class {name!r} in a nested layer config. Pass it in "
            "custom_objects={...} if it is a custom layer."
        )
    return cls.from_config(dict(config.get("config", {})))
