"""Functional models: a graph of layer calls from `Input` tensors to outputs."""

from __future__ import annotations

from lamina.backend import engine as _engine
from lamina.backend._keras_tensor import KerasTensor
from lamina.layers import _masking
from lamina.layers.input_layer import InputLayer
from lamina.layers.input_spec import InputShapeError, channels_swap_hint
from lamina.layers.layer import Layer
from lamina.models.model import Model
from lamina.utils import _tree


def _topological_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list:
    """The layer calls between `inputs` and `outputs`, each after the calls it depends on."""
    input_ids = {id(t) for t in inputs}
    order, done, active = [], set(), set()

    def visit(tensor: KerasTensor):
        node = tensor._node
        if node is None:
            raise ValueError(
                f"Tensor {tensor.name} was not made by a layer; it cannot be a model output."
            )
        if id(node) in done:
            return
        if id(node) in active:
            raise ValueError(f"The graph has a cycle through layer {node.layer.name!r}.")
        if isinstance(node.layer, InputLayer) and id(tensor) not in input_ids:
            raise ValueError(
                f"The outputs depend on input {tensor.name!r}, which is not among the model's "
                f"inputs {[t.name for t in inputs]}. Pass it in Model(inputs=[...])."
            )
        active.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        active.discard(id(node))
        done.add(id(node))
        order.append(node)

    for tensor in outputs:
        visit(tensor)
    return order


class Functional(Model):
    """A model defined by `Model(inputs, outputs)`.

    Args:
        inputs: an `Input` tensor, or a list or dict of them.
        outputs: the output tensor(s): one, a list, or a dict by name.
        name: the model's name.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable)
        self._init_trainer()
        flat_inputs = _tree.flatten(inputs)
        flat_outputs = _tree.flatten(outputs)
        for t in flat_inputs + flat_outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    f"Model(inputs, outputs) needs symbolic tensors from lamina.Input and layer "
                    f"calls; got {type(t).__name__}: {t!r}."
                )
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = flat_inputs
        self.outputs = flat_outputs
        self._nodes = _topological_nodes(flat_inputs, flat_outputs)
        for node in self._nodes:
            if node.layer not in self._layers:
                self._layers.append(node.layer)
        # Keras 3's order (by depth from the outputs): it fixes the order of the
        # trainable variables, hence of the optimizer slots, and the weight paths in files.
        from lamina.models._functional_config import keras_layer_order

        self._layers = keras_layer_order(self)
        self.built = True

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    def call(self, inputs, training=None, mask=None):
        flat = self._flatten_inputs(inputs)
        if mask is not None:
            # Each layer reads its input's mask from the tensor (see layers/_masking.py).
            _masking.set_masks(flat, _tree.flatten(mask))
        values = {}
        for tensor, value in zip(self.inputs, flat):
            self._check_input(tensor, value)
            values[id(tensor)] = value
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            outputs = node.call(values)
            for tensor, value in zip(node.output_tensors, _tree.flatten(outputs)):
                values[id(tensor)] = value
        return _tree.pack_as(self._outputs_struct, [values[id(t)] for t in self.outputs])

    def _flatten_inputs(self, inputs) -> list:
        if isinstance(self._inputs_struct, dict):
            if not isinstance(inputs, dict):
                raise ValueError(
                    f"Model {self.name!r} takes a dict of inputs with keys "
                    f"{sorted(self._inputs_struct)}; got {type(inputs).__name__}."
                )
            missing = sorted(set(self._inputs_struct) - set(inputs))
            if missing:
                raise ValueError(
                    f"Model {self.name!r}: inputs {missing} are missing from the dict."
                )
            return [inputs[k] for k in sorted(self._inputs_struct)]
        if isinstance(inputs, dict):
            names = [t._node.layer.name for t in self.inputs]
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model {self.name!r} got a dict of inputs without {missing}; its inputs are "
                    f"named {names}."
                )
            return [inputs[n] for n in names]
        flat = _tree.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(
                f"Model {self.name!r} expects {len(self.inputs)} input(s) "
                f"{[t.shape for t in self.inputs]}, but got {len(flat)}."
            )
        return flat

    def _check_input(self, tensor: KerasTensor, value) -> None:
        if isinstance(value, KerasTensor):
            shape = value.shape
        else:
            shape = tuple(_engine.core.shape(value))
        expected = tensor.shape
        ok = len(shape) == len(expected) and all(
            e is None or s is None or e == s for e, s in zip(expected, shape)
        )
        if not ok:
            raise InputShapeError(
                f"Input {tensor.name!r} of model {self.name!r} expects shape {expected} "
                f"(None = any size), but got shape {shape}." + channels_swap_hint(expected, shape)
            )

    def compute_output_spec(self, inputs, training=None, mask=None):
        # Run the graph on symbolic tensors: each layer's own shape rule applies.
        return self._trace_output_spec(inputs, training=training)

    def get_config(self) -> dict:
        from lamina.models._functional_config import get_functional_config

        return get_functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Functional:
        from lamina.models._functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects=custom_objects)
