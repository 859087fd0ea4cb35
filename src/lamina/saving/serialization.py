"""Objects to plain configs and back, in Keras 3's format, through a registry only.

A serialized object is `{"module", "class_name", "config", "registered_name"}`,
plus `"build_config"` and `"compile_config"` for models. Deserialization looks
class names up in lamina's own registry (every public layer, loss, metric,
optimizer, schedule, initializer, regularizer, constraint, activation and
model) and in the caller's custom objects and registered classes. It never
imports a module named in the data, and never runs stored code: `"module"` is
read only as a hint to tell apart two lamina objects of the same name.
"""

from __future__ import annotations

import inspect
import types

import numpy as np

from lamina.saving import object_registration

# The categories of lamina's registry, in the order a name without a module hint is
# looked up, and the public Keras module each one is written as.
_CATEGORIES = (
    ("layers", "keras.layers"),
    ("models", "keras.models"),
    ("losses", "keras.losses"),
    ("metrics", "keras.metrics"),
    ("schedules", "keras.optimizers.schedules"),
    ("optimizers", "keras.optimizers"),
    ("initializers", "keras.initializers"),
    ("regularizers", "keras.regularizers"),
    ("constraints", "keras.constraints"),
    ("activations", "keras.activations"),
)
# Module-level helpers that share a namespace with serializable objects but are not objects.
_NOT_OBJECTS = frozenset({"get", "serialize", "deserialize"})
# Keras writes these two classes with module paths that differ from their category.
_MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras"}
_MAX_ARRAY_ELEMENTS = 1 << 28

_builtin_tables: dict[str, dict[str, object]] | None = None


class DeserializationError(ValueError):
    """A config names something lamina cannot (or will not) turn into an object."""


def _lamina_module(category: str):
    import importlib

    # The names here are lamina's own fixed packages, never strings from a file.
    if category == "schedules":
        return importlib.import_module("lamina.optimizers.schedules")
    return importlib.import_module(f"lamina.{category}")


def _own_objects(module, category: str) -> dict[str, object]:
    table = {}
    names = list(getattr(module, "__all__", None) or dir(module))
    for name in names:
        if name.startswith("__") or name in _NOT_OBJECTS:
            continue
        obj = getattr(module, name, None)
        if isinstance(obj, types.ModuleType) or obj is None:
            continue
        if not str(getattr(obj, "__module__", "")).startswith("lamina."):
            continue
        if isinstance(obj, type):
            if hasattr(obj, "from_config") or hasattr(obj, "get_config"):
                table[name] = obj
                table.setdefault(obj.__name__, obj)
        elif isinstance(obj, types.FunctionType) and category in (
            "losses",
            "metrics",
            "activations",
        ):
            table[name] = obj
    return table


def builtin_objects() -> dict[str, dict[str, object]]:
    """lamina's registry: `{category: {name: class_or_function}}`, built on first use."""
    global _builtin_tables
    if _builtin_tables is None:
        tables = {}
        for category, _ in _CATEGORIES:
            tables[category] = _own_objects(_lamina_module(category), category)
        from lamina.layers.core.lambda_layer import _SymbolicOp
        from lamina.layers.input_layer import InputLayer
        from lamina.models import Functional, Model, Sequential

        tables["layers"]["_SymbolicOp"] = _SymbolicOp
        tables["layers"]["InputLayer"] = InputLayer
        tables["models"].update(
            {"Functional": Functional, "Model": Model, "Sequential": Sequential}
        )
        _builtin_tables = tables
    return _builtin_tables


def _category_of_module(module) -> str | None:
    if not isinstance(module, str):
        return None
    parts = module.split(".")
    if "schedules" in parts or "learning_rate_schedule" in parts:
        return "schedules"
    for category, _ in _CATEGORIES:
        if category in parts:
            return category
    if parts[-1] in ("keras", "lamina"):
        return "models"
    return None


def _category_of_object(obj) -> str | None:
    for category, table in builtin_objects().items():
        if any(candidate is obj for candidate in table.values()):
            return category
    return None


def _lookup_builtin(name: str, module=None, functions: bool | None = None):
    tables = builtin_objects()
    hint = _category_of_module(module)
    order = [hint] if hint else []
    order += [category for category, _ in _CATEGORIES if category != hint]
    for category in order:
        obj = tables[category].get(name)
        if obj is None:
            continue
        if functions is None or functions == (not isinstance(obj, type)):
            return obj
    return None


