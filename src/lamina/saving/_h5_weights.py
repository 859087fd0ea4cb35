"""Weights in Keras 3's `.weights.h5` layout.

Keras 3 files each object's own variables under `<path>/vars/<i>`, where the
path follows attributes: a model's `layers` list first (for Sequential and
functional models), then the other public attributes in sorted order. Inside a
list each object is named after its class in snake case, numbered when the
name repeats (`layers/dense`, `layers/dense_1`). Nested layers follow their
attribute (`layers/lstm/cell/vars`, `layers/bidirectional/forward_layer/...`),
and the optimizer's variables sit under `optimizer/vars`. lamina walks its
objects the same way, so files move between Keras 3 and lamina.
"""

from __future__ import annotations

import warnings

import numpy as np

from lamina.saving.serialization import DeserializationError

_SKIPPED_ATTRIBUTES = frozenset({"input_spec", "activity_regularizer"})


def _is_saveable(obj) -> bool:
    from lamina.layers.layer import Layer
    from lamina.optimizers.optimizer import Optimizer

    return isinstance(obj, (Layer, Optimizer))


def _snake_case(name: str) -> str:
    from lamina.layers.layer import to_snake_case

    return to_snake_case(name)


# Private attributes every layer has, and the ones models keep for themselves:
# never children (Keras likewise skips what a bare Layer has).
_INTERNAL_ATTRIBUTES = frozenset(
    {
        "_batch_size_arg",
        "_call_has_mask",
        "_call_has_training",
        "_call_state_variables",
        "_call_training_default",
        "_dtype_policy",
        "_inbound_nodes",
        "_input_shape_arg",
        "_layers",
        "_losses",
        "_non_trainable_variables",
        "_seed_generators",
        "_trainable",
        "_trainable_variables",
        "_graph",  # Sequential's functional twin
        "_input_layer",
    }
)


def _holds_saveables(value) -> bool:
    return _is_saveable(value) or (
        isinstance(value, (list, tuple, dict)) and any(map(_is_saveable, _values(value)))
    )


def _children(obj) -> list[tuple[str, object]]:
    """The saveable children of `obj` in Keras's order: the layers of a model, then
    public attributes, then private ones, each group sorted by name."""
    from lamina.models.functional import Functional
    from lamina.models.model import Model
    from lamina.models.sequential import Sequential

    result: list[tuple[str, object]] = []
    attributes = {
        name: value
        for name, value in vars(obj).items()
        if not name.startswith("_") and name not in _SKIPPED_ATTRIBUTES
    }
    if isinstance(obj, Functional):
        from lamina.models._functional_config import keras_layer_order

        layers = keras_layer_order(obj)
        result.append(("layers", [x for x in layers if not getattr(x, "_is_operation", False)]))
    elif isinstance(obj, Sequential):
        result.append(("layers", obj.layers))
    elif isinstance(obj, Model):
        attributes["layers"] = obj.layers
    result.extend((name, attributes[name]) for name in sorted(attributes))
    hidden_attributes = {
        name: value
        for name, value in vars(obj).items()
        if name.startswith("_") and not name.startswith("__") and name not in _INTERNAL_ATTRIBUTES
    }
    result.extend((name, hidden_attributes[name]) for name in sorted(hidden_attributes))
    result = [(name, value) for name, value in result if _holds_saveables(value)]
    # Sublayers lamina tracks without an attribute: kept, under a private name.
    named = {id(v) for _, value in result for v in _values_or_self(value)}
    hidden = [layer for layer in getattr(obj, "_layers", []) if id(layer) not in named]
    if hidden and not isinstance(obj, (Functional, Sequential)) and not isinstance(obj, Model):
        result.append(("_layers", hidden))
    return result


def _values(container) -> list:
    return list(container.values()) if isinstance(container, dict) else list(container)


def _values_or_self(value) -> list:
    return _values(value) if isinstance(value, (list, tuple, dict)) else [value]


def _own_variables(obj) -> list:
    from lamina.optimizers.optimizer import Optimizer

    if isinstance(obj, Optimizer):
        return list(obj.variables)
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def walk(model, include_optimizer: bool = True) -> list[tuple[str, object, list]]:
    """`(path, object, own variables)` for the model and everything below it, in
    Keras 3's order and naming."""
    entries: list[tuple[str, object, list]] = []
    visited: set[int] = set()

    def visit(obj, path: str) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        entries.append((path, obj, _own_variables(obj)))
        for name, child in _children(obj):
            child_path = f"{path}/{name}" if path else name
            if _is_saveable(child):
                visit(child, child_path)
            else:
                visit_container(child, child_path)

    def visit_container(container, path: str) -> None:
        used: dict[str, int] = {}
        for item in _values(container):
            if not _is_saveable(item):
                continue
            name = _snake_case(type(item).__name__)
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            visit(item, f"{path}/{name}")

    visit(model, "")
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None and id(optimizer) not in visited:
        entries.append(("optimizer", optimizer, _own_variables(optimizer)))
    elif not include_optimizer:
        entries = [e for e in entries if not e[0].startswith("optimizer")]
    return entries


def _vars_path(path: str) -> str:
    return f"{path}/vars" if path else "vars"


def _saves_itself(obj, path: str) -> bool:
    """A layer that writes its own `vars` entries (`save_own_variables(store)`, as a
    TextVectorization layer stores its idf weights), as Keras lets layers do."""
    return path != "optimizer" and callable(getattr(obj, "save_own_variables", None))


class _WriteStore:
    """The `store` a layer's `save_own_variables` fills: `store[key] = array`."""

    def __init__(self, group):
        self._group = group

    def __setitem__(self, key, value) -> None:
        value = value.numpy() if hasattr(value, "numpy") else value
        self._group.create_dataset(str(key), data=np.asarray(value))


