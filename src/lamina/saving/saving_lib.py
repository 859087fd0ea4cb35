"""The `.keras` format: `config.json`, `metadata.json` and `model.weights.h5` in a zip.

Writing goes through `lamina._atomic` (a temporary sibling file, fsync, rename),
so a crash mid-save leaves the previous file whole. Reading parses JSON
strictly, builds objects only through the registry, and checks every weight's
shape against the model before reading its data.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tempfile

import numpy as np

from lamina._version import __version__
from lamina.saving import _h5_weights, _zip_format
from lamina.saving.serialization import (
    DeserializationError,
    deserialize_keras_object,
    serialize_keras_object,
)

# Written to metadata.json: the Keras format generation the files follow.
KERAS_FORMAT_VERSION = "3.5.0"
# No size in a model config (units, filters, dimensions) may exceed this.
MAX_CONFIG_INT = 2**31 - 1
# Integers in configs that are identifiers, not sizes (Keras numbers shared objects).
_NOT_SIZES = frozenset({"shared_object_id"})


# ---------------------------------------------------------------------- JSON
def _json_default(value):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"Cannot write {type(value).__name__} {value!r} to JSON.")


def dumps(value, **kwargs) -> str:
    return json.dumps(value, default=_json_default, **kwargs)


def parse_json(data: bytes | str, what: str) -> dict:
    """Parse a JSON document that must be an object; every failure is a clear error."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DeserializationError(f"{what} is not UTF-8 text: {error}.") from error
    try:
        value = json.loads(data)
    except json.JSONDecodeError as error:
        raise DeserializationError(f"{what} is not valid JSON: {error}.") from error
    except RecursionError as error:
        raise DeserializationError(f"{what} is nested too deeply to be a model config.") from error
    if not isinstance(value, dict):
        raise DeserializationError(f"{what} must hold a JSON object; got {type(value).__name__}.")
    return value


# ---------------------------------------------------------------------- compile config
def compile_config_of(model) -> dict | None:
    arguments = getattr(model, "_compile_arguments", None)
    if not getattr(model, "compiled", False) or arguments is None:
        return None
    return {
        "optimizer": serialize_keras_object(model.optimizer),
        "loss": serialize_keras_object(arguments.get("loss")),
        "loss_weights": serialize_keras_object(arguments.get("loss_weights")),
        "metrics": serialize_keras_object(arguments.get("metrics")),
        "weighted_metrics": serialize_keras_object(arguments.get("weighted_metrics")),
        "run_eagerly": bool(arguments.get("run_eagerly", False)),
        "steps_per_execution": arguments.get("steps_per_execution", 1),
        "jit_compile": arguments.get("jit_compile", "auto"),
    }


def compile_from_config(model, config: dict, custom_objects: dict | None = None) -> None:
    if not isinstance(config, dict):
        raise DeserializationError(f"compile_config must be a dict; got {config!r}.")
    optimizer = config.get("optimizer", "rmsprop")
    if isinstance(optimizer, dict):
        from lamina import optimizers

        optimizer = deserialize_keras_object(optimizer, custom_objects)
        if not isinstance(optimizer, optimizers.Optimizer):
            raise DeserializationError(
                f"compile_config names {type(optimizer).__name__} as the optimizer."
            )
    arguments = {
        "optimizer": optimizer,
        "loss": deserialize_keras_object(config.get("loss"), custom_objects),
        "loss_weights": config.get("loss_weights"),
        "metrics": deserialize_keras_object(config.get("metrics"), custom_objects),
        "weighted_metrics": deserialize_keras_object(
            config.get("weighted_metrics"), custom_objects
        ),
        "run_eagerly": bool(config.get("run_eagerly", False)),
        "steps_per_execution": config.get("steps_per_execution", 1) or 1,
    }
    jit_compile = config.get("jit_compile", "auto")
    if jit_compile in (True, False, "auto"):
        arguments["jit_compile"] = jit_compile
    model.compile(**arguments)


# ---------------------------------------------------------------------- configs
def model_to_json(model, **kwargs) -> str:
    return dumps(serialize_keras_object(model), **kwargs)


def model_from_json(json_string, custom_objects: dict | None = None):
    """A model (without weights) from `model.to_json()`, built only from known classes."""
    config = parse_json(json_string, "The model JSON")
    return _model_from_config(config, custom_objects)


