"""Functional models to Keras 3 configs and back.

The config lists each layer with its `inbound_nodes`; a node's arguments name
their tensors by `keras_history` `[layer_name, node_index, tensor_index]`.
Layers are listed in the order Keras 3 gives them (by depth from the outputs,
then by traversal order), which also fixes the weight paths in `.weights.h5`
files, so both must agree with Keras for files to move between the two.
"""

from __future__ import annotations

from lamina.backend._keras_tensor import KerasTensor
from lamina.layers.input_layer import InputLayer
from lamina.utils import _tree


def keras_layer_order(model) -> list:
    """The model's layers in Keras 3's order: deepest (closest to the inputs) first,
    ties broken by the order a depth-first walk from the outputs meets them."""
    inputs, outputs = model.inputs, model.outputs
    input_ids = {id(t) for t in inputs}
    traversal: dict[int, int] = {}
    layers: dict[int, object] = {}
    ordered_nodes, finished, active = [], set(), set()

    def visit(tensor):
        node = tensor._node
        if node is None or id(node) in finished:
            return
        is_input = isinstance(node.layer, InputLayer)
        if not is_input and id(tensor) in input_ids:
            finished.add(id(node))
            return
        if id(node) in active:
            raise ValueError(f"The graph has a cycle through layer {node.layer.name!r}.")
        traversal.setdefault(id(node.layer), len(traversal))
        layers[id(node.layer)] = node.layer
        active.add(id(node))
        if not is_input:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        active.discard(id(node))
        ordered_nodes.append(node)

    for tensor in outputs:
        visit(tensor)
    in_graph = {id(n) for n in ordered_nodes}
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(ordered_nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.input_tensors:
            parent_node = parent._node
            if parent_node is None or id(parent_node) not in in_graph:
                continue
            node_depth[id(parent_node)] = max(depth + 1, node_depth.get(id(parent_node), 0))
    for tensor in inputs:  # inputs that no output depends on
        layer = tensor._node.layer if tensor._node is not None else None
        if layer is not None and id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            traversal[id(layer)] = -1
            layers[id(layer)] = layer
    return sorted(
        layers.values(), key=lambda layer: (-layer_depth[id(layer)], traversal[id(layer)])
    )


def _model_nodes(model) -> set[int]:
    return {id(node) for node in model._nodes}


def get_functional_config(model) -> dict:
    from lamina.saving.serialization import serialize_keras_object

    in_model = _model_nodes(model)
    node_index: dict[int, int] = {}
    layers = keras_layer_order(model)
    for layer in layers:
        kept = 0
        for node in layer._inbound_nodes:
            if id(node) in in_model:
                node_index[id(node)] = kept
                kept += 1

    def history(tensor: KerasTensor) -> list:
        node = tensor._node
        return [node.layer.name, node_index.get(id(node), 0), tensor._index]

    def encode(value):
        if isinstance(value, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(value.shape),
                    "dtype": value.dtype,
                    "keras_history": history(value),
                },
            }
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return serialize_keras_object(value)

    layer_configs = []
    for layer in layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = (
            []
            if isinstance(layer, InputLayer)
            else [
                {"args": encode(list(node.args)), "kwargs": encode(dict(node.kwargs))}
                for node in layer._inbound_nodes
                if id(node) in in_model
            ]
        )
        layer_configs.append(entry)

    def structure(struct):
        if isinstance(struct, KerasTensor):
            return history(struct)
        if isinstance(struct, dict):
            return {k: structure(v) for k, v in struct.items()}
        return [structure(t) for t in struct]

    return {
        "name": model.name,
        "trainable": model.trainable,
        # The model's own policy: it decides loss scaling when compiled again.
        "dtype": model.dtype_policy.name,
        "layers": layer_configs,
        "input_layers": structure(model._inputs_struct),
        "output_layers": structure(model._outputs_struct),
    }


def _is_history(value) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(i, int) and not isinstance(i, bool) for i in value[1:])
    )


