"""Model: a Layer that trains. Functional, Sequential and subclassed models are Models."""

from __future__ import annotations

import inspect

from lamina.layers.layer import Layer
from lamina.training.trainer import Trainer
from lamina.utils import _tree


class Model(Trainer, Layer):
    """A trainable graph of layers.

    Build one in any of Keras's three ways:

    - functional: `Model(inputs, outputs)` from `Input` tensors;
    - `Sequential([...])`: a stack of layers;
    - subclassing: define layers in `__init__` and the forward pass in `call`.

    Example:
        >>> inputs = lamina.Input(shape=(4,))
        >>> outputs = lamina.layers.Dense(1)(inputs)
        >>> model = lamina.Model(inputs, outputs)
        >>> model.compile(optimizer="adam", loss="mse")
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from lamina.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got inputs/outputs, but it is a subclassed "
                "model. Build functional models with lamina.Model(inputs, outputs)."
            )
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._init_trainer()

    @property
    def layers(self) -> list[Layer]:
        # As in Keras, the ops applied to symbolic tensors are graph nodes, not layers.
        return [layer for layer in self._layers if not getattr(layer, "_is_operation", False)]

    @property
    def weights(self) -> list:
        """All weights, layer by layer in `layers` order, as Keras lists them: the order
        does not depend on the order the layers were created in, so `get_weights()` of a
        model and of its copy from a config line up."""
        result, seen = [], set()

        def collect(layer) -> None:
            for v in layer._trainable_variables + layer._non_trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    result.append(v)
            for sub in layer._layers:
                collect(sub)

        collect(self)
        return result

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in `layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer() takes name or index, not both.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"get_layer(index={index}) is out of range: the model has {len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No layer named {name!r} in model {self.name!r}. "
                f"Layers: {[layer.name for layer in self.layers]}."
            )
        raise ValueError("get_layer() needs a name or an index.")

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        from lamina.models.summary import print_summary

        print_summary(
            self, line_length=line_length, print_fn=print_fn, show_trainable=show_trainable
        )

    def _maybe_build(self, first_input) -> None:
        # A subclassed model builds by running its call: the sublayers build themselves.
        if not self.built:
            self._saving_input_shape = _tree.map_structure(
                lambda t: tuple(getattr(t, "shape", ())), first_input
            )
        if type(self).build is Model.build:
            self.built = True
        else:
            super()._maybe_build(first_input)

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        self.built = True  # before the call below, which would otherwise build again
        self._saving_input_shape = input_shape
        if input_shape is not None and type(self).call is not Model.call:
            from lamina import ops

            shapes = input_shape
            dummy = ops.zeros(tuple(1 if d is None else d for d in shapes))
            self(dummy)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_policy.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        if cls is Model and "layers" in config and "input_layers" in config:
            from lamina.models._functional_config import functional_from_config

            return functional_from_config(cls, config, custom_objects=custom_objects)
        return cls(**config)

    # ------------------------------------------------------------------ saving
    def compile(self, *args, **kwargs):
        Trainer.compile(self, *args, **kwargs)
        bound = inspect.signature(Trainer.compile).bind(self, *args, **kwargs)
        bound.apply_defaults()
        self._compile_arguments = {k: v for k, v in bound.arguments.items() if k != "self"}

    def get_compile_config(self) -> dict | None:
        """The `compile()` arguments as a Keras 3 `compile_config`, or None if not compiled."""
        from lamina.saving.saving_lib import compile_config_of

        return compile_config_of(self)

    def compile_from_config(self, config: dict) -> None:
        """Compile from a `compile_config` (as saved in a `.keras` file)."""
        from lamina.saving.saving_lib import compile_from_config

        compile_from_config(self, config)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as a Keras 3 JSON string (no weights)."""
        from lamina.saving.saving_lib import model_to_json

        return model_to_json(self, **kwargs)

    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Save architecture, weights and optimizer state to a `.keras` file, atomically."""
        from lamina.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size=None) -> None:
        """Save the weights (and optimizer state) to a `.weights.h5` file, atomically."""
        from lamina.saving.saving_api import save_weights

        save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights from a `.weights.h5` or `.keras` file written by lamina or Keras 3."""
        from lamina.saving.saving_api import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)