def _model_from_config(config: dict, custom_objects: dict | None):
    from lamina.layers.layer import Layer

    if "class_name" not in config:
        raise DeserializationError(
            f"A model config needs 'class_name' and 'config' keys; got keys {sorted(config)[:10]}."
        )
    _check_sizes(config)
    model = deserialize_keras_object(config, custom_objects)
    if not isinstance(model, Layer):
        raise DeserializationError(
            f"The config describes a {type(model).__name__}, not a model or layer."
        )
    return model


def _check_sizes(value, key: str = "") -> None:
    """Refuse sizes no real model has (a layer of 10**12 units), before anything is built."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_sizes(v, str(k))
    elif isinstance(value, list):
        for v in value:
            _check_sizes(v, key)
    elif isinstance(value, int) and not isinstance(value, bool) and key not in _NOT_SIZES:
        if "seed" in key:
            return
        if abs(value) > MAX_CONFIG_INT:
            raise DeserializationError(
                f"The config gives {key!r} the value {value}, larger than any layer size "
                f"lamina builds from a file ({MAX_CONFIG_INT}). The file is corrupt or hostile."
            )


# ---------------------------------------------------------------------- weights
def weights_to_bytes(model, include_optimizer: bool = True) -> bytes:
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        _h5_weights.write(h5file, model, include_optimizer=include_optimizer)
    return buffer.getvalue()


def load_weights_from_bytes(model, data: bytes, skip_mismatch=False, include_optimizer=True):
    import h5py

    try:
        h5file = h5py.File(io.BytesIO(data), "r")
    except OSError as error:
        raise DeserializationError(
            f"The weights are not a readable HDF5 file ({error}); the file is damaged or "
            "truncated."
        ) from error
    with h5file:
        _h5_weights.read(
            h5file, model, skip_mismatch=skip_mismatch, include_optimizer=include_optimizer
        )


# ---------------------------------------------------------------------- whole models
def model_archive_members(model, include_optimizer: bool = True) -> dict[str, bytes]:
    config = serialize_keras_object(model)
    compile_config = compile_config_of(model) if include_optimizer else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    metadata = {
        "keras_version": KERAS_FORMAT_VERSION,
        "lamina_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    return {
        _zip_format.METADATA: dumps(metadata).encode("utf-8"),
        _zip_format.CONFIG: dumps(config).encode("utf-8"),
        _zip_format.WEIGHTS: weights_to_bytes(model, include_optimizer),
        **assets_members(model),
    }


# ---------------------------------------------------------------------- assets
def _asset_owners(model):
    """`(assets folder in the archive, object)` for each object with assets hooks."""
    for path, obj, _ in _h5_weights.walk(model, include_optimizer=False):
        if callable(getattr(obj, "save_assets", None)):
            yield _zip_format.ASSETS + (f"{path}/" if path else ""), obj


def assets_members(model) -> dict[str, bytes]:
    """The files each layer's `save_assets(dir)` writes, as archive members under
    `assets/<the layer's weights path>/`, as Keras 3 stores them."""
    members = {}
    for folder, obj in _asset_owners(model):
        with tempfile.TemporaryDirectory() as tmp:
            obj.save_assets(tmp)
            for root, _, files in sorted(os.walk(tmp)):
                for name in sorted(files):
                    full = os.path.join(root, name)
                    relative = os.path.relpath(full, tmp).replace(os.sep, "/")
                    with open(full, "rb") as f:
                        members[folder + relative] = f.read()
    return members


def load_assets(model, members: dict[str, bytes]) -> None:
    """Hand each layer with `load_assets(dir)` a folder holding the files saved for it."""
    for folder, obj in _asset_owners(model):
        if not callable(getattr(obj, "load_assets", None)):
            continue
        files = {n[len(folder) :]: d for n, d in members.items() if n.startswith(folder)}
        if not files:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for relative, data in files.items():
                target = os.path.join(tmp, *relative.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as f:
                    f.write(data)
            obj.load_assets(tmp)


def load_model_from_archive(path, custom_objects=None, compile=True):
    members = _zip_format.read_members(path)
    if _zip_format.METADATA in members:
        parse_json(members[_zip_format.METADATA], f"metadata.json in {os.fspath(path)!r}")
    config = parse_json(members[_zip_format.CONFIG], f"config.json in {os.fspath(path)!r}")
    model = _model_from_config(config, custom_objects)
    compile_config = config.get("compile_config")
    compiled = False
    if compile and compile_config and hasattr(model, "compile"):
        compile_from_config(model, compile_config, custom_objects)
        compiled = True
    load_weights_from_bytes(model, members[_zip_format.WEIGHTS], include_optimizer=compiled)
    load_assets(model, members)
    return model