def functional_from_config(cls, config: dict, custom_objects: dict | None = None):
    """Rebuild a functional model: create each layer, then replay its calls once the
    tensors they take exist."""
    from lamina.saving.serialization import DeserializationError, deserialize_keras_object

    layer_list = config.get("layers")
    if not isinstance(layer_list, list):
        raise DeserializationError(
            f"A functional model config needs a 'layers' list; got {type(layer_list).__name__}."
        )
    created: dict[str, list[list]] = {}
    pending: list[tuple] = []
    for data in layer_list:
        if not isinstance(data, dict):
            raise DeserializationError(f"Each entry of 'layers' must be a dict; got {data!r}.")
        layer_config = {k: v for k, v in data.items() if k not in ("name", "inbound_nodes")}
        layer = deserialize_keras_object(layer_config, custom_objects)
        name = data.get("name", getattr(layer, "name", None))
        if not isinstance(name, str):
            raise DeserializationError(f"A layer entry has no usable name: {name!r}.")
        nodes = data.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise DeserializationError(f"Layer {name!r}: 'inbound_nodes' must be a list.")
        if isinstance(layer, InputLayer):
            created[name] = [[layer.output]]
        else:
            created.setdefault(name, [])
            pending.append((layer, name, list(nodes)))

    def tensor(history_value):
        name, node_index, tensor_index = history_value
        try:
            return created[name][node_index][tensor_index]
        except (KeyError, IndexError):
            return None

    def decode(value, missing):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            found = tensor(_history_of(value))
            if found is None:
                missing.append(value)
            return found
        if isinstance(value, list):
            return [decode(v, missing) for v in value]
        if isinstance(value, dict):
            if value.get("class_name") in _ARGUMENT_OBJECTS:  # a slice, array, ... argument
                return deserialize_keras_object(value)
            return {k: decode(v, missing) for k, v in value.items()}
        return value

    while pending:
        progress = False
        for entry in pending:
            layer, name, nodes = entry
            while nodes:
                args, kwargs = _node_arguments(nodes[0], tensor)
                missing: list = []
                args = decode(args, missing)
                kwargs = decode(kwargs, missing)
                if missing:
                    break
                outputs = layer(*args, **_call_kwargs(layer, kwargs))
                created[name].append(_tree.flatten(outputs))
                nodes.pop(0)
                progress = True
        pending = [entry for entry in pending if entry[2]]
        if pending and not progress:
            names = [name for _, name, _ in pending]
            raise DeserializationError(
                f"The functional config cannot be rebuilt: layers {names} take tensors that no "
                "layer in the config produces."
            )

    def rebuild(struct):
        if _is_history(struct):
            found = tensor(struct)
            if found is None:
                raise DeserializationError(f"Model input/output {struct!r} is not in the graph.")
            return found
        if isinstance(struct, dict):
            return {k: rebuild(v) for k, v in struct.items()}
        if isinstance(struct, list):
            return [rebuild(v) for v in struct]
        raise DeserializationError(f"Bad input_layers/output_layers entry: {struct!r}.")

    inputs = rebuild(config.get("input_layers"))
    outputs = rebuild(config.get("output_layers"))
    from lamina.models.functional import Functional

    target = cls if isinstance(cls, type) and issubclass(cls, Functional) else Functional
    model = target(
        inputs=inputs,
        outputs=outputs,
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )
    if config.get("dtype") is not None:
        model.dtype_policy = config["dtype"]
    return model


# Non-tensor call arguments Keras writes as objects: `x[1:, ...]`, `x + np.ones(3)`.
_ARGUMENT_OBJECTS = (
    "__slice__",
    "__ellipsis__",
    "__numpy__",
    "__tensor__",
    "__tuple__",
    "__bytes__",
)


def _history_of(value: dict) -> list:
    from lamina.saving.serialization import DeserializationError

    history = (value.get("config") or {}).get("keras_history")
    if not _is_history(history):
        raise DeserializationError(f"Bad keras_history in a node: {history!r}.")
    return history


def _node_arguments(node, tensor):
    """(args, kwargs) of one inbound node, from the Keras 3 dict or the Keras 2 list form."""
    from lamina.saving.serialization import DeserializationError

    if isinstance(node, dict):
        args = node.get("args", [])
        kwargs = node.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise DeserializationError(f"Bad inbound node {node!r}.")
        return args, kwargs
    if isinstance(node, list) and node and all(isinstance(e, list) for e in node):
        # Keras 2: [[layer_name, node_index, tensor_index, kwargs], ...]
        refs, kwargs = [], {}
        for entry in node:
            if len(entry) < 3 or not _is_history(entry[:3]):
                raise DeserializationError(f"Bad Keras 2 inbound node {entry!r}.")
            refs.append(
                {"class_name": "__keras_tensor__", "config": {"keras_history": list(entry[:3])}}
            )
            if len(entry) > 3 and isinstance(entry[3], dict):
                kwargs = dict(entry[3])
        return ([refs[0]] if len(refs) == 1 else [refs]), kwargs
    raise DeserializationError(f"Bad inbound node {node!r}.")


def _call_kwargs(layer, kwargs: dict) -> dict:
    kwargs = dict(kwargs)
    # The outer call decides training; Keras records the default for every call.
    kwargs.pop("training", None)
    if kwargs.get("mask", 0) is None:
        kwargs.pop("mask")
    return kwargs
