"""Input and InputLayer: the entry points of functional models."""

from __future__ import annotations

from lamina.backend._keras_tensor import KerasTensor
from lamina.layers.layer import Layer, Node, _standardize_dtype


class InputLayer(Layer):
    """The layer behind `Input`: it holds the shape of the model's input.

    Args:
        shape: the shape without the batch dimension, e.g. `(28, 28, 1)`.
        batch_size: an optional fixed batch size.
        dtype: the input dtype (default `floatx()`).
        input_tensor: an existing symbolic tensor to use instead of a new one.
        name: the layer name.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        input_tensor=None,
        name=None,
        batch_shape=None,
        sparse=None,
        **kwargs,
    ):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("lamina has no sparse tensors; got sparse=True. Use dense inputs.")
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
        elif shape is not None:
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size, *shape)
        elif input_tensor is None:
            raise ValueError(
                f"InputLayer {self.name!r} needs a shape, e.g. Input(shape=(28, 28, 1)); got none."
            )
        self._input_dtype = _standardize_dtype(dtype)
        if input_tensor is None:
            node = Node(self, (), {}, None)
            input_tensor = KerasTensor(batch_shape, self._input_dtype, name=self.name, node=node)
            node.outputs = input_tensor
            node.output_tensors = [input_tensor]
            self._inbound_nodes.append(node)
        self.batch_shape = tuple(input_tensor.shape)
        self._output = input_tensor
        self.built = True

    @property
    def output(self):
        return self._output

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {
            "batch_shape": self.batch_shape,
            "dtype": self._input_dtype,
            "sparse": False,
            "name": self.name,
        }


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """A symbolic input for functional models.

    Args:
        shape: the shape of one sample, e.g. `(8, 8, 1)`; None marks free dims.
        batch_size: an optional fixed batch size.
        dtype: the input dtype (default `floatx()`).
        batch_shape: the full shape including the batch dimension, instead of `shape`.
        name: a name for the input.

    Example:
        >>> inputs = lamina.Input(shape=(784,))
        >>> outputs = lamina.layers.Dense(10)(inputs)
        >>> model = lamina.Model(inputs, outputs)
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        input_tensor=tensor,
    )
    return layer.output
