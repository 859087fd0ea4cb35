"""Objects to plain configs and back, in Keras 3's format, through a registry only.

A serialized object is `{"module", "class_name", "config", "registered_name"}`.
Deserialization looks class names up in lamina's registry and the caller's
`custom_objects`; it never imports a module named in the data.
"""

from __future__ import annotations

_KERAS_MODULES = {
    "layers": "keras.layers",
    "models": "keras.models",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "optimizers": "keras.optimizers",
    "initializers": "keras.initializers",
    "regularizers": "keras.regularizers",
    "constraints": "keras.constraints",
}


def _public_module(obj) -> str:
    module = type(obj).__module__
    parts = module.split(".")
    if parts[0] == "lamina" and len(parts) > 1 and parts[1] in _KERAS_MODULES:
        return _KERAS_MODULES[parts[1]]
    if parts[0] == "lamina" and len(parts) > 1 and parts[1] == "models":
        return "keras.models"
    return module


def serialize_keras_object(obj) -> dict | None:
    """`obj` as a Keras 3 style config dict."""
    if obj is None:
        return None
    config = obj.get_config()
    result = {
        "module": _public_module(obj),
        "class_name": type(obj).__name__,
        "config": config,
        "registered_name": None
        if type(obj).__module__.startswith("lamina.")
        else type(obj).__name__,
    }
    build_config = getattr(obj, "get_build_config", None)
    if callable(build_config):
        built = build_config()
        if built:
            result["build_config"] = built
    return result
