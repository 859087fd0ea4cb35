"""Model: a Layer that trains. Functional, Sequential and subclassed models are Models."""

from __future__ import annotations

from lamina.layers.layer import Layer
from lamina.models.summary import print_summary
from lamina.training.trainer import Trainer


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
        return list(self._layers)

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
        print_summary(
            self, line_length=line_length, print_fn=print_fn, show_trainable=show_trainable
        )

    def _maybe_build(self, first_input) -> None:
        # A subclassed model builds by running its call: the sublayers build themselves.
        if type(self).build is Model.build:
            self.built = True
        else:
            super()._maybe_build(first_input)

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        self.built = True  # before the call below, which would otherwise build again
        if input_shape is not None and type(self).call is not Model.call:
            from lamina import ops

            shapes = input_shape
            dummy = ops.zeros(tuple(1 if d is None else d for d in shapes))
            self(dummy)

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
