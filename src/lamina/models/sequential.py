"""Sequential: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from lamina.backend._keras_tensor import KerasTensor
from lamina.layers import _masking
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.layer import Layer, _shape_of
from lamina.models.functional import Functional
from lamina.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: the layers, first to last; the first may be an `Input`.
        name: the model's name.

    Example:
        >>> model = lamina.Sequential([
        ...     lamina.Input(shape=(8, 8, 1)),
        ...     lamina.layers.Conv2D(16, 3, activation="relu"),
        ...     lamina.layers.Flatten(),
        ...     lamina.layers.Dense(10, activation="softmax"),
        ... ])
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None):
        Model.__init__(self, trainable=trainable, name=name)
        self._graph: Functional | None = None
        self._input_layer: InputLayer | None = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_graph()

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or an `Input`) to the stack."""
        if isinstance(layer, KerasTensor) and isinstance(
            getattr(layer._node, "layer", None), InputLayer
        ):
            layer = layer._node.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add() takes a layer; got {type(layer).__name__}: {layer!r}."
            )
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError("An Input can only be the first entry of a Sequential model.")
            self._input_layer = layer
        elif layer in self._layers:
            raise ValueError(f"Layer {layer.name!r} is already in this Sequential model.")
        else:
            names = {existing.name for existing in self._layers}
            if layer.name in names:
                raise ValueError(
                    f"Sequential model {self.name!r} already has a layer named {layer.name!r}; "
                    "layer names must be unique."
                )
            self._layers.append(layer)
        self.built = False
        self._graph = None
        self._functions = {}
        if rebuild:
            self._maybe_build_graph()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError(f"Sequential model {self.name!r} has no layers to pop.")
        layer = self._layers.pop()
        self.built = False
        self._graph = None
        self._functions = {}
        self._maybe_build_graph()
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def _declared_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers and self._layers[0]._input_shape_arg is not None:
            first = self._layers[0]
            return (first._batch_size_arg, *first._input_shape_arg)
        return None

    def _maybe_build_graph(self) -> None:
        shape = self._declared_input_shape()
        if shape is not None and self._layers:
            self.build(shape)

    def build(self, input_shape=None) -> None:
        if self._graph is not None:
            self.built = True
            return
        if input_shape is None:
            input_shape = self._declared_input_shape()
        if input_shape is None:
            raise ValueError(
                f"Sequential model {self.name!r} cannot be built without an input shape. Start it "
                "with lamina.Input(shape=...), or call it on data first."
            )
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=(None, *tuple(input_shape)[1:]))
        inputs = (
            self._input_layer.output
            if self._input_layer._inbound_nodes
            else Input(batch_shape=input_shape)
        )
        x = inputs
        for layer in self._layers:
            x = layer(x)
        self._graph = Functional(inputs, x, name=self.name + "_graph")
        self.built = True

    def _maybe_build(self, first_input) -> None:
        if self._graph is None:
            # The engine's shape: a traced tensor's `.shape` need not be a tuple of ints.
            shape = tuple(_shape_of(first_input)) if hasattr(first_input, "shape") else ()
            self.build((None, *shape[1:]))

    def call(self, inputs, training=None, mask=None):
        if self._graph is not None:
            self._graph._check_input(self._graph.inputs[0], inputs)
        if mask is not None:
            _masking.set_mask(inputs, mask)
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    def compute_output_spec(self, inputs, training=None, mask=None):
        return self._trace_output_spec(inputs, training=training)

    @property
    def inputs(self):
        return self._graph.inputs if self._graph is not None else None

    @property
    def outputs(self):
        return self._graph.outputs if self._graph is not None else None

    @property
    def input(self):
        return self._built_graph("input").input

    @property
    def output(self):
        return self._built_graph("output").output

    def _built_graph(self, what: str):
        if self._graph is None:
            raise AttributeError(
                f"Sequential model {self.name!r} is not built yet, so it has no {what}. Start "
                "it with lamina.Input(shape=...), or call it on data first."
            )
        return self._graph

    @property
    def input_shape(self):
        return self._graph.input_shape if self._graph is not None else None

    @property
    def output_shape(self):
        return self._graph.output_shape if self._graph is not None else None

    def get_config(self) -> dict:
        from lamina.saving.serialization import serialize_keras_object

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(layer) for layer in self._layers)
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype_policy.name,
            "layers": layers,
        }
        if self._graph is not None:
            config["build_input_shape"] = list(self._graph.inputs[0].shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        from lamina.saving.serialization import DeserializationError, deserialize_keras_object

        layer_configs = config.get("layers")
        if not isinstance(layer_configs, list):
            raise DeserializationError(
                f"A Sequential config needs a 'layers' list; got {type(layer_configs).__name__}."
            )
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("dtype") is not None:
            # The model's own policy decides loss scaling when it is compiled again.
            model.dtype_policy = config["dtype"]
        for layer_config in layer_configs:
            model.add(deserialize_keras_object(layer_config, custom_objects), rebuild=False)
        shape = config.get("build_input_shape")
        if model._declared_input_shape() is None and isinstance(shape, (list, tuple)):
            model.build(tuple(shape))
        else:
            model._maybe_build_graph()
        return model