class _ReadStore:
    """The `store` a layer's `load_own_variables` reads: `store[key]`, `keys()`, `len()`,
    each dataset checked as the plain variables are."""

    def __init__(self, group, where: str):
        self._group, self._where = group, where

    def keys(self) -> list[str]:
        return list(self._group.keys()) if self._group is not None else []

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, key) -> bool:
        return str(key) in self.keys()

    def __getitem__(self, key):
        if self._group is None:
            raise KeyError(key)
        return np.asarray(_checked_dataset(self._group, str(key), self._where)[()])


def write(h5file, model, include_optimizer: bool = True) -> None:
    """Write the model's variables into an open, empty h5py file."""
    for path, obj, variables in walk(model, include_optimizer):
        group = h5file.require_group(_vars_path(path))
        group.attrs["name"] = str(getattr(obj, "name", ""))
        if _saves_itself(obj, path):
            obj.save_own_variables(_WriteStore(group))
            continue
        for i, variable in enumerate(variables):
            group.create_dataset(str(i), data=np.asarray(variable.numpy()))


def _checked_dataset(group, key: str, where: str):
    import h5py

    dataset = _hard_get(group, key)
    if not isinstance(dataset, h5py.Dataset):
        raise DeserializationError(f"{where}/{key} in the weights file is not a dataset.")
    if dataset.external or getattr(dataset, "is_virtual", False):
        raise DeserializationError(
            f"{where}/{key} stores its data outside the file; lamina refuses such datasets."
        )
    if dataset.dtype.kind not in "biuf":
        raise DeserializationError(
            f"{where}/{key} has dtype {dataset.dtype}; weights must be numeric."
        )
    return dataset


def _hard_get(h5file, path: str):
    """The object at `path`, following hard links only (no external files, no soft links)."""
    import h5py

    node = h5file
    for part in path.split("/"):
        if not isinstance(node, h5py.Group):
            return None
        link = node.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise DeserializationError(
                f"The weights file links {path!r} to another location ({type(link).__name__}); "
                "lamina reads only plain groups and datasets."
            )
        node = node[part]
    return node


def read(h5file, model, skip_mismatch: bool = False, include_optimizer: bool = True) -> None:
    """Assign the variables stored in an open h5py file to the model's variables.

    Every dataset's shape is checked against the variable before any data is read,
    so a file cannot make lamina allocate more than the model itself holds.
    """
    import h5py

    optimizer = getattr(model, "optimizer", None)
    has_optimizer_vars = _hard_get(h5file, "optimizer/vars") is not None and len(
        _hard_get(h5file, "optimizer/vars")
    )
    if include_optimizer and optimizer is not None and has_optimizer_vars:
        # An optimizer saved before its first step holds only its step count and rate.
        unbuilt = not getattr(optimizer, "built", False)
        if unbuilt and has_optimizer_vars != len(optimizer.variables):
            optimizer.build(model.trainable_variables)
    assignments, own_loaders = [], []
    for path, obj, variables in walk(model, include_optimizer and bool(has_optimizer_vars)):
        group = _hard_get(h5file, _vars_path(path))
        where = _vars_path(path)
        if _saves_itself(obj, path):
            if group is not None and not isinstance(group, h5py.Group):
                raise DeserializationError(f"{where!r} in the weights file is not a group.")
            own_loaders.append((obj, _ReadStore(group, where)))
            continue
        if group is None:
            if variables:
                _mismatch(
                    f"The weights file has no group {where!r} for the {len(variables)} "
                    f"variables of {type(obj).__name__} {getattr(obj, 'name', '')!r}. The model "
                    "does not match the one that was saved.",
                    skip_mismatch,
                )
            continue
        if not isinstance(group, h5py.Group):
            raise DeserializationError(f"{where!r} in the weights file is not a group.")
        stored = [key for key in group.keys()]
        if len(stored) != len(variables):
            message = (
                f"{type(obj).__name__} {getattr(obj, 'name', '')!r} has {len(variables)} "
                f"variables, but the weights file holds {len(stored)} under {where!r}."
            )
            if path == "optimizer":
                warnings.warn(
                    message + " The optimizer state is not restored; training starts it afresh.",
                    stacklevel=3,
                )
                continue
            _mismatch(message, skip_mismatch)
            continue
        for i, variable in enumerate(variables):
            dataset = _hard_get(group, str(i))
            if not isinstance(dataset, h5py.Dataset):
                raise DeserializationError(f"{where}/{i} in the weights file is not a dataset.")
            if dataset.external or getattr(dataset, "is_virtual", False):
                raise DeserializationError(
                    f"{where}/{i} stores its data outside the file; lamina refuses such datasets."
                )
            if tuple(dataset.shape) != tuple(variable.shape):
                _mismatch(
                    f"Variable {variable.path!r} has shape {tuple(variable.shape)}, but the "
                    f"weights file stores shape {tuple(dataset.shape)} at {where}/{i}.",
                    skip_mismatch,
                )
                continue
            if dataset.dtype.kind not in "biuf":
                raise DeserializationError(
                    f"{where}/{i} has dtype {dataset.dtype}; weights must be numeric."
                )
            assignments.append((variable, dataset))
    for variable, dataset in assignments:
        value = np.asarray(dataset[()]).astype(np.dtype(str(variable.dtype)), copy=False)
        variable.assign(value)
    for obj, store in own_loaders:
        obj.load_own_variables(store)


def _mismatch(message: str, skip: bool) -> None:
    if skip:
        warnings.warn(message + " Skipped (skip_mismatch=True).", stacklevel=4)
        return
    raise ValueError(message)