# ---------------------------------------------------------------------- serialize
def _public_module(obj) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    if cls.__name__ in _MODEL_MODULES and cls.__module__.startswith("lamina.models"):
        return _MODEL_MODULES[cls.__name__]
    category = _category_of_object(obj if isinstance(obj, types.FunctionType) else cls)
    if category is not None:
        return dict(_CATEGORIES)[category]
    if cls.__module__.startswith("lamina.applications."):
        # The applications' own layers (LayerScale, CustomScaleLayer): Keras's
        # classes of the same names live in its module of the same name.
        return "keras.src.applications." + cls.__module__.rsplit(".", 1)[1]
    return cls.__module__ if not isinstance(obj, types.FunctionType) else obj.__module__


def _is_builtin(obj) -> bool:
    target = obj if isinstance(obj, (type, types.FunctionType)) else type(obj)
    return _category_of_object(target) is not None


def serialize_keras_object(obj):
    """`obj` as a Keras 3 config: plain values stay as they are, objects become
    `{"module", "class_name", "config", "registered_name"}`.

    Example:
        >>> lamina.saving.serialize_keras_object(lamina.layers.Dense(2))["class_name"]
        'Dense'
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, np.ndarray):
        return {
            "class_name": "__numpy__",
            "config": {"value": obj.tolist(), "dtype": str(obj.dtype)},
        }
    if isinstance(obj, slice):
        return {
            "class_name": "__slice__",
            "config": {
                "start": serialize_keras_object(obj.start),
                "stop": serialize_keras_object(obj.stop),
                "step": serialize_keras_object(obj.step),
            },
        }
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if _is_engine_tensor(obj):
        from lamina.backend import engine

        value = np.asarray(engine.core.convert_to_numpy(obj))
        return {
            "class_name": "__tensor__",
            "config": {"value": value.tolist(), "dtype": str(value.dtype)},
        }
    if isinstance(obj, types.FunctionType) or (
        callable(obj) and not hasattr(obj, "get_config") and hasattr(obj, "__name__")
    ):
        return _serialize_function(obj)
    if isinstance(obj, type):
        raise TypeError(
            f"Cannot serialize the class {obj.__name__!r} itself; serialize an instance."
        )
    get_config = getattr(obj, "get_config", None)
    if not callable(get_config):
        raise TypeError(
            f"Cannot serialize {obj!r} (type {type(obj).__name__}): it has no get_config(). "
            "Give the class a get_config() that returns its constructor arguments."
        )
    identity = getattr(obj, "_serialized_identity", None)
    if identity is not None:  # an op node: saved as Keras saves its operations
        module, class_name = identity()
        return {
            "module": module,
            "class_name": class_name,
            "config": serialize_keras_object(get_config()),
            "registered_name": class_name,
        }
    builtin = _is_builtin(obj)
    result = {
        "module": _public_module(obj),
        # A class Keras exports under another name than its own says so itself
        # (not inherited: a subclass is saved under its own name).
        "class_name": vars(type(obj)).get("_serialized_class_name", type(obj).__name__),
        "config": serialize_keras_object(get_config()),
        "registered_name": None if builtin else object_registration.get_registered_name(type(obj)),
    }
    build_config = _build_config(obj)
    if build_config is not None:
        result["build_config"] = build_config
    return result


def _is_engine_tensor(obj) -> bool:
    from lamina.backend import engine

    return not hasattr(obj, "get_config") and bool(engine.core.is_tensor(obj))


def _serialize_function(fn) -> dict:
    registered = object_registration._GLOBAL_CUSTOM_NAMES.get(fn)
    if registered is not None:
        name, module = registered, fn.__module__
    elif _is_builtin(fn):
        name, module = fn.__name__, _public_module(fn)
    else:
        name, module = getattr(fn, "__name__", type(fn).__name__), getattr(fn, "__module__", None)
        if name == "<lambda>":
            raise TypeError(
                "Cannot serialize a lambda: lamina stores functions by name only, and never "
                "stores code. Define a named function and register it with "
                "@lamina.saving.register_keras_serializable()."
            )
    return {
        "module": module,
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def _build_config(obj) -> dict | None:
    getter = getattr(obj, "get_build_config", None)
    if callable(getter):
        built = getter()
        return built or None
    shape = getattr(obj, "_saving_input_shape", None)
    if shape is not None and getattr(obj, "built", False):
        return {"input_shape": serialize_keras_object(shape)}
    return None


# ---------------------------------------------------------------------- deserialize
def _resolve(class_name: str, config: dict, custom_objects: dict | None):
    registered = config.get("registered_name")
    module = config.get("module")
    for key in (registered, class_name):
        if isinstance(key, str) and key != "function":
            found = object_registration.get_registered_object(key, custom_objects)
            if found is not None:
                return found
    found = _lookup_builtin(class_name, module, functions=False)
    if found is not None:
        return found
    raise DeserializationError(
        f"Unknown class {class_name!r} (module {module!r}, registered_name {registered!r}) in a "
        "config. lamina only builds its own classes and the ones you pass: it never imports a "
        "module named in a file. If this is your class, pass custom_objects={"
        f"{class_name!r}: {class_name}}} or decorate it with "
        "@lamina.saving.register_keras_serializable()."
    )


def _resolve_function(config: dict, custom_objects: dict | None):
    name = config.get("config")
    if not isinstance(name, str):
        raise DeserializationError(
            f"A serialized function must name the function as a string; got {name!r}."
        )
    found = object_registration.get_registered_object(name, custom_objects)
    if found is None and ">" in name:
        found = object_registration.get_registered_object(name.split(">")[-1], custom_objects)
    if found is None:
        found = _lookup_builtin(name, config.get("module"), functions=True)
    if found is None:
        raise DeserializationError(
            f"Unknown function {name!r} (module {config.get('module')!r}) in a config. lamina "
            "never imports functions named in a file: pass it with custom_objects="
            f"{{{name!r}: {name}}} or register it with @lamina.saving.register_keras_serializable()."
        )
    return found


def _special(class_name: str, config: dict):
    inner = config.get("config")
    if class_name == "__lambda__":
        raise DeserializationError(
            "The config holds the bytecode of a Python lambda. lamina never runs code from a "
            "file; rebuild the Lambda layer with a named function and pass it with "
            "custom_objects={'name': function}."
        )
    if not isinstance(inner, dict):
        raise DeserializationError(f"{class_name} needs a dict config; got {inner!r}.")
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(v) for v in inner.get("value", []))
    if class_name == "__bytes__":
        return str(inner.get("value", "")).encode("utf-8")
    if class_name == "__slice__":
        return slice(
            *(deserialize_keras_object(inner.get(key)) for key in ("start", "stop", "step"))
        )
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name in ("__numpy__", "__tensor__"):
        dtype = np.dtype(str(inner.get("dtype", "float32")))
        if dtype.kind not in "biuf":
            raise DeserializationError(f"Arrays in configs must be numeric; got dtype {dtype}.")
        value = np.asarray(inner.get("value"), dtype=dtype)
        if value.size > _MAX_ARRAY_ELEMENTS:
            raise DeserializationError(f"An array in the config is too large ({value.size}).")
        return value
    raise DeserializationError(
        f"Keras tensor placeholders ({class_name}) are only valid inside a functional "
        "model's layer graph."
    )


def deserialize_keras_object(
    config, custom_objects: dict | None = None, safe_mode: bool = True, **kwargs
):
    """Rebuild an object from `serialize_keras_object`'s output.

    Class names resolve through `custom_objects`, the active `CustomObjectScope`,
    registered classes and lamina's own classes, and nowhere else. `safe_mode` is
    accepted for Keras compatibility; lamina is always safe: stored code is refused.

    Example:
        >>> config = lamina.saving.serialize_keras_object(lamina.layers.Dense(2))
        >>> lamina.saving.deserialize_keras_object(config)
    """
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        return config
    if "class_name" not in config:
        return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
    class_name = config["class_name"]
    if not isinstance(class_name, str):
        raise DeserializationError(f"'class_name' must be a string; got {class_name!r}.")
    if class_name == "function":
        return _resolve_function(config, custom_objects)
    if class_name.startswith("__") and class_name.endswith("__"):
        return _special(class_name, config)
    inner = config.get("config", {})
    if inner is None:
        inner = {}
    if not isinstance(inner, (dict, str)):
        raise DeserializationError(
            f"The config of {class_name!r} must be a dict; got {type(inner).__name__}."
        )
    operation = _operation(config, inner)
    if operation is not None:
        return operation
    cls = _resolve(class_name, config, custom_objects)
    if not isinstance(cls, type):
        return cls  # a registered or built-in function named as a class
    if isinstance(inner, str):
        raise DeserializationError(
            f"The config of class {class_name!r} must be a dict; got the string {inner!r}."
        )
    with object_registration.CustomObjectScope(custom_objects):
        instance = _instantiate(cls, dict(inner), custom_objects)
        _apply_build_config(instance, config.get("build_config"))
    return instance


def _operation(config: dict, inner):
    """The op node a Keras 3 (`keras.src.ops.numpy` `Mean`) or lamina (`lamina.ops`)
    entry names, or None for any other class."""
    from lamina.ops._symbolic import operation_from_config

    if not isinstance(inner, dict):
        return None
    try:
        return operation_from_config(config.get("module"), config["class_name"], inner)
    except ValueError as error:
        raise DeserializationError(str(error)) from error


def _instantiate(cls: type, inner: dict, custom_objects: dict | None):
    from lamina.layers.core.lambda_layer import Lambda, _SymbolicOp

    if issubclass(cls, Lambda):
        inner = _lambda_config(inner, custom_objects)
    elif issubclass(cls, _SymbolicOp):
        _check_symbolic_op(inner)
    else:
        inner = _resolve_custom_values(inner, custom_objects)
    if cls.__name__ == "InputLayer":
        # Keras 3 writes these for every input; lamina has neither ragged nor optional inputs.
        for key in ("ragged", "optional"):
            if not inner.get(key):
                inner.pop(key, None)
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        raise DeserializationError(f"Class {cls.__name__!r} has no from_config().")
    try:
        parameters = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        parameters = {}
    try:
        if "custom_objects" in parameters:
            return from_config(inner, custom_objects=custom_objects)
        return from_config(inner)
    except DeserializationError:
        raise
    except MemoryError as error:
        raise DeserializationError(
            f"{cls.__name__} from this config needs more memory than is available: the "
            "config declares absurd sizes."
        ) from error
    except Exception as error:  # a malformed config must give a clear error, whatever fails
        raise DeserializationError(
            f"Could not rebuild {cls.__name__} from its config: {type(error).__name__}: {error}"
        ) from error


def _resolve_custom_values(inner: dict, custom_objects: dict | None) -> dict:
    """Nested objects that name user classes or functions are built here, so that the
    layer's own `get()` calls (which know only lamina's objects) receive objects."""
    result = {}
    for key, value in inner.items():
        if isinstance(value, dict) and isinstance(value.get("class_name"), str):
            name = value["class_name"]
            lookup = value.get("config") if name == "function" else value.get("registered_name")
            custom = None
            for candidate in (lookup, name):
                if isinstance(candidate, str) and candidate != "function":
                    custom = custom or object_registration.get_registered_object(
                        candidate, custom_objects
                    )
            if custom is not None:
                value = deserialize_keras_object(value, custom_objects)
        result[key] = value
    return result


def _lambda_config(inner: dict, custom_objects: dict | None) -> dict:
    inner = dict(inner)
    for key in ("function", "output_shape", "mask"):
        value = inner.get(key)
        if value is None or (key != "function" and isinstance(value, (list, tuple))):
            continue
        if isinstance(value, dict):
            if value.get("class_name") == "__lambda__" or not isinstance(value.get("config"), str):
                raise DeserializationError(
                    f"Lambda layer {inner.get('name')!r}: its {key!r} is stored as Python "
                    "bytecode. lamina never runs code from a file. Rebuild the model in code, or "
                    "use a named function and pass it with custom_objects={'name': function}."
                )
            value = value.get("config")
        if isinstance(value, (list, tuple)):  # Keras 2: (bytecode, defaults, closure)
            raise DeserializationError(
                f"Lambda layer {inner.get('name')!r}: its {key!r} is stored as Python bytecode. "
                "lamina never runs code from a file; pass the function with custom_objects."
            )
        if not isinstance(value, str):
            raise DeserializationError(
                f"Lambda layer {inner.get('name')!r}: {key!r} must name a function; got {value!r}."
            )
        found = object_registration.get_registered_object(value, custom_objects)
        if found is None:
            raise DeserializationError(
                f"Lambda layer {inner.get('name')!r} calls the function {value!r}, which is not "
                "in custom_objects. lamina never loads code from files: pass it, e.g. "
                f"load_model(path, custom_objects={{{value!r}: {value}}})."
            )
        inner[key] = found
    inner.pop("function_type", None)
    inner.pop("output_shape_type", None)
    inner.pop("module", None)
    inner.pop("output_shape_module", None)
    return inner


def _check_symbolic_op(inner: dict) -> None:
    from lamina import ops

    op = inner.get("op")
    if op == "_getitem":
        return
    if not isinstance(op, str) or op.startswith("_") or not callable(getattr(ops, op, None)):
        raise DeserializationError(
            f"A symbolic-op layer names {op!r}, which is not a public lamina.ops operation."
        )


def _apply_build_config(instance, build_config) -> None:
    if not isinstance(build_config, dict) or getattr(instance, "built", True):
        return
    shape = build_config.get("input_shape")
    if shape is None or not hasattr(instance, "build"):
        return
    from lamina.layers.input_spec import InputShapeError

    try:
        instance.build(_as_shape(shape))
    except (TypeError, ValueError, InputShapeError, NotImplementedError):
        # A layer that cannot build from a bare shape builds on its first call instead.
        return
    instance.built = True


def _as_shape(shape):
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, (list, tuple)):
        return [_as_shape(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _as_shape(v) for k, v in shape.items()}
    return shape


def get_registered_name(obj) -> str:
    return object_registration.get_registered_name(obj)
