"""Keras 2 (tf.keras) full-model `.h5` files, read-only.

The architecture comes from the `model_config` attribute and goes through the
same registry as `.keras` files: a Lambda layer's stored bytecode is refused
here too (the legacy path is not a way around safety). Weights come from
`model_weights/<layer>/<weight name>`, matched to each layer's weights in
order, trainable first, as Keras 2 wrote them. A weights-only file loads as
Keras 3 loads it: layer by layer in order, or by layer name with
`by_name=True`. The optimizer state of a Keras 2 file is not restored.
"""

from __future__ import annotations

import warnings

import numpy as np

from lamina.saving import saving_lib
from lamina.saving.serialization import DeserializationError


def _text(value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DeserializationError(f"A Keras 2 attribute is not UTF-8: {error}.") from error
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value.item())
    return str(value)


def _open(path):
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise DeserializationError(f"{path!r} is not a readable HDF5 file: {error}.") from error


def is_legacy(path) -> bool:
    with _open(path) as f:
        return "layer_names" in f.attrs or "model_config" in f.attrs


def load_model(path, custom_objects=None, compile=True):
    with _open(path) as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise DeserializationError(
                f"{path!r} has no model_config: it holds weights only. Build the model in code "
                "and call model.load_weights(path)."
            )
        config = saving_lib.parse_json(_text(raw), f"model_config in {path!r}")
        model = saving_lib._model_from_config(config, custom_objects)
        weights = f["model_weights"] if "model_weights" in f else f
        _assign(model, weights, path, skip_mismatch=False)
        training = f.attrs.get("training_config")
        if compile and training is not None:
            _compile(model, saving_lib.parse_json(_text(training), "training_config"))
    return model


def load_weights(model, path, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Weights from a Keras 2 `.h5` file, as Keras 3 loads them: layer by layer
    in order (the layers that have weights, in the model and in the file),
    or matched by layer name with `by_name=True`."""
    with _open(path) as f:
        weights = (
            f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f else f
        )
        if by_name:
            _assign(model, weights, path, skip_mismatch=skip_mismatch)
        else:
            _assign_in_order(model, weights, path, skip_mismatch=skip_mismatch)


def _layer_variables(layer) -> list:
    trainable, non_trainable, seen = [], [], set()
    for item in layer._all_layers():
        for v in item._trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                trainable.append(v)
        for v in item._non_trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                non_trainable.append(v)
    return trainable + non_trainable


def _stored_layers(group, path) -> list:
    """(name, group, weight names) of the file's layers that store weights, in order."""
    import h5py

    stored = []
    for name in [_text(n) for n in group.attrs.get("layer_names", [])]:
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise DeserializationError(f"Layer group {name!r} in {path!r} is missing or a link.")
        weight_names = [_text(n) for n in group[name].attrs.get("weight_names", [])]
        if weight_names:
            stored.append((name, group[name], weight_names))
    return stored


def _dataset(layer_group, weight_name, path):
    import h5py

    dataset = layer_group.get(weight_name)
    if not isinstance(dataset, h5py.Dataset) or dataset.external:
        raise DeserializationError(f"{weight_name!r} in {path!r} is not a plain dataset.")
    return dataset


def _assign_in_order(model, group, path, skip_mismatch: bool) -> None:
    layers = [layer for layer in model.layers if _layer_variables(layer)]
    stored = _stored_layers(group, path)
    if len(stored) != len(layers):
        raise DeserializationError(
            f"{path!r} stores weights for {len(stored)} layers, but model {model.name!r} has "
            f"{len(layers)} layers with weights; Keras 2 files load layer by layer in order. "
            "If the file comes from a different model whose layer names match, pass "
            "by_name=True (with skip_mismatch=True to leave out what does not fit)."
        )
    assignments = []
    for k, ((name, layer_group, weight_names), layer) in enumerate(zip(stored, layers)):
        variables = _layer_variables(layer)
        if len(variables) != len(weight_names):
            raise DeserializationError(
                f"Layer #{k} ({layer.name!r} in the model, {name!r} in {path!r}) has "
                f"{len(variables)} weights, but the file stores {len(weight_names)} "
                f"({weight_names})."
            )
        for variable, weight_name in zip(variables, weight_names):
            dataset = _dataset(layer_group, weight_name, path)
            if tuple(dataset.shape) != tuple(variable.shape):
                message = (
                    f"{weight_name!r} in {path!r} has shape {tuple(dataset.shape)}; layer #{k} "
                    f"({layer.name!r}) expects {tuple(variable.shape)} for {variable.path!r}."
                )
                if skip_mismatch:
                    warnings.warn(f"Skipped: {message}", stacklevel=4)
                    continue
                raise DeserializationError(message)
            assignments.append((variable, dataset))
    for variable, dataset in assignments:
        variable.assign(np.asarray(dataset[()]).astype(str(variable.dtype)))


def _assign(model, group, path, skip_mismatch: bool) -> None:
    """By layer name: a full-model file (whose names are the model's own), or
    `load_weights(..., by_name=True)`."""
    layers = {layer.name: layer for layer in model.layers}
    assignments = []
    for name, layer_group, weight_names in _stored_layers(group, path):
        layer = layers.get(name)
        if layer is None:
            if skip_mismatch:
                continue
            raise DeserializationError(
                f"{path!r} has weights for layer {name!r}, which the model does not have "
                f"(its layers: {sorted(layers)})."
            )
        variables = _layer_variables(layer)
        if len(variables) != len(weight_names):
            message = (
                f"Layer {name!r} has {len(variables)} weights, but {path!r} stores "
                f"{len(weight_names)} ({weight_names}); this layer cannot be mapped."
            )
            if skip_mismatch:
                warnings.warn(f"Skipped: {message}", stacklevel=4)
                continue
            raise DeserializationError(message)
        for variable, weight_name in zip(variables, weight_names):
            dataset = _dataset(layer_group, weight_name, path)
            if tuple(dataset.shape) != tuple(variable.shape):
                message = (
                    f"{weight_name!r} in {path!r} has shape {tuple(dataset.shape)}; layer "
                    f"{name!r} expects {tuple(variable.shape)} for {variable.path!r}."
                )
                if skip_mismatch:
                    warnings.warn(f"Skipped: {message}", stacklevel=4)
                    continue
                raise DeserializationError(message)
            assignments.append((variable, dataset))
    for variable, dataset in assignments:
        variable.assign(np.asarray(dataset[()]).astype(str(variable.dtype)))


def _compile(model, training: dict) -> None:
    loss = training.get("loss")
    optimizer = training.get("optimizer_config")
    if not isinstance(loss, (str, list, dict)) or not isinstance(optimizer, dict):
        return
    from lamina.saving.serialization import deserialize_keras_object

    optimizer_config = dict(optimizer.get("config") or {})
    # Keras 2 optimizer arguments lamina's optimizers do not take.
    for key in ("decay", "is_legacy_optimizer", "jit_compile"):
        optimizer_config.pop(key, None)
    optimizer = deserialize_keras_object(
        {
            "class_name": optimizer.get("class_name"),
            "config": optimizer_config,
            "module": "keras.optimizers",
        }
    )
    metrics = training.get("metrics")
    model.compile(
        optimizer=optimizer, loss=loss, metrics=metrics if isinstance(metrics, list) else None
    )
